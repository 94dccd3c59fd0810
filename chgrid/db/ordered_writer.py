"""One ordered stream of writes: some run now on the caller's thread, some later on a
thread of the writer's own that retries them until the database takes them.

A write somebody waits for (an acknowledged change) runs now through
:meth:`OrderedWriter.write_now`, bounded: it waits for the lock at most the time it is
given and fails fast otherwise. A write nobody waits for goes through
:meth:`OrderedWriter.write_later`: queued, then committed in order by the background
thread, each attempt taking the database lock for at most ``RETRY_LOCK_WAIT_S``,
retried with back-off while the database is locked and given up (logged) after
``RETRY_MAX_ATTEMPTS`` or at once on any other error, which retrying cannot mend (such as
:class:`~chgrid.db.fence.StaleOwnerError`: the room has a new owner).

Order: one write runs at a time (a mutex), queued writes run first-in first-out, and
when a write commits now, what it supersedes is removed from the queued ones
(:meth:`WriteJob.without`), so an older queued write can never land after a newer one
and undo it. The mutex is only ever held for one bounded attempt, so a write now waits
for it at most its own bound.

The thread starts when something is queued and ends when the queue is empty, closing
its database connection (Peewee keeps one per thread).
"""
from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import peewee

from chgrid.db.busy import (
    RETRY_LOCK_WAIT_S,
    RETRY_MAX_ATTEMPTS,
    LockState,
    is_lock_error,
    retry_delay,
)
from chgrid.db.database import lock_state as database_lock_state
from chgrid.db.database import lock_wait
from chgrid.db.fence import StaleOwnerError

log = logging.getLogger(__name__)


class WriteJob(Protocol):
    """A write the :class:`OrderedWriter` can run and prune."""

    def run(self) -> None:
        """Write, in one transaction, on the calling thread's connection."""

    def without(self, newer: "WriteJob") -> "WriteJob | None":
        """What is left of this (older) write once ``newer`` committed; None if nothing."""

    def describe(self) -> str:
        """A short text for log lines."""


class WriterBusy(peewee.OperationalError):
    """A write now could not even start within its bound: a queued write was running."""


class OrderedWriter:
    """See the module docstring. ``database`` is the Peewee database or proxy;
    ``delay(attempts)`` gives the seconds to wait after that many failed attempts in a
    row (tests pass a long one to decide when a retry happens); ``lock_state`` defaults
    to the bound database's, shared with its other writers."""

    def __init__(self, database: peewee.Database | peewee.DatabaseProxy, name: str = "writer",
                 delay: Callable[[int], float] = retry_delay, lock_state: LockState | None = None) -> None:
        self._db = database
        self._name = name
        self._delay = delay
        self._lock_state = lock_state
        self._mutex = threading.Lock()  # one attempt at a time, now or later
        self._cond = threading.Condition()  # guards everything below
        self._queue: collections.deque[WriteJob] = collections.deque()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._wake = False  # a write now committed: a sleeping retry may go at once

    @property
    def lock_state(self) -> LockState:
        return self._lock_state or database_lock_state()

    # --- writes now ------------------------------------------------------------------

    def write_now(self, job: WriteJob, wait_s: float | None) -> None:
        """Run ``job`` on this thread, waiting at most ``wait_s`` (None: the database's
        busy timeout) in all; raises on failure, so nothing was written."""
        deadline = None if wait_s is None else time.monotonic() + wait_s
        if not self._mutex.acquire(timeout=-1 if deadline is None else max(0.0, wait_s)):
            error = WriterBusy("database is locked (a queued write is still trying)")
            self.lock_state.failed(error)
            raise error
        try:
            remaining = None if deadline is None else max(0.001, deadline - time.monotonic())
            try:
                with lock_wait(self._db, self.lock_state.wait_for(remaining)):
                    job.run()
            except Exception as err:
                self.lock_state.failed(err)
                raise
            self.lock_state.committed()
            with self._cond:
                pruned = (older.without(job) for older in self._queue)
                self._queue = collections.deque(j for j in pruned if j is not None)
                self._wake = True
                self._cond.notify_all()
        finally:
            self._mutex.release()

    # --- writes later ------------------------------------------------------------------

    def write_later(self, job: WriteJob) -> None:
        """Queue ``job`` behind every earlier queued write; returns at once."""
        with self._cond:
            if self._closed:
                log.error("%s: closed, write dropped: %s", self._name, job.describe())
                return
            self._queue.append(job)
            self._cond.notify_all()
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain_queue, name=f"{self._name}-later",
                                                daemon=True)
                self._thread.start()

    def drain(self, timeout_s: float) -> bool:
        """Wait until the queue is empty; False if writes were still queued at the timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._queue, timeout_s)

    def close(self, timeout_s: float) -> bool:
        """Let queued writes finish for up to ``timeout_s``, then drop (and log) the rest
        and refuse new ones. True if nothing was dropped."""
        drained = self.drain(timeout_s)
        with self._cond:
            self._closed = True
            if self._queue:
                log.error("%s: %d queued writes could not be committed before closing: %s",
                          self._name, len(self._queue), "; ".join(j.describe() for j in self._queue))
                self._queue.clear()
            self._cond.notify_all()
        return drained

    # --- the background thread ---------------------------------------------------------

    def _drain_queue(self) -> None:
        attempts = 0
        try:
            while True:
                with self._mutex:  # no write now can prune the head meanwhile
                    with self._cond:
                        if not self._queue:
                            self._thread = None
                            self._cond.notify_all()
                            return
                        job = self._queue[0]
                    outcome = self._attempt(job)
                    with self._cond:
                        if outcome == "retry":
                            attempts += 1
                            if attempts >= RETRY_MAX_ATTEMPTS:
                                log.error("%s: database still locked after %d attempts, write given up: %s",
                                          self._name, attempts, job.describe())
                                outcome = "done"
                        if outcome == "done":
                            attempts = 0
                            if self._queue and self._queue[0] is job:  # close() may have cleared it
                                self._queue.popleft()
                            self._cond.notify_all()
                            continue
                        self._wake = False
                with self._cond:
                    self._cond.wait_for(lambda: self._wake or self._closed, self._delay(attempts))
        finally:
            self._close_connection()

    def _attempt(self, job: WriteJob) -> str:
        """One bounded try (the caller holds the mutex): "done" or "retry"."""
        try:
            with lock_wait(self._db, RETRY_LOCK_WAIT_S):
                job.run()
        except Exception as err:
            self.lock_state.failed(err)
            if is_lock_error(err):
                return "retry"
            if isinstance(err, StaleOwnerError):  # expected when a room moved to another node
                log.warning("%s: %s; write dropped: %s", self._name, err, job.describe())
                return "done"
            log.exception("%s: write failed and will not be retried: %s", self._name, job.describe())
            return "done"
        self.lock_state.committed()
        return "done"

    def _close_connection(self) -> None:
        try:
            if not self._db.is_closed():
                self._db.close()
        except Exception:  # an unbound proxy at shutdown: nothing to close
            pass
