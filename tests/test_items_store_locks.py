"""ItemStore against a real SQLite file that another connection has locked.

``apply`` (acknowledged writes, on the room's thread) fails within its bound;
``apply_later`` (writes nobody waits for) commits in the background once the lock
is gone, in order, and never after a newer write of the same item.
"""
from __future__ import annotations

import logging
import sqlite3
import time

import peewee
import pytest

from chgrid.db.busy import PROBE_WAIT_S
from chgrid.db.database import acquire_database, create_tables, db_proxy, release_database
from chgrid.db.ordered_writer import OrderedWriter
from chgrid.items.model import ItemState
from chgrid.items.store import ItemStore, SongWrite
from tests.sqlite_lock import exclusive_lock

NEVER_S = 3600.0  # a retry delay no test waits out: only a commit now wakes the writer


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "items.db"
    acquire_database(f"sqlite:///{path}")
    create_tables()
    try:
        yield path
    finally:
        release_database()


def locked(path, release_after_s: float | None = None):
    return exclusive_lock(path, release_after_s)


def rows(path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT id, title FROM items").fetchall())
    finally:
        conn.close()


def songs(path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in conn.execute("SELECT song_id FROM piano_songs"))
    finally:
        conn.close()


def make(item_id: str, title: str = "Dice") -> ItemState:
    return ItemState(id=item_id, type="dice", title=title, x=1, y=2, created_by="1",
                     created_by_name="ann", updated_by="1", updated_by_name="ann",
                     created_at=1, updated_at=1, params={"sides": 6})


def wait_until(condition, timeout_s: float = 10.0) -> None:
    """Wait for a condition another thread brings about (the bound only ends a failure)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def test_an_acknowledged_write_under_a_lock_fails_within_its_bound(path):
    store = ItemStore(lock_wait_s=0.2)
    # Released after 3 s: an unbounded wait would sit it out and commit.
    with locked(path, release_after_s=3.0):
        with pytest.raises(peewee.OperationalError):
            store.apply(upserts=[make("a")])
    assert rows(path) == {}
    store.apply(upserts=[make("a")])  # the lock is gone: the same write commits
    assert rows(path) == {"a": "Dice"}


def test_once_a_lock_is_seen_acknowledged_writes_only_probe(path):
    writer = OrderedWriter(db_proxy, delay=lambda attempts: NEVER_S)
    store = ItemStore(lock_wait_s=30.0, writer=writer)
    with locked(path):
        store.apply_later(upserts=[make("a")])
        wait_until(lambda: writer.lock_state.locked)
        # A long bound shrinks to a probe while the database is known to be locked.
        assert writer.lock_state.wait_for(30.0) == PROBE_WAIT_S
        with pytest.raises(peewee.OperationalError):
            store.apply(upserts=[make("b")])
    store.apply(upserts=[make("b")])
    assert writer.lock_state.wait_for(30.0) == 30.0
    assert store.drain(10)
    assert rows(path) == {"a": "Dice", "b": "Dice"}


def test_apply_later_commits_in_order_after_the_lock_is_released(path):
    store = ItemStore(lock_wait_s=0.2)
    item = make("a", "first")
    with locked(path):
        store.apply_later(upserts=[item])
        item.title = "second"  # the room goes on changing its object: the batch is a copy
        store.apply_later(upserts=[item, make("b")],
                          songs=[SongWrite("item:b:recording", "b", {"events": []})])
        store.apply_later(deletes=["b"])
        assert not store.drain(0.3)  # held back by the lock
        assert rows(path) == {}
    assert store.drain(30)
    assert rows(path) == {"a": "second"}
    assert songs(path) == []


def test_a_newer_write_now_is_never_overtaken_by_an_older_queued_one(path):
    writer = OrderedWriter(db_proxy, delay=lambda attempts: NEVER_S)
    store = ItemStore(lock_wait_s=5.0, writer=writer)
    with locked(path):
        store.apply_later(upserts=[make("a", "old"), make("c", "other")],
                          songs=[SongWrite("item:a:recording", "a", {"v": 1})])
        wait_until(lambda: writer.lock_state.locked)  # its first attempt failed
    store.apply(upserts=[make("a", "new")])  # commits first; the queued "old" must not follow
    assert store.drain(30)
    assert rows(path) == {"a": "new", "c": "other"}  # the rest of the older batch still landed
    assert songs(path) == ["item:a:recording"]
    store.apply_later(songs=[SongWrite("item:a:recording", "a", {"v": 2})])
    store.apply(deletes=["a"])
    assert store.drain(30)
    assert "a" not in rows(path) and songs(path) == []


def test_a_later_write_the_database_refuses_is_logged_and_skipped(path, caplog):
    store = ItemStore()
    broken = make("bad")
    broken.title = None  # NOT NULL: retrying cannot help
    with caplog.at_level(logging.ERROR, logger="chgrid.db.ordered_writer"):
        store.apply_later(upserts=[broken])
        store.apply_later(upserts=[make("good")])
        assert store.drain(30)
    assert rows(path) == {"good": "Dice"}
    assert "will not be retried" in caplog.text and "bad" in caplog.text


def test_close_drops_and_logs_what_the_lock_kept_out(path, caplog):
    writer = OrderedWriter(db_proxy, delay=lambda attempts: NEVER_S)
    store = ItemStore(writer=writer)
    with caplog.at_level(logging.ERROR, logger="chgrid.db.ordered_writer"):
        with locked(path):
            store.apply_later(upserts=[make("late")])
            wait_until(lambda: writer.lock_state.locked)
            assert store.close(0.1) is False
        store.apply_later(upserts=[make("after")])  # closed: refused, logged
    assert store.drain(0)  # nothing left queued
    assert rows(path) == {}
    assert "late" in caplog.text and "after" in caplog.text
