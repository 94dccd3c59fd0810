"""A second SQLite connection holding a database's exclusive lock, for lock tests."""
from __future__ import annotations

import contextlib
import sqlite3
import threading


@contextlib.contextmanager
def exclusive_lock(path, release_after_s: float | None = None):
    """Another connection holds the exclusive lock inside the block (or until
    ``release_after_s``: a lock an unbounded wait would sit out)."""
    conn = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(release_after_s or 0, conn.rollback)
    if release_after_s is not None:
        release.start()
    try:
        yield
    finally:
        release.cancel()
        conn.rollback()  # a no-op if the timer already did it
        conn.close()
