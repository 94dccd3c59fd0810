"""A clock tests move by hand (the test side of ``chgrid.timing``)."""
from __future__ import annotations

import threading


class FakeClock:
    """A clock tests move by hand. Thread-safe, starts at a fixed instant."""

    def __init__(self, now_ms: int = 1_764_000_000_000, monotonic: float = 1000.0) -> None:
        self._lock = threading.Lock()
        self._now_ms = now_ms
        self._mono = monotonic

    def now_ms(self) -> int:
        with self._lock:
            return self._now_ms

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now_ms += int(round(seconds * 1000))
            self._mono += seconds

    def set_ms(self, now_ms: int) -> None:
        with self._lock:
            self._mono += (now_ms - self._now_ms) / 1000.0
            self._now_ms = now_ms
