"""The contract between a room and the per-item actors of stateful item types.

A stateful type's plug-in (``chgrid.actors.item_plugin``) starts one actor per item of
its type: the clock's announcement timer, the radio's metadata poller, the piano's
recorder. This module holds what they share:

- the room talks to an item actor only through typed proxy calls whose futures it
  drops, and the item actor answers through its :class:`RoomLink`, the same way: one
  typed ``item_report`` carrying an :class:`ItemReport` the type's plug-in defines and
  handles. No thread ever waits for another, so no room ⇄ item deadlock is possible;
- timers go through the room's injected scheduler (``chgrid.actors.timers``); the
  callback only tells this actor, tagged by the caller (a generation number, a token)
  so a superseded timer is ignored instead of cancelled;
- every message handler is wrapped by :func:`item_message`: an exception is logged, the
  actor marks itself broken, stops, and asks the room to start a fresh one
  (``RoomLink.item_actor_failed``). A crash therefore never reaches the room.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

import pykka

from chgrid.actors.timers import Clock, Scheduler

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")
A = TypeVar("A", bound="ItemActor")


@dataclass(frozen=True)
class ItemReport:
    """Something an item actor tells its room about its item. Each stateful type
    subclasses it (the clock's announcement, the radio's fetch result, ...); the room
    hands it, unread, to the plug-in of the item's type."""

    item_id: str


class RoomLink(Protocol):
    """The room as its item actors (and their supervisor) see it: the typed subset of
    ``chgrid.actors.room.RoomProxy`` they call. Every call is a tell (futures dropped)."""

    def item_report(self, report: ItemReport) -> pykka.Future[None]: ...

    def item_actor_failed(self, item_id: str, actor_urn: str) -> pykka.Future[None]: ...

    def restart_item_actor(self, item_id: str) -> pykka.Future[None]: ...


def item_message(method: Callable[Concatenate[A, P], R]) -> Callable[Concatenate[A, P], R | None]:
    """Run one message of an item actor; a failure is logged and triggers a restart."""

    @functools.wraps(method)
    def wrapper(self: A, *args: P.args, **kwargs: P.kwargs) -> R | None:
        if self._broken:
            return None
        try:
            return method(self, *args, **kwargs)
        except pykka.ActorDeadError:
            # The room has stopped (shutdown): nobody is left to report to or restart us.
            self._broken = True
            self.stop()
            return None
        except Exception:
            self._fail(method.__name__)
            return None

    return wrapper


class ItemActor(pykka.ThreadingActor):
    """Base of the per-item actors: identity, room link, clock and timers.

    Subclasses put their start-up in :meth:`begin` and their clean-up in :meth:`end`,
    report with :meth:`report` and set timers with :meth:`later`.
    """

    # A daemon thread: a radio fetch stuck in a socket call must never keep the
    # process alive at exit (the room still stops every item actor in order).
    use_daemon_thread = True
    kind = "item"

    def __init__(self, item_id: str, room: RoomLink, clock: Clock, scheduler: Scheduler) -> None:
        super().__init__()
        self.item_id = item_id
        self._room = room
        self._clock = clock
        self._scheduler = scheduler
        self._broken = False
        self._own_proxy: pykka.ActorProxy[Any] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def on_start(self) -> None:
        # Subclasses cast this to their typed proxy to set timers on themselves.
        self._own_proxy = self.actor_ref.proxy()
        try:
            self.begin()
        except Exception:
            # pykka would only log a failing on_start; report it so the room restarts us.
            self._fail("begin")

    def on_stop(self) -> None:
        try:
            self.end()
        except Exception:
            log.exception("%s %s: clean-up failed", self.kind, self.item_id)

    def on_failure(self, exception_type: Any, exception_value: Any, traceback: Any) -> None:
        # Reached only through a bare tell that raised; proxy calls are caught below.
        log.error("%s %s died: %s", self.kind, self.item_id, exception_value)
        self._report_failure()

    def begin(self) -> None:
        """Start-up work in the actor's thread (schedule the first timer, ...)."""

    def end(self) -> None:
        """Clean-up when stopped (item deleted, room stopping, restart)."""

    # -- talking to the room -------------------------------------------------------------

    def report(self, report: ItemReport) -> None:
        """Tell the room (never waits; ``ActorDeadError`` once the room has stopped)."""
        self._room.item_report(report)

    # -- failure -------------------------------------------------------------------------

    def _fail(self, where: str) -> None:
        log.exception("%s %s: %s failed; restarting the actor", self.kind, self.item_id, where)
        self._broken = True
        self._report_failure()
        self.stop()

    def _report_failure(self) -> None:
        try:
            self._room.item_actor_failed(self.item_id, self.actor_urn)
        except Exception:
            log.exception("%s %s: could not report its failure", self.kind, self.item_id)

    # -- timers --------------------------------------------------------------------------

    def later(self, delay_s: float, call: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> None:
        """Call ``call(*args)`` after ``delay_s`` seconds; ``call`` is a method of this
        actor's own typed proxy, so the timer only enqueues a message for it."""

        def fire() -> None:
            try:
                call(*args, **kwargs)
            except pykka.ActorDeadError:
                pass  # stopped meanwhile: the timer is simply void

        self._scheduler(max(0.0, delay_s), fire)
