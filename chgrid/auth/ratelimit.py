"""Authentication rate limiting and failure jitter (spec/auth.md §10–11).

Two in-memory failure logs with a sliding 30 s window: one per remote IP, one per
``<ip>::<identity>`` where identity is the trimmed, lower-cased username (login and
register) or the constant ``"resume"`` (every resume attempt). An attempt is refused
when the IP log holds ≥ 20 entries or the IP+identity log ≥ 8; refused attempts are not
recorded, failures go to both logs, a success clears only its IP+identity log.
"""
from __future__ import annotations

import random
import threading
from collections import deque

WINDOW_S = 30.0
IP_LIMIT = 20
IDENTITY_LIMIT = 8
RESUME_IDENTITY = "resume"
JITTER_MIN_S = 0.020
JITTER_MAX_S = 0.080


def login_identity(username: str) -> str:
    """The identity of a login or register attempt: the username trimmed, lower-cased."""
    return username.strip().lower()


def failure_jitter_s(rng: random.Random | None = None) -> float:
    """Delay in seconds before a failed or refused auth reply: uniform 20–80 ms."""
    return (rng or random).uniform(JITTER_MIN_S, JITTER_MAX_S)


class AuthRateLimiter:
    """Sliding-window failure counter per IP and per IP+identity.

    ``clock`` needs ``monotonic()`` (``chgrid.timing``). Memory stays bounded: each log
    keeps at most ``limit`` timestamps (the limit-th newest entry alone decides whether
    the window holds ``limit`` entries), and keys whose entries have all left the window
    are dropped, both when touched and by a periodic sweep of the whole table.
    """

    def __init__(
        self,
        clock,
        *,
        window_s: float = WINDOW_S,
        ip_limit: int = IP_LIMIT,
        identity_limit: int = IDENTITY_LIMIT,
    ) -> None:
        self._clock = clock
        self._window = float(window_s)
        self._ip_limit = int(ip_limit)
        self._identity_limit = int(identity_limit)
        self._ip_logs: dict[str, deque[float]] = {}
        self._identity_logs: dict[str, deque[float]] = {}
        self._last_sweep = clock.monotonic()
        # Handlers run on the IOLoop, but the HTTP endpoints or tests may share an
        # instance across threads; the lock is uncontended in the normal case.
        self._lock = threading.Lock()

    @staticmethod
    def _identity_key(ip: str, identity: str) -> str:
        return f"{ip}::{login_identity(identity)}"

    def _live(self, logs: dict[str, deque[float]], key: str, now: float) -> deque[float] | None:
        log = logs.get(key)
        if log is None:
            return None
        # "Older than 30 s" is discarded; an entry exactly 30 s old still counts.
        cutoff = now - self._window
        while log and log[0] < cutoff:
            log.popleft()
        if not log:
            del logs[key]
            return None
        return log

    def _sweep(self, now: float) -> None:
        if now - self._last_sweep < self._window:
            return
        self._last_sweep = now
        for logs in (self._ip_logs, self._identity_logs):
            for key in list(logs):
                self._live(logs, key, now)

    def is_limited(self, ip: str, identity: str) -> bool:
        """True when this attempt must be refused without doing any work."""
        with self._lock:
            now = self._clock.monotonic()
            self._sweep(now)
            ip_log = self._live(self._ip_logs, ip, now)
            id_log = self._live(self._identity_logs, self._identity_key(ip, identity), now)
            return (ip_log is not None and len(ip_log) >= self._ip_limit) or (
                id_log is not None and len(id_log) >= self._identity_limit
            )

    def record_failure(self, ip: str, identity: str) -> None:
        """Append now to both logs of a failed (not a refused) attempt."""
        with self._lock:
            now = self._clock.monotonic()
            self._sweep(now)
            for logs, key, limit in (
                (self._ip_logs, ip, self._ip_limit),
                (self._identity_logs, self._identity_key(ip, identity), self._identity_limit),
            ):
                log = self._live(logs, key, now)
                if log is None:
                    log = logs[key] = deque(maxlen=limit)
                log.append(now)

    def record_success(self, ip: str, identity: str) -> None:
        """Forget the IP+identity failures of this attempt; the IP log stays."""
        with self._lock:
            self._identity_logs.pop(self._identity_key(ip, identity), None)

    def tracked_keys(self) -> int:
        """How many logs are held (for tests and diagnostics)."""
        with self._lock:
            return len(self._ip_logs) + len(self._identity_logs)
