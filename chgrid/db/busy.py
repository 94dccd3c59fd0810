"""Telling a locked database apart from other failures, and how long to wait for one.

Another connection holding SQLite's write lock (an operator's ``sqlite3`` shell, a
backup, ``chgrid admin``) makes a write fail with "database is locked" once its busy
timeout runs out. That failure is temporary: a write nobody waits for is worth
retrying, while a constraint violation or a broken row never gets better. On
PostgreSQL the same holds for a ``lock_timeout`` or ``statement_timeout`` that ran
out, a serialisation failure, a deadlock and a lost connection (the server restarting):
see :mod:`chgrid.db.postgres`.

:class:`LockState` remembers that the last attempt found the database locked. While
it does, a write somebody waits for tries only briefly (:data:`PROBE_WAIT_S`) instead
of its full bound, so a long lock costs the waiting thread one full wait, not one per
change; the first write that commits clears it. The database bound in
:mod:`chgrid.db.database` has one, shared by every writer of the process (the item
stores' writers and the AccountActor), so whichever meets the lock first spares the
others their full wait.
"""
from __future__ import annotations

import sqlite3
import threading

from chgrid.db.postgres import CONNECTION_LOST_WORDS, is_retryable_sqlstate, sqlstate

# SQLite primary result codes (the low byte of an extended code).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_LOCK_WORDS = ("database is locked", "database table is locked", "database is busy") + CONNECTION_LOST_WORDS

# A write nobody waits for takes the lock for at most this long per attempt, so it
# never holds up a write somebody waits for by more than that.
RETRY_LOCK_WAIT_S = 0.1
# While the database is known to be locked, a write somebody waits for waits this long:
# enough for another writer's ordinary commit (a millisecond or two), far less than a
# room can afford per change.
PROBE_WAIT_S = 0.01
# Back-off between attempts of a write nobody waits for: first delay, doubling, capped.
RETRY_FIRST_DELAY_S = 0.05
RETRY_MAX_DELAY_S = 2.0
# Attempts before such a write is given up (logged): with the delays above, about
# five minutes of a database that stays locked.
RETRY_MAX_ATTEMPTS = 160


def is_lock_error(error: BaseException | None) -> bool:
    """True if ``error`` (or the driver error it wraps) means "locked, try again later"
    (on PostgreSQL also: "the connection was lost, try again on a new one")."""
    seen = 0
    while error is not None and seen < 5:
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(error, sqlite3.Error) and code is not None:
            return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
        state = sqlstate(error)
        if state is not None:
            return is_retryable_sqlstate(state)
        if any(word in str(error).lower() for word in _LOCK_WORDS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def retry_delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
    return min(RETRY_MAX_DELAY_S, RETRY_FIRST_DELAY_S * 2 ** max(0, attempt - 1))


class LockState:
    """Whether the last write attempt found the database locked (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locked = False

    @property
    def locked(self) -> bool:
        with self._lock:
            return self._locked

    def wait_for(self, bound_s: float | None) -> float | None:
        """How long a write bounded by ``bound_s`` (None: unbounded) should wait now."""
        if not self.locked:
            return bound_s
        return PROBE_WAIT_S if bound_s is None else min(bound_s, PROBE_WAIT_S)

    def committed(self) -> None:
        with self._lock:
            self._locked = False

    def failed(self, error: BaseException) -> None:
        """Note a failed attempt; only a lock failure marks the database locked."""
        if is_lock_error(error):
            with self._lock:
                self._locked = True
