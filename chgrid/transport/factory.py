"""Starting one grid's room with everything it needs, the same way on every node."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from chgrid.actors.account_proxy import AccountProxy
from chgrid.actors.item_plugin import StatefulPlugins
from chgrid.actors.room import RoomActor, RoomProxy, WorldInfo

from chgrid.items.registry import ItemRegistry
from chgrid.items.store import ItemStore
from chgrid.settings import Settings
from chgrid.web.outbox import Deliver, Outbox

log = logging.getLogger(__name__)

ROOM_START_TIMEOUT_S = 60


@dataclass
class RunningRoom:
    """One started room: its actor, typed proxy and item store."""

    grid: str
    ref: Any  # pykka.ActorRef
    proxy: RoomProxy
    store: ItemStore

    def stop(self, *, abandon: bool = False) -> None:
        """Stop the room (blocking) and close its store after its queued writes.

        ``abandon``: another node owns the grid now, so positions are not saved.
        """
        try:
            if abandon:
                self.proxy.abandon().get(timeout=10)
            self.ref.stop(timeout=30)
        except Exception:  # already stopped or crashed: the store still closes
            log.debug("room %s stop", self.grid, exc_info=True)
        self.store.close(timeout_s=10)


class RoomFactory:
    """Builds rooms from the node's shared parts (account actor, registry, plug-ins)."""

    def __init__(self, *, settings: Settings, world: WorldInfo, account: AccountProxy, clock: Any,
                 scheduler: Callable, registry: ItemRegistry, plugins: StatefulPlugins,
                 on_reboot: Callable[[], None]) -> None:
        self._settings = settings
        self._world = world
        self._account = account
        self._clock = clock
        self._scheduler = scheduler
        self._registry = registry
        self._plugins = plugins
        self._on_reboot = on_reboot

    def start(self, grid: str, sink: Deliver, fence_epoch: int | None = None) -> RunningRoom:
        """Start ``grid``'s room delivering to ``sink``; blocks until it has loaded.

        ``fence_epoch``: the lease epoch this node owns the grid under; every item write
        of the room is then refused once a newer owner has claimed the grid.
        """
        settings = self._settings
        store_options: dict[str, Any] = {}
        if fence_epoch is not None:
            store_options["fence_epoch"] = fence_epoch
        store = ItemStore(registry=self._registry, grid=grid,
                          lock_wait_s=settings.storage.commit_wait_s, **store_options)
        try:
            ref = RoomActor.start(
                grid, self._world, self._account, Outbox(sink), self._clock, self._scheduler,
                item_registry=self._registry, item_store=store, plugins=self._plugins,
                on_reboot=self._on_reboot, limits=settings.limits,
                commit_wait_s=settings.storage.commit_wait_s,
            )
            proxy = cast(RoomProxy, ref.proxy())
            proxy.snapshot().get(timeout=ROOM_START_TIMEOUT_S)  # barrier: the room has loaded
        except Exception:
            store.close(timeout_s=10)
            raise
        return RunningRoom(grid, ref, proxy, store)
