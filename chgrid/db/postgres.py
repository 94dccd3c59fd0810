"""PostgreSQL specifics: the database class chgrid opens for ``postgresql://`` URLs.

SQLite serialises writers with one database lock and a busy timeout; PostgreSQL locks
rows and waits for them up to ``lock_timeout``. :class:`ChgridPostgresDatabase` maps
chgrid's bounded waits onto that:

- every connection starts with ``lock_timeout`` = :data:`DEFAULT_LOCK_TIMEOUT_S` (the
  SQLite busy timeout's counterpart), so no statement waits for a lock forever, and
  ends a transaction left idle for :data:`IDLE_IN_TRANSACTION_TIMEOUT_S`;
- :meth:`ChgridPostgresDatabase.bounded` (used by ``chgrid.db.database.lock_wait``)
  makes the calling thread's transactions wait at most its bound for a lock, and each
  statement run at most the bound plus :data:`STATEMENT_MARGIN_S`: ``BEGIN`` is sent
  together with ``SET LOCAL lock_timeout``/``statement_timeout``, in one round trip,
  and the settings end with the transaction.

Connections are per thread (Peewee's default). One the server closed (a restart, an
idle-connection reaper, ``pg_terminate_backend``) is noticed locally before the next
transaction or statement and replaced; a ``BEGIN`` or a ``SELECT`` outside a
transaction that fails because the connection just died is retried once on a new
one. A write that fails that way is not retried here (it may have been applied): it
raises, like a lock failure, and the caller's own retry rules apply.

:func:`serialised` takes a transaction-scoped advisory lock, for the few check-then-act
transactions that rely on SQLite's single writer (the last active admin, seeding).
:func:`widen_columns` widens ``varchar`` columns created narrower than the models say
(tables made by an older chgrid, which failed on PostgreSQL where SQLite, ignoring
``varchar`` lengths, did not).
"""
from __future__ import annotations

import hashlib
import logging
import threading

import peewee

log = logging.getLogger(__name__)

DEFAULT_LOCK_TIMEOUT_S = 10.0
# chgrid never leaves a transaction open between statements for more than moments; one
# idle that long belongs to a stopped or hung process (a paused room owner) whose row
# locks would otherwise block the node that took its room over (chgrid.db.fence).
IDLE_IN_TRANSACTION_TIMEOUT_S = 30.0
# A bounded statement may run this much longer than its lock bound: a statement that
# is slow for another reason than a lock is cut off, not left to hold a room's thread.
STATEMENT_MARGIN_S = 1.0
CONNECT_TIMEOUT_S = 10

# SQLSTATEs that mean "busy, try again later", like SQLite's SQLITE_BUSY.
RETRYABLE_SQLSTATES = frozenset({
    "55P03",  # lock_not_available: lock_timeout ran out
    "57014",  # query_canceled: statement_timeout ran out
    "40001",  # serialization_failure
    "40P01",  # deadlock_detected
    "57P01", "57P02", "57P03",  # the server shut down or is starting: reconnect later
})
# Class 08 (connection exception) is temporary as well; so are the driver's own reports
# of a lost connection, which carry no SQLSTATE.
RETRYABLE_SQLSTATE_CLASSES = ("08",)
CONNECTION_LOST_WORDS = (
    "server closed the connection", "connection already closed", "terminating connection",
    "could not connect to server", "connection to server at", "the connection is closed",
)


def sqlstate(error: BaseException) -> str | None:
    """The SQLSTATE of a psycopg2 or psycopg 3 error, else None."""
    return getattr(error, "pgcode", None) or getattr(error, "sqlstate", None)


def is_retryable_sqlstate(state: str) -> bool:
    return state in RETRYABLE_SQLSTATES or state.startswith(RETRYABLE_SQLSTATE_CLASSES)


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


class ChgridPostgresDatabase(peewee.PostgresqlDatabase):
    """``PostgresqlDatabase`` with per-thread lock bounds and reconnection; see the
    module docstring."""

    def __init__(self, database, **kwargs):
        kwargs.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        kwargs.setdefault("application_name", "chgrid")
        options = kwargs.pop("options", "")
        kwargs["options"] = (f"-c lock_timeout={_ms(DEFAULT_LOCK_TIMEOUT_S)} "
                             f"-c idle_in_transaction_session_timeout={_ms(IDLE_IN_TRANSACTION_TIMEOUT_S)} "
                             f"{options}").strip()
        super().__init__(database, **kwargs)
        self._bounds = threading.local()

    # --- bounded waits ---------------------------------------------------------------
    def bounded(self, seconds: float) -> "_Bound":
        """Context manager: this thread's transactions started inside wait at most
        ``seconds`` for a lock (restored afterwards; nests)."""
        return _Bound(self, seconds)

    def set_default_bound(self, seconds: float | None) -> None:
        """This thread's bound outside :meth:`bounded` blocks (None: the connection's)."""
        self._bounds.default = seconds

    def _current_bound(self) -> float | None:
        stack = getattr(self._bounds, "stack", None)
        if stack:
            return stack[-1]
        return getattr(self._bounds, "default", None)

    # --- transactions and statements -------------------------------------------------
    def begin(self, isolation_level=None):
        bound = self._current_bound()
        statement = "BEGIN"
        if bound is not None:
            statement += (f"; SET LOCAL lock_timeout = {_ms(bound)}"
                          f"; SET LOCAL statement_timeout = {_ms(bound + STATEMENT_MARGIN_S)}")
        self._replace_dead_connection()
        try:
            with peewee.__exception_wrapper__:
                self.cursor().execute(statement)
        except (peewee.OperationalError, peewee.InterfaceError):
            if not self._connection_lost():
                raise
            log.warning("database connection lost; reconnecting")
            self._replace_dead_connection()
            with peewee.__exception_wrapper__:
                self.cursor().execute(statement)

    def execute_sql(self, sql, params=None):
        if self.in_transaction():
            return super().execute_sql(sql, params)
        self._replace_dead_connection()
        try:
            return super().execute_sql(sql, params)
        except (peewee.OperationalError, peewee.InterfaceError):
            # Only a read is safe to repeat: a write may have been applied.
            if not (self._connection_lost() and sql.lstrip()[:6].upper() == "SELECT"):
                raise
            log.warning("database connection lost; reconnecting")
            self._replace_dead_connection()
            return super().execute_sql(sql, params)

    def rollback(self):
        if self._connection_lost():
            return  # the server ended the transaction with the connection
        super().rollback()

    def _connection_lost(self) -> bool:
        conn = None if self.is_closed() else self._state.conn
        return conn is not None and bool(conn.closed)

    def _replace_dead_connection(self) -> None:
        """Outside a transaction, drop this thread's connection if it is no longer
        usable (the next statement opens a new one)."""
        if self.is_closed() or self.in_transaction():
            return
        if not self.is_connection_usable():
            try:
                self.close()
            except peewee.PeeweeException:
                self._state.reset()


class _Bound:
    def __init__(self, database: ChgridPostgresDatabase, seconds: float) -> None:
        self._db = database
        self._seconds = seconds

    def __enter__(self):
        local = self._db._bounds
        if not hasattr(local, "stack"):
            local.stack = []
        local.stack.append(self._seconds)
        return self

    def __exit__(self, *exc):
        self._db._bounds.stack.pop()
        return False


def is_postgres(database) -> bool:
    real = database.obj if isinstance(database, peewee.DatabaseProxy) else database
    return isinstance(real, peewee.PostgresqlDatabase)


def _lock_key(name: str) -> int:
    # A stable signed 64-bit key per name (advisory locks are keyed by bigint).
    return int.from_bytes(hashlib.sha256(f"chgrid:{name}".encode()).digest()[:8], "big", signed=True)


def serialised(database, name: str) -> None:
    """Inside a transaction: on PostgreSQL, wait for (and hold until the transaction
    ends) the advisory lock ``name``, so such transactions run one at a time across
    processes as every SQLite write transaction does. SQLite: nothing (its
    ``BEGIN IMMEDIATE`` already did that)."""
    if is_postgres(database):
        database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_lock_key(name),))


def session_lock(database, name: str) -> "_SessionLock":
    """Context manager: on PostgreSQL, the session advisory lock ``name`` (for work that
    is not one transaction, like creating tables); elsewhere nothing."""
    return _SessionLock(database, name)


class _SessionLock:
    def __init__(self, database, name: str) -> None:
        self._db = database
        self._key = _lock_key(name)

    def __enter__(self):
        if is_postgres(self._db):
            self._db.execute_sql("SELECT pg_advisory_lock(%s)", (self._key,))
        return self

    def __exit__(self, *exc):
        if is_postgres(self._db):
            self._db.execute_sql("SELECT pg_advisory_unlock(%s)", (self._key,))
        return False


def widen_columns(database, models) -> list[str]:
    """On PostgreSQL, widen each ``varchar(n)`` column the models now declare larger
    (``CharField`` with a larger ``max_length``) or unbounded (``TextField``): tables an
    older chgrid created. Returns "table.column" of each. Other databases ignore
    ``varchar`` lengths: nothing to do."""
    if not is_postgres(database):
        return []
    widened = []
    for model in models:
        table = model._meta.table_name
        cursor = database.execute_sql(
            "SELECT column_name, character_maximum_length FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = %s AND data_type = 'character varying'",
            (table,))
        stored = dict(cursor.fetchall())
        for field in model._meta.sorted_fields:
            have = stored.get(field.column_name)
            if not have:
                continue
            if isinstance(field, peewee.TextField):
                wanted_type = "text"
            elif isinstance(field, peewee.CharField) and field.max_length > have:
                wanted_type = f"varchar({int(field.max_length)})"
            else:
                continue
            database.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "{field.column_name}" TYPE {wanted_type}')
            widened.append(f"{table}.{field.column_name}")
    if widened:
        log.info("widened columns made by an older chgrid: %s", ", ".join(widened))
    return widened
