"""The injectable time every actor takes: a clock to read and a scheduler for timers.

In the server the clock is ``chgrid.timing.SystemClock`` and the scheduler puts the
callback on the IOLoop (``IOLoop.call_later``); tests pass ``tests.fake_clock.FakeClock`` and
a scheduler they fire by hand. A scheduled callback runs on the scheduler's thread, so it
must only tell an actor something, never do the actor's work.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    """``now_ms``: Unix time in ms (the wire, movement windows); ``monotonic``: seconds
    (rate limits, cooldowns, timers)."""

    def now_ms(self) -> int: ...

    def monotonic(self) -> float: ...


Scheduler = Callable[[float, Callable[[], None]], None]
"""``scheduler(delay_s, callback)``: call ``callback`` once, ``delay_s`` seconds from now."""
