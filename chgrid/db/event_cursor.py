"""Where a poller of ``account_events`` stands, without skipping rows that commit late.

On SQLite an event's id is handed out under the single write lock, so ids become
visible in order. On PostgreSQL ids come from a sequence when the row is inserted,
but rows become visible when their transaction commits: id 8 can be read while id 7,
from a transaction still running, is not there yet. "Everything after the highest id
read" would then skip 7 for good.

:class:`EventCursor` keeps instead a low watermark (every id up to it was read, or
given up) plus the ids read above it. A missing id above the watermark is a gap: a
transaction still running, or an id nobody will ever use (a rolled-back insert, a
purged row). The cursor waits for a gap up to ``gap_timeout_s`` (10 s: far longer than
any account transaction, whose lock waits are bounded well below it) after first
noticing it, then gives up on it.

The poller asks for the rows after ``position()[0]`` other than the ids in
``position()[1]`` and hands every id it read (wanted or not) to :meth:`EventCursor.advance`.
Pure logic with an injectable clock; one poller at a time.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable

GAP_TIMEOUT_S = 10.0
# At most this many ids below the newest one read are tracked; older gaps are given up
# at once (a cursor started far behind a table whose old rows were purged).
MAX_TRACKED = 10_000


class EventCursor:
    """A poller's read position in ``account_events``; see the module docstring."""

    def __init__(self, start_id: int = 0, gap_timeout_s: float = GAP_TIMEOUT_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.low = int(start_id)  # every id <= low is read or given up
        self._seen: set[int] = set()  # ids > low already read
        self._gaps: dict[int, float] = {}  # missing id -> when it was first noticed
        self._gap_timeout_s = gap_timeout_s
        self._clock = clock

    def position(self) -> tuple[int, tuple[int, ...]]:
        """(watermark, ids above it already read): ask for ids above the first, not in
        the second."""
        return self.low, tuple(sorted(self._seen))

    @property
    def waiting_for(self) -> tuple[int, ...]:
        """The missing ids (gaps) the cursor still waits for."""
        return tuple(sorted(self._gaps))

    def advance(self, ids: Iterable[int]) -> list[int]:
        """Note ``ids`` as read; returns those not read before, in order. Gaps older
        than the timeout are given up here."""
        now = self._clock()
        new = sorted({int(i) for i in ids if int(i) > self.low and int(i) not in self._seen})
        self._seen.update(new)
        if self._seen:
            top = max(self._seen)
            if top - self.low > MAX_TRACKED:
                self._skip_to(top - MAX_TRACKED)
            for missing in range(self.low + 1, top):
                if missing not in self._seen:
                    self._gaps.setdefault(missing, now)
        for missing in new:
            self._gaps.pop(missing, None)
        self._give_up_old_gaps(now)
        self._raise_watermark()
        return new

    def _skip_to(self, low: int) -> None:
        self.low = low
        self._seen = {i for i in self._seen if i > low}
        self._gaps = {i: since for i, since in self._gaps.items() if i > low}

    def _give_up_old_gaps(self, now: float) -> None:
        for missing, since in list(self._gaps.items()):
            if now - since >= self._gap_timeout_s:
                del self._gaps[missing]
                self._seen.add(missing)  # counts as read: the watermark may pass it

    def _raise_watermark(self) -> None:
        while self.low + 1 in self._seen:
            self.low += 1
            self._seen.discard(self.low)
