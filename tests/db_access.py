"""Reading and changing a test database behind chgrid's back, on either backend.

``run_sql(url, statement, params)`` runs one statement on its own connection
(committed at once) and returns the rows. Statements use ``?`` placeholders on both
backends; for PostgreSQL they become ``%s``. SQLite connections turn foreign keys on,
as the application's do. ``write_lock(url)`` holds the database's write lock from
another connection, as an operator's shell or a backup would.
"""
from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path
from urllib.parse import urlsplit

from playhouse.db_url import parse

from tests.sqlite_lock import exclusive_lock


def backend(url: str) -> str:
    """"sqlite" or "postgresql"."""
    return "sqlite" if urlsplit(url).scheme == "sqlite" else "postgresql"


def sqlite_path(url: str) -> Path:
    return Path(parse(url)["database"])


def pg_connect(url: str):
    """A psycopg2 connection (autocommit) to the database ``url`` names."""
    import psycopg2

    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = True
    return conn


def run_sql(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    if backend(url) == "sqlite":
        conn = sqlite3.connect(sqlite_path(url))
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            with conn:
                rows = conn.execute(statement, params).fetchall()
            return rows
        finally:
            conn.close()
    conn = pg_connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(statement.replace("?", "%s"), params)
            return cur.fetchall() if cur.description is not None else []
    finally:
        conn.close()


@contextlib.contextmanager
def write_lock(url: str, release_after_s: float | None = None):
    """Another connection holds the database's write lock inside the block (or until
    ``release_after_s``: a lock an unbounded wait would sit out).

    SQLite: its one exclusive lock. PostgreSQL: an ``EXCLUSIVE`` lock on every chgrid
    table (reads go on, every write waits), the nearest thing to SQLite's."""
    if backend(url) == "sqlite":
        with exclusive_lock(sqlite_path(url), release_after_s):
            yield
        return
    from chgrid.db.database import all_models

    tables = ", ".join(f'"{model._meta.table_name}"' for model in all_models())
    conn = pg_connect(url)
    conn.autocommit = False  # psycopg2 begins the transaction with the first statement
    with conn.cursor() as cur:
        cur.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    release = threading.Timer(release_after_s or 0, conn.rollback)
    if release_after_s is not None:
        release.start()
    try:
        yield
    finally:
        release.cancel()
        conn.rollback()  # a no-op if the timer already did it
        conn.close()
