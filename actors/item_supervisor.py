"""Supervision of one stateful type's item actors in one room.

``ItemActors[P]`` starts, stops, replaces and talks to the actors a plug-in's factory
makes, ``P`` being the plug-in's typed proxy. It runs on the room's thread:

- an actor that failed asks to be replaced (``RoomLink.item_actor_failed``), and one
  found dead when the plug-in wants to tell it something is replaced on the spot;
  restarts are rate-limited so a deterministic crash cannot spin: past
  ``MAX_QUICK_RESTARTS`` within ``RESTART_WINDOW_S`` the next start waits
  ``RESTART_BACKOFF_S`` (the room's ``restart_item_actor`` is told then);
- messages (:meth:`tell`) and the start or stop that follows an item change wait for
  the room's step to commit, so a failed step tells no actor anything;
- supervision itself (replacing a dead actor of an existing item) happens at once: it
  is right whatever the step then does.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pykka

from chgrid.actors.item_actor import RoomLink
from chgrid.actors.room_context import RoomContext
from chgrid.items.model import ItemState

log = logging.getLogger(__name__)

# Restart budget per item actor (see the module docstring).
MAX_QUICK_RESTARTS = 3
RESTART_WINDOW_S = 60.0
RESTART_BACKOFF_S = 30.0
STOP_WAIT_S = 10.0

P = TypeVar("P", bound=pykka.ActorProxy[Any])
ActorFactory = Callable[[ItemState, RoomLink], P]
"""Starts the actor of an item and returns its typed proxy."""


@dataclass
class _Running(Generic[P]):
    proxy: P

    @property
    def ref(self) -> pykka.ActorRef[Any]:
        return self.proxy.actor_ref


class ItemActors(Generic[P]):
    """The running actors of one stateful type in one room."""

    def __init__(self, type_id: str, factory: ActorFactory[P], ctx: RoomContext) -> None:
        self.type_id = type_id
        self._factory = factory
        self._ctx = ctx
        self._running: dict[str, _Running[P]] = {}
        self._restarts: dict[str, list[float]] = {}

    # -- starting and stopping --------------------------------------------------------------

    def start(self, item: ItemState) -> None:
        """Start the item's actor now (replacing one that runs)."""
        self.stop(item.id)
        self._running[item.id] = _Running(self._factory(item, self._ctx.link))

    def start_after_step(self, item: ItemState) -> None:
        self._ctx.after_commit(lambda: self.start(item))

    def stop(self, item_id: str) -> None:
        running = self._running.pop(item_id, None)
        if running is None:
            return
        try:
            running.ref.stop(block=False)
        except pykka.ActorDeadError:
            pass

    def forget_after_step(self, item_id: str) -> None:
        """The item is gone: stop its actor and its restart history once the step commits."""

        def forget() -> None:
            self.stop(item_id)
            self._restarts.pop(item_id, None)

        self._ctx.after_commit(forget)

    def stop_all(self) -> list[pykka.Future[Any]]:
        """Stop every actor; the futures resolve when each has stopped."""
        running = list(self._running.values())
        self._running.clear()
        futures = []
        for handle in running:
            try:
                futures.append(handle.ref.stop(block=False))
            except pykka.ActorDeadError:
                pass
        return futures

    def running(self, item_id: str) -> bool:
        """True when the item has an actor (alive, or dead and not yet replaced)."""
        return item_id in self._running

    def item_ids(self) -> list[str]:
        """Ids of the items that have an actor."""
        return list(self._running)

    def alive(self) -> list[str]:
        """Ids of the items whose actor is alive (diagnostics)."""
        return [item_id for item_id, handle in self._running.items() if handle.ref.is_alive()]

    # -- talking --------------------------------------------------------------------------

    def tell(self, item_id: str, message: Callable[[P], object]) -> bool:
        """Send ``message(proxy)`` to the item's actor once the step commits.

        False when the item has no actor to tell (none, or waiting out a back-off); a
        dead actor is replaced first.
        """
        handle = self._live(item_id)
        if handle is None:
            return False
        self._ctx.after_commit(lambda: self._deliver(item_id, handle, message))
        return True

    def _live(self, item_id: str) -> _Running[P] | None:
        handle = self._running.get(item_id)
        if handle is not None and not handle.ref.is_alive():
            handle = self._restart(item_id, "found dead")
        return handle

    def _deliver(self, item_id: str, handle: _Running[P], message: Callable[[P], object]) -> None:
        try:
            message(handle.proxy)
            return
        except pykka.ActorDeadError:
            pass
        # It died between the step and now: one fresh actor gets the message.
        retry = self._restart(item_id, "died")
        if retry is not None:
            try:
                message(retry.proxy)
            except pykka.ActorDeadError:
                log.warning("room %s: the %s actor of %s died again", self._ctx.name, self.type_id, item_id)

    # -- failures -------------------------------------------------------------------------

    def failed(self, item_id: str, actor_urn: str) -> None:
        """An actor crashed and stopped itself: replace it if it is still the current one."""
        handle = self._running.get(item_id)
        if handle is not None and handle.ref.actor_urn == actor_urn:
            self._restart(item_id, "it failed")

    def resume(self, item_id: str) -> None:
        """The back-off is over: start the item's actor again if it still needs one."""
        item = self._ctx.state.items.get(item_id)
        if item is not None and item.type == self.type_id and item_id not in self._running:
            self.start(item)

    def _restart(self, item_id: str, why: str) -> _Running[P] | None:
        """Replace an item's actor now, or after a back-off when it keeps failing."""
        item = self._ctx.state.items.get(item_id)
        if item is None or item.type != self.type_id:
            self.stop(item_id)
            return None
        now = self._ctx.clock.monotonic()
        recent = [t for t in self._restarts.get(item_id, []) if now - t < RESTART_WINDOW_S]
        if len(recent) >= MAX_QUICK_RESTARTS:
            log.error("room %s: %s actor of %s keeps failing (%s); next try in %.0f s",
                      self._ctx.name, self.type_id, item_id, why, RESTART_BACKOFF_S)
            self.stop(item_id)
            self._restarts[item_id] = recent
            self._ctx.schedule_now(RESTART_BACKOFF_S, _resume_call(self._ctx.link, item_id))
            return None
        recent.append(now)
        self._restarts[item_id] = recent
        log.warning("room %s: restarting the %s actor of %s (%s)", self._ctx.name, self.type_id, item_id, why)
        self.start(item)
        return self._running[item_id]


def _resume_call(link: RoomLink, item_id: str) -> Callable[[], None]:
    """A scheduler callback telling the room to resume an item's actor."""

    def resume() -> None:
        try:
            link.restart_item_actor(item_id)
        except pykka.ActorDeadError:
            pass  # the room has stopped

    return resume
