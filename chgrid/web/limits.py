"""Pure bookkeeping for the listener: descriptor budget, connection caps, accept backoff
and interval-throttled logging.

Nothing here touches sockets or the IOLoop; ``chgrid.web.listener`` wires these to the
accept path. Times are plain floats from whatever clock the caller uses.
"""
from __future__ import annotations

import logging
import resource
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

# Descriptors kept back from the connection cap for what the process needs besides
# client sockets: the database (SQLite keeps three files per connection and actors
# may hold several), log files, the epoll and wake-up pipes, outbound radio fetches,
# refused sockets lingering a moment, and the listening sockets themselves.
FD_RESERVE_BASE = 64
FD_RESERVE_DIVISOR = 16
MIN_DERIVED_CAP = 16
UNLIMITED_FALLBACK = 1_000_000  # RLIM_INFINITY: no real bound to derive from

TOTAL = "total"
PER_IP = "per_ip"


def raise_nofile_limit() -> tuple[int, int, int]:
    """Raise the soft RLIMIT_NOFILE to the hard one; returns (soft before, soft now, hard).

    Default soft limits (often 1024) are far below what a server holding one socket per
    player needs, while the hard limit an operator grants is usually much higher.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard
    if target != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            target = soft  # e.g. a hard limit above the kernel's nr_open: keep what we have
    return soft, target, hard


def derived_max_connections(fd_limit: int) -> int:
    """The connection cap to use when ``network.max_connections`` is 0 (automatic)."""
    if fd_limit < 0 or fd_limit == resource.RLIM_INFINITY:
        fd_limit = UNLIMITED_FALLBACK
    reserve = FD_RESERVE_BASE + fd_limit // FD_RESERVE_DIVISOR
    return max(MIN_DERIVED_CAP, fd_limit - reserve)


class ConnectionCounts:
    """Open TCP connections, in total and per client address, against two caps.

    ``per_ip_cap`` 0 means no per-address cap. Loop thread only.
    """

    def __init__(self, total_cap: int, per_ip_cap: int) -> None:
        self.total_cap = total_cap
        self.per_ip_cap = per_ip_cap
        self.total = 0
        self.by_ip: Counter[str] = Counter()

    def admit(self, ip: str) -> str | None:
        """Count a new connection from ``ip``; or return which cap refuses it (uncounted)."""
        if self.total >= self.total_cap:
            return TOTAL
        if self.per_ip_cap and self.by_ip[ip] >= self.per_ip_cap:
            return PER_IP
        self.total += 1
        self.by_ip[ip] += 1
        return None

    def release(self, ip: str) -> None:
        self.total = max(0, self.total - 1)
        left = self.by_ip[ip] - 1
        if left > 0:
            self.by_ip[ip] = left
        else:
            del self.by_ip[ip]  # don't keep an entry for every address ever seen


class Backoff:
    """A delay that doubles on each failure up to ``cap`` and resets after a success."""

    def __init__(self, first: float = 0.05, cap: float = 1.0) -> None:
        self.first = first
        self.cap = cap
        self.current = 0.0

    def next_delay(self) -> float:
        self.current = self.first if self.current == 0 else min(self.cap, self.current * 2)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


@dataclass
class IntervalLog:
    """Logs the first of a run of similar events at once, then at most one line per
    ``interval`` carrying how many happened meanwhile.

    ``schedule(delay, fn)`` runs ``fn`` later (``IOLoop.call_later``); the pending count
    is flushed by that timer, so the tail of a burst is reported even if it stops.
    """

    logger: logging.Logger
    message: str  # %-format with one %d placeholder for the count, then ``args``
    interval: float
    schedule: Callable[[float, Callable[[], None]], object]
    level: int = logging.WARNING
    pending: int = 0
    window_open: bool = False
    _last_args: tuple = field(default=(), init=False, repr=False)

    def hit(self, *args: object) -> None:
        if self.window_open:
            self.pending += 1
            self._last_args = args
            return
        self.logger.log(self.level, self.message, 1, *args)
        self._open()

    def _open(self) -> None:
        self.window_open = True
        self.schedule(self.interval, self._close)

    def _close(self) -> None:
        if self.pending:
            count, self.pending = self.pending, 0
            self.logger.log(self.level, self.message + " (in the last %gs)", count,
                            *self._last_args, self.interval)
            self._open()  # keep throttling while the run goes on
        else:
            self.window_open = False
