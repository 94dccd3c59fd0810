"""Opening the database and binding the models to it.

Every Peewee model of chgrid binds to the module-level :data:`db_proxy`; the process
points the proxy at one real database with :func:`acquire_database` (reference counted,
so the AccountActor and the item store can share it) and lets go with
:func:`release_database`. Peewee keeps one connection per thread, so each actor thread
opens and closes its own connection on the shared ``Database`` object.

SQLite settings and why:

- ``journal_mode=wal``: readers never block the writer and a commit is one append to
  the write-ahead log.
- ``synchronous=NORMAL`` (1): in WAL mode a committed transaction is in the OS page
  cache before ``COMMIT`` returns, so it survives ``kill -9`` of the process (the
  design's "a killed server loses nothing acknowledged"). Only an OS crash or power
  loss can drop the last commits; ``FULL`` would cost an fsync per commit to cover that.
- ``foreign_keys=1``: cascades and referential checks as the schema declares them.
- ``lock_type="IMMEDIATE"``: every transaction takes the write lock at ``BEGIN``.
  A deferred transaction that reads and then writes can fail at once with "database
  is locked" when another process (``chgrid admin``) writes meanwhile; an immediate one
  waits up to ``timeout`` seconds for the lock instead.

``timeout`` (10 s) is only the default: writes a thread must not be held up by bound
their own wait (:func:`lock_wait`, :func:`set_busy_timeout`), and :func:`lock_state`
tells every writer of the process when the database was last found locked
(:mod:`chgrid.db.busy`).

PostgreSQL URLs open a :class:`chgrid.db.postgres.ChgridPostgresDatabase`: the same
bounded waits become ``lock_timeout`` per transaction, a connection the server closed
is replaced, and :func:`create_tables` runs under an advisory lock so several
processes starting at once on an empty database do not race each other.
"""
from __future__ import annotations

import contextlib
import importlib
import inspect
import os
import threading
from pathlib import Path
from types import ModuleType
from urllib.parse import urlparse

import peewee
from playhouse import db_url

from chgrid.db.busy import LockState
from chgrid.db.postgres import ChgridPostgresDatabase, session_lock, widen_columns

db_proxy = peewee.DatabaseProxy()

SQLITE_PRAGMAS: dict[str, object] = {
    "journal_mode": "wal",
    "synchronous": 1,  # NORMAL
    "foreign_keys": 1,
}
SQLITE_BUSY_TIMEOUT_S = 10
SQLITE_SCHEMES = frozenset({"sqlite"})
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql"})
DATABASE_FILE = "chgrid.db"

# Modules whose models create_tables() creates; optional ones may not exist yet.
_MODEL_MODULES = ("chgrid.db.models",)
_OPTIONAL_MODEL_MODULES = ("chgrid.db.item_models",)


class BaseModel(peewee.Model):
    """Base of every chgrid model: binds it to :data:`db_proxy`."""

    class Meta:
        database = db_proxy
        legacy_table_names = False


def _sqlite_path(url: str) -> str:
    return db_url.parse(url)["database"]


def open_database(url: str) -> peewee.Database:
    """A new (not yet connected) ``peewee.Database`` for ``url``.

    ``sqlite:///relative.db``, ``sqlite:////absolute/path.db`` and ``sqlite:///:memory:``
    get the pragmas above (the file's folder is created); ``postgresql://user:pass@host/db``
    (query parameters such as ``?sslmode=require`` go to the driver) opens a
    :class:`~chgrid.db.postgres.ChgridPostgresDatabase` (needs ``psycopg2``).
    """
    scheme = urlparse(url).scheme.lower()
    if scheme in SQLITE_SCHEMES:
        path = _sqlite_path(url)
        if path and path != ":memory:" and not path.startswith("file:"):
            # 0700 like the data dir chgrid.config creates: it also holds the auth secret.
            Path(path).expanduser().resolve().parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return db_url.connect(
            url,
            pragmas=dict(SQLITE_PRAGMAS),
            lock_type="IMMEDIATE",
            timeout=SQLITE_BUSY_TIMEOUT_S,
        )
    if scheme in POSTGRES_SCHEMES:
        params = db_url.parse(url)
        return ChgridPostgresDatabase(params.pop("database"), **params)
    # Never echo the URL: it may carry a password.
    raise ValueError(
        f"Unsupported database URL scheme {scheme!r}; use sqlite:/// or postgresql://"
    )


def set_busy_timeout(database: peewee.Database | peewee.DatabaseProxy, seconds: float) -> None:
    """Make the calling thread's connection wait at most ``seconds`` for a lock from now
    on (SQLite: its busy timeout; PostgreSQL: the ``lock_timeout`` of its transactions)."""
    real = database.obj if isinstance(database, peewee.DatabaseProxy) else database
    if isinstance(real, peewee.SqliteDatabase):
        real.execute_sql(f"PRAGMA busy_timeout = {max(1, int(seconds * 1000))}")
    elif isinstance(real, ChgridPostgresDatabase):
        real.set_default_bound(seconds)


@contextlib.contextmanager
def lock_wait(database: peewee.Database | peewee.DatabaseProxy, seconds: float | None):
    """Within the block, wait at most ``seconds`` for SQLite's write lock (PostgreSQL:
    for a row or table lock, in each transaction begun in the block).

    Applies to the calling thread's connection and is restored afterwards. An
    acknowledged change uses it so that a locked database answers "failed" within the
    time its sender waits, instead of committing after the sender was told it failed.
    ``None``, or another database, changes nothing.
    """
    real = database.obj if isinstance(database, peewee.DatabaseProxy) else database
    if seconds is not None and isinstance(real, ChgridPostgresDatabase):
        with real.bounded(seconds):
            yield
        return
    if seconds is None or not isinstance(real, peewee.SqliteDatabase):
        yield
        return
    previous = real.execute_sql("PRAGMA busy_timeout").fetchone()[0]
    real.execute_sql(f"PRAGMA busy_timeout = {max(1, int(seconds * 1000))}")
    try:
        yield
    finally:
        real.execute_sql(f"PRAGMA busy_timeout = {int(previous)}")


def database_url_for(settings) -> str:
    """``settings.storage.database_url`` if set, else the SQLite file in the data dir."""
    configured = (settings.storage.database_url or "").strip()
    if configured:
        return configured
    data_dir = os.path.abspath(os.path.expanduser(settings.storage.data_dir))
    # An absolute path starts with "/", which gives the four slashes db_url expects.
    return f"sqlite:///{os.path.join(data_dir, DATABASE_FILE)}"


_bind_lock = threading.Lock()
_bound_url: str | None = None
_users = 0
_lock_state = LockState()


def lock_state() -> LockState:
    """Whether the bound database was last found locked (shared by all its writers;
    a fresh one with each new binding)."""
    return _lock_state


def acquire_database(url: str) -> peewee.Database:
    """Point :data:`db_proxy` at ``url`` (first caller) or share it (later callers).

    One process uses one database: asking for a different URL while the proxy is bound
    raises ``RuntimeError``. Each caller must call :func:`release_database` once.
    """
    global _bound_url, _users, _lock_state
    with _bind_lock:
        if _users:
            if url != _bound_url:
                raise RuntimeError("db_proxy is already bound to another database")
        else:
            db_proxy.initialize(open_database(url))
            _bound_url = url
            _lock_state = LockState()
        _users += 1
        return db_proxy.obj


def release_database() -> None:
    """Close the calling thread's connection; unbind the proxy after the last user."""
    global _bound_url, _users
    with _bind_lock:
        if not _users:
            return
        database = db_proxy.obj
        try:
            if database is not None and not database.is_closed():
                database.close()
        finally:
            _users -= 1
            if not _users:
                db_proxy.initialize(None)
                _bound_url = None


def _import_optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        # Only the module itself being absent is expected; a broken import inside it
        # must surface.
        if err.name == name:
            return None
        raise


def _models_of(module: ModuleType) -> list[type[peewee.Model]]:
    declared = getattr(module, "MODELS", None)
    if declared is not None:
        return list(declared)
    found = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, peewee.Model)
        and obj is not BaseModel
        and obj.__module__ == module.__name__
        and obj._meta.database is db_proxy
    ]
    # A class other models derive from is an abstract base, not a table.
    return [m for m in found if not any(o is not m and issubclass(o, m) for o in found)]


def all_models() -> list[type[peewee.Model]]:
    """Every model of the modules that exist, accounts first."""
    models: list[type[peewee.Model]] = []
    for name in _MODEL_MODULES:
        models.extend(_models_of(importlib.import_module(name)))
    for name in _OPTIONAL_MODEL_MODULES:
        module = _import_optional(name)
        if module is not None:
            models.extend(m for m in _models_of(module) if m not in models)
    return models


def create_tables() -> None:
    """Create every missing table and index (``IF NOT EXISTS``) on the bound database.

    On PostgreSQL one process at a time (concurrent ``CREATE TABLE IF NOT EXISTS`` can
    fail there), and ``varchar`` columns an older chgrid made too narrow are widened."""
    models = all_models()
    with session_lock(db_proxy, "schema"):
        db_proxy.create_tables(models, safe=True)
        widen_columns(db_proxy, models)
