"""Injectable time sources.

Every piece of code that reads the time takes a clock object so tests can move time
forward without sleeping (``tests/fake_clock.py``). ``now_ms`` is wall-clock Unix time in milliseconds (used on the
wire and for movement windows); ``monotonic`` is seconds from an arbitrary origin (used
for rate limits, cooldowns and timers).
"""
from __future__ import annotations

import time


class SystemClock:
    """The real clock."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def monotonic(self) -> float:
        return time.monotonic()
