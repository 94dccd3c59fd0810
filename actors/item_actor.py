"""The contract between a room and the per-item actors of stateful item types.

A clock, a radio and a piano each get one actor (``ClockSchedulerActor``,
``RadioMetadataPollerActor``, ``PianoRecorderActor``), started by the room when the item
is loaded or added and stopped when it is deleted. This module holds what they share:

- the room talks to an item actor only through proxy calls whose futures it drops, and
  the item actor answers by calling the room's ``@actor_step`` methods the same way, so
  no thread ever waits for another and no room ⇄ item deadlock is possible;
- timers go through the room's injected ``scheduler(delay_s, callback)``; the callback
  (on the IOLoop thread in the server) only tells this actor, tagged with a generation
  number so a superseded timer is ignored instead of cancelled;
- every message handler is wrapped by :func:`item_message`: an exception is logged, the
  actor marks itself broken, stops, and asks the room to start a fresh one
  (``room.item_actor_failed``). A crash therefore never reaches the room.
"""
from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import pykka

log = logging.getLogger(__name__)

Scheduler = Callable[[float, Callable[[], None]], None]


def item_message(method):
    """Run one message of an item actor; a failure is logged and triggers a restart."""

    @functools.wraps(method)
    def wrapper(self: ItemActor, *args, **kwargs):
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

    ``room`` is the room's proxy (any object with the room's report methods in tests);
    ``clock`` has ``now_ms()``; ``scheduler`` is the room's ``(delay_s, callback)``.
    Subclasses put their start-up in :meth:`begin` and their clean-up in :meth:`end`.
    """

    # A daemon thread: a radio fetch stuck in a socket call must never keep the
    # process alive at exit (the room still stops every item actor in order).
    use_daemon_thread = True
    kind = "item"

    def __init__(self, item_id: str, room: Any, clock: Any, scheduler: Scheduler) -> None:
        super().__init__()
        self.item_id = item_id
        self._room = room
        self._clock = clock
        self._scheduler = scheduler
        self._self_proxy: Any = None
        self._broken = False

    # -- lifecycle -----------------------------------------------------------------------

    def on_start(self) -> None:
        self._self_proxy = self.actor_ref.proxy()
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

    def on_failure(self, exception_type, exception_value, traceback) -> None:
        # Reached only through a bare tell that raised; proxy calls are caught below.
        log.error("%s %s died: %s", self.kind, self.item_id, exception_value)
        self._report_failure()

    def begin(self) -> None:
        """Start-up work in the actor's thread (schedule the first timer, ...)."""

    def end(self) -> None:
        """Clean-up when stopped (item deleted, room stopping, restart)."""

    def ping(self) -> bool:
        """A cheap call for tests and barriers: answered after every earlier message."""
        return not self._broken

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

    def _later(self, delay_s: float, method_name: str, *args: Any) -> None:
        """Call ``method_name(*args)`` on this actor after ``delay_s`` seconds.

        The callback runs on the scheduler's thread and must not do the work itself:
        it only enqueues a message for this actor.
        """
        proxy = self._self_proxy

        def fire() -> None:
            try:
                getattr(proxy, method_name)(*args)
            except pykka.ActorDeadError:
                pass  # stopped meanwhile: the timer is simply void

        self._scheduler(max(0.0, delay_s), fire)
