"""RoomActor: the owner of one grid, and ``RoomProxy``, its typed interface.

The room is the single writer of its state (``RoomState``: roster and items) and a thin
one: each message it receives is one all-or-nothing step (``chgrid.actors.room_step``)
that it hands to a component with an explicit interface, all built around one
``RoomContext``:

- ``Roster`` (``room_roster.py``): join, leave, walking, teleports, nicknames, authority;
- ``Chat`` (``room_chat.py``): chat lines, commands, reboot, voice signalling;
- ``ItemPackets`` over an ``ItemBook`` (``room_items.py``, ``room_item_book.py``): the
  generic item packets and carrying;
- ``StatefulItems`` (``room_stateful.py``): the host of the stateful item types'
  plug-ins and their per-item actors (``chgrid.actors.item_plugin``).

Packets are dispatched through one table of routes, behind per-account flood control
(``room_routes.py``). Frames wait in the outbox's queue during a step and are flushed in one
batch when it commits; a step that raises sends nothing and leaves memory as it was.
"""
from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

import pykka
from pykka.typing import ActorMemberMixin, proxy_method

from chgrid.actors.account_proxy import AccountProxy
from chgrid.actors.item_actor import ItemReport
from chgrid.actors.item_plugin import StatefulPlugins
from chgrid.actors.room_chat import Chat
from chgrid.actors.room_context import RoomContext
from chgrid.actors.room_item_book import ItemBook, ItemStorePort
from chgrid.actors.room_items import ItemPackets
from chgrid.actors.room_roster import DEFAULT_COMMIT_WAIT_S, JoinGrant, Roster
from chgrid.actors.room_routes import FloodControl, Route, merge_routes
from chgrid.actors.room_state import Player, RoomState, WorldInfo
from chgrid.actors.room_stateful import StatefulItems
from chgrid.actors.room_step import Outbox, StepJournal
from chgrid.actors.timers import Clock, Scheduler
from chgrid.items.base import DelayedLine
from chgrid.items.registry import ItemRegistry
from chgrid.settings import LimitsSettings

__all__ = ["RoomActor", "RoomProxy", "RoomSnapshot", "WorldInfo"]

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def room_step(method: Callable[Concatenate[RoomActor, P], R]) -> Callable[Concatenate[RoomActor, P], R | None]:
    """Run one message as one step: committed whole, or (on an exception) logged and
    rolled back, sending nothing."""

    @functools.wraps(method)
    def wrapper(self: RoomActor, *args: P.args, **kwargs: P.kwargs) -> R | None:
        return self._journal.run(method.__name__, lambda: method(self, *args, **kwargs))

    return wrapper


@dataclass(frozen=True)
class RoomSnapshot:
    """Diagnostics (tests, health figures): who is here and which item actors run.

    ``players``: public fields plus ``userId``; ``item_actors``: item id → type id.
    """

    players: list[dict[str, Any]]
    item_actors: dict[str, str]


class RoomActor(pykka.ThreadingActor):
    """Owner of one grid. Start with ``RoomActor.start(...)``; talk to it through a
    :class:`RoomProxy`.

    ``account`` is the AccountActor's proxy; ``outbox`` receives each step's frames;
    ``clock`` and ``scheduler`` are the injectable time (``chgrid.actors.timers``);
    ``item_registry``/``item_store``/``plugins`` the item types, their storage and the
    stateful types' plug-ins (none: items without running parts); ``on_reboot`` is
    called by the first allowed ``/reboot``; ``limits`` the flood control;
    ``commit_wait_s`` bounds the wait for an acknowledged account change.
    """

    def __init__(
        self,
        name: str,
        world: WorldInfo,
        account: AccountProxy,
        outbox: Outbox,
        clock: Clock,
        scheduler: Scheduler,
        item_registry: ItemRegistry | None = None,
        item_store: ItemStorePort | None = None,
        plugins: StatefulPlugins | None = None,
        on_reboot: Callable[[], None] | None = None,
        rng: random.Random | None = None,
        limits: LimitsSettings | None = None,
        commit_wait_s: float = DEFAULT_COMMIT_WAIT_S,
    ) -> None:
        super().__init__()
        self.name = name
        self._journal = StepJournal(outbox, name)
        self._state = RoomState(self._journal)
        ctx = RoomContext(name, world, clock, scheduler, rng or random.SystemRandom(),
                          self._journal, self._state)
        self._ctx = ctx
        self._book = ItemBook(ctx, item_registry or ItemRegistry(()), item_store)
        self._stateful = StatefulItems(ctx, self._book, plugins or StatefulPlugins())
        self._items = ItemPackets(ctx, self._book, self._stateful, account)
        self._flood = FloodControl(limits or LimitsSettings(), clock)
        self._chat = Chat(ctx, on_reboot)
        self._roster = Roster(ctx, account, self._items, leave_hooks=(
            ("the stateful items' clean-up", self._stateful.player_left),
            ("the drop of carried items", self._items.player_left),
            ("the flood buckets' clean-up", self._prune_buckets),
        ), commit_wait_s=commit_wait_s)
        self._abandoned = False
        self._routes: dict[str, Route] = merge_routes(
            self._roster.routes(), self._chat.routes(), self._items.routes(), self._stateful.routes())

    # -- lifecycle -----------------------------------------------------------------------

    def on_start(self) -> None:
        self._ctx.bind_link(cast(RoomProxy, self.actor_ref.proxy()))
        self._journal.run("start", self._start)

    def _start(self) -> None:
        count = self._book.load()
        log.info("room %s: %d items loaded", self.name, count)
        self._stateful.start()

    def on_stop(self) -> None:
        if not self._abandoned:
            self._journal.run("saving positions", self._roster.flush_positions)
        self._stateful.stop()

    def abandon(self) -> None:
        """Another node owns this grid now: stop without saving positions (the new
        owner's are newer); the caller stops the actor next."""
        self._abandoned = True

    def on_failure(self, exception_type: Any, exception_value: Any, traceback: Any) -> None:
        log.error("room %s crashed: %s", self.name, exception_value)

    def _prune_buckets(self, player: Player) -> None:
        self._flood.prune(self._state.connected_user_ids())

    # -- messages ------------------------------------------------------------------------

    @room_step
    def join(self, client_id: str, grant: JoinGrant, quiet: bool = False) -> None:
        """An authenticated connection enters: ``welcome`` to it, a line to the others
        (none when ``quiet``: a connection re-entering after the room moved nodes)."""
        self._roster.join(client_id, grant, quiet=quiet)

    @room_step
    def leave(self, client_id: str) -> None:
        """The connection closed (any cause): the disconnect sequence. Safe to repeat."""
        self._roster.remove(client_id)

    @room_step
    def handle(self, client_id: str, packet_type: str, data: dict[str, Any]) -> None:
        """One validated packet of a player in this room."""
        player = self._state.players.get(client_id)
        if player is None:
            return
        route = self._routes.get(packet_type)
        if route is None:
            log.warning("room %s: no handler for %s", self.name, packet_type)
            return
        if self._flood.admit(player, route, data):
            route.handler(player, data)

    @room_step
    def apply_authority(self, user_id: int, role: str, permissions: Iterable[str], status: str) -> None:
        """Live permission push (permissions.md §5) and ban (§6) for one account."""
        self._roster.apply_authority(user_id, role, permissions, status)

    @room_step
    def deliver_delayed(self, actor_client_id: str, line: DelayedLine) -> None:
        """A delayed line of an item action is due (told by the scheduler)."""
        self._items.deliver_delayed(actor_client_id, line)

    @room_step
    def item_report(self, report: ItemReport) -> None:
        """An item actor reports; the plug-in of the item's type handles it."""
        self._stateful.on_report(report)

    @room_step
    def item_actor_failed(self, item_id: str, actor_urn: str) -> None:
        """An item actor crashed and stopped itself: replace it (if still current)."""
        self._stateful.actor_failed(item_id, actor_urn)

    @room_step
    def restart_item_actor(self, item_id: str) -> None:
        """A restart back-off is over: start the item's actor again if still needed."""
        self._stateful.resume(item_id)

    def snapshot(self) -> RoomSnapshot:
        """Diagnostics for tests and health figures (see :class:`RoomSnapshot`)."""
        return RoomSnapshot(self._roster.snapshot(), dict(self._stateful.running_actors()))


class RoomProxy(ActorMemberMixin, pykka.ActorProxy[RoomActor]):
    """The RoomActor's messages, typed: ``cast(RoomProxy, RoomActor.start(...).proxy())``."""

    join = proxy_method(RoomActor.join)
    leave = proxy_method(RoomActor.leave)
    handle = proxy_method(RoomActor.handle)
    apply_authority = proxy_method(RoomActor.apply_authority)
    deliver_delayed = proxy_method(RoomActor.deliver_delayed)
    item_report = proxy_method(RoomActor.item_report)
    item_actor_failed = proxy_method(RoomActor.item_actor_failed)
    restart_item_actor = proxy_method(RoomActor.restart_item_actor)
    snapshot = proxy_method(RoomActor.snapshot)
    abandon = proxy_method(RoomActor.abandon)
