"""PostgreSQL specifics of chgrid.db (chgrid/db/postgres.py) against a real server:
connections the server closed are replaced, lock waits are bounded, several processes
may create the schema at once, and tables an older chgrid made too narrow are widened."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import peewee
import pykka
import pytest

from chgrid.actors.account import AccountActor, AuthGrant
from chgrid.auth.passwords import hash_password
from chgrid.db.busy import is_lock_error
from chgrid.db.database import acquire_database, create_tables, lock_wait, release_database
from chgrid.db.postgres import ChgridPostgresDatabase
from chgrid.items.model import ItemState
from chgrid.items.store import ItemStore
from chgrid.settings import AuthSettings
from tests.db_access import pg_connect, run_sql, write_lock
from tests.fake_clock import FakeClock

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def database(pg_url):
    db = acquire_database(pg_url)
    create_tables()
    try:
        yield db
    finally:
        release_database()


@pytest.fixture(autouse=True)
def _stop_all_actors():
    yield
    pykka.ActorRegistry.stop_all()


def item(item_id: str) -> ItemState:
    return ItemState(id=item_id, type="dice", title="Dice", x=1, y=1, created_by="1", created_by_name="ann",
                     updated_by="1", updated_by_name="ann", created_at=1, updated_at=1, version=1,
                     params={"sides": 6, "number": 1})


def terminate_other_connections(url: str) -> int:
    """What a PostgreSQL restart or an idle-connection reaper does to chgrid's connections."""
    rows = run_sql(url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    return len(rows)


def test_a_url_opens_the_chgrid_database_class(database):
    assert isinstance(database, ChgridPostgresDatabase)
    assert database.execute_sql("SHOW lock_timeout").fetchone() == ("10s",)
    assert database.execute_sql("SHOW idle_in_transaction_session_timeout").fetchone() == ("30s",)


def test_a_connection_the_server_closed_is_replaced(database, pg_url):
    store = ItemStore(database)
    store.apply(upserts=[item("a")])
    assert terminate_other_connections(pg_url) == 1
    assert [i.id for i in store.load_all()] == ["a"]  # a read is retried on a new connection
    assert terminate_other_connections(pg_url) == 1
    store.apply(upserts=[item("b")])  # so is a transaction's BEGIN
    assert [i.id for i in store.load_all()] == ["a", "b"]
    store.close(timeout_s=5)


def test_a_write_outside_a_transaction_is_not_repeated_but_the_next_call_reconnects(database, pg_url):
    assert terminate_other_connections(pg_url) == 1
    with pytest.raises((peewee.OperationalError, peewee.InterfaceError)) as info:
        database.execute_sql("UPDATE items SET x = 1")  # may or may not have run: not retried
    assert is_lock_error(info.value)  # temporary: a write nobody waits for is tried again
    assert database.execute_sql("SELECT 1").fetchone() == (1,)


def test_the_account_actor_survives_a_restarted_connection(pg_url):
    acct = AccountActor.start(pg_url, "secret", FakeClock(), AuthSettings()).proxy()
    assert isinstance(acct.register("alice", hash_password("password1", 1000), None).get(timeout=10), AuthGrant)
    terminate_other_connections(pg_url)
    assert isinstance(acct.register("bob", hash_password("password1", 1000), None).get(timeout=10), AuthGrant)
    assert acct.find_login("alice").get(timeout=10).username == "alice"


def test_a_bounded_write_fails_as_locked_within_its_bound(database, pg_url):
    store = ItemStore(database, lock_wait_s=0.2)
    with write_lock(pg_url):
        with pytest.raises(peewee.OperationalError) as info:
            store.apply(upserts=[item("locked")])
        assert is_lock_error(info.value)
        # Outside the bound the connection's own (10 s) applies again.
        with lock_wait(database, 0.1), pytest.raises(peewee.OperationalError):
            with database.atomic():
                database.execute_sql("INSERT INTO room_fence (grid, epoch) VALUES ('g', 1)")
        assert database.execute_sql("SHOW lock_timeout").fetchone() == ("10s",)
    store.apply(upserts=[item("free")])
    assert [i.id for i in store.load_all()] == ["free"]
    store.close(timeout_s=5)


def test_errors_that_retrying_cannot_mend_are_not_lock_errors(database):
    with pytest.raises(peewee.IntegrityError) as info:
        database.execute_sql("INSERT INTO permissions (key, description) VALUES (NULL, 'x')")
    assert not is_lock_error(info.value)


def test_several_processes_may_create_a_new_database_at_once(pg_url):
    script = (
        "from chgrid.actors.account import AccountActor\n"
        "from chgrid.settings import AuthSettings\n"
        "from chgrid.timing import SystemClock\n"
        "import sys\n"
        "ref = AccountActor.start(sys.argv[1], 's', SystemClock(), AuthSettings(), origin='cli')\n"
        "ref.proxy().ready().get(timeout=60)\n"
        "ref.stop()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", script, pg_url], env=env, cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(4)]
    outputs = [proc.communicate(timeout=120)[0] for proc in procs]
    assert [proc.returncode for proc in procs] == [0] * 4, outputs
    assert run_sql(pg_url, "SELECT count(*) FROM permissions") == [(19,)]
    assert run_sql(pg_url, "SELECT name FROM roles ORDER BY id") == [("admin",), ("editor",), ("user",), ("guest",)]


def test_columns_an_older_chgrid_made_too_narrow_are_widened(pg_url):
    # The tables as the first PostgreSQL attempt left them: origin varchar(32) refused
    # "server:<uuid>", so every registration failed.
    conn = pg_connect(pg_url)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE account_events (id SERIAL PRIMARY KEY, user_id INTEGER, "
                    "kind VARCHAR(32) NOT NULL, origin VARCHAR(32) NOT NULL, created_at_ms BIGINT NOT NULL)")
    conn.close()
    origin = "server:0b4e5c1e-8d3a-4f0e-9a57-2f1b1c7d9e10"
    acct = AccountActor.start(pg_url, "secret", FakeClock(), AuthSettings(), origin=origin).proxy()
    assert isinstance(acct.register("alice", hash_password("password1", 1000), None).get(timeout=10), AuthGrant)
    types = dict(run_sql(pg_url, "SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = 'account_events'"))
    assert types["origin"] == "text"
    assert types["kind"] == "character varying"  # wide enough: left alone
    assert run_sql(pg_url, "SELECT origin FROM account_events") == [(origin,)]


def test_items_of_one_moment_load_in_id_byte_order_under_a_linguistic_collation(pg_server):
    # Deployments usually create databases with a language's collation (en_US and the
    # like), which orders "a-3" before "B1"; SQLite compares bytes.
    name = f"icu_{os.getpid()}"
    conn = pg_server.connect()
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' "
                    "LOCALE 'C.UTF-8'")
    conn.close()
    database = acquire_database(pg_server.url(name))
    try:
        create_tables()
        store = ItemStore(database)
        ids = ["b-1", "a_2", "B1", "a-3", "a2"]
        store.apply(upserts=[ItemState(**{**vars(item(i)), "created_at": 7}) for i in ids])
        assert [i.id for i in store.load_all()] == sorted(ids, key=str.encode)
        store.close(timeout_s=5)
    finally:
        release_database()
        pg_server.drop_database(name)
