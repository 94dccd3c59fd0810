"""Timers the AccountActor uses to wake itself (retrying saves, purging old events).

The actor takes any object with ``schedule(delay_s, callback)`` and ``cancel_all()``;
:class:`ThreadTimers` is the real one, tests pass one they fire by hand. A callback
runs on a timer thread: the actor's callbacks only *tell* the actor a message, so all
database work stays on the actor's own thread.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol


class Timers(Protocol):
    """What the AccountActor needs from a timer source."""

    def schedule(self, delay_s: float, callback: Callable[[], None]) -> None: ...

    def cancel_all(self) -> None: ...


class ThreadTimers:
    """One daemon ``threading.Timer`` per scheduled callback."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._timers: set[threading.Timer] = set()

    def schedule(self, delay_s: float, callback: Callable[[], None]) -> None:
        timer: threading.Timer

        def fire() -> None:
            with self._lock:
                self._timers.discard(timer)
            callback()

        timer = threading.Timer(max(0.0, delay_s), fire)
        timer.daemon = True
        with self._lock:
            self._timers.add(timer)
        timer.start()

    def cancel_all(self) -> None:
        with self._lock:
            timers, self._timers = self._timers, set()
        for timer in timers:
            timer.cancel()
