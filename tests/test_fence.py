"""Fencing room writes with the owner's lease epoch (chgrid/db/fence.py), on SQLite and
PostgreSQL: once another node claimed the grid, the old owner's writes are refused
and nothing of them is stored."""
from __future__ import annotations

import logging
import threading

import peewee
import pytest

from chgrid.db.busy import is_lock_error
from chgrid.db.database import acquire_database, create_tables, lock_wait, release_database
from chgrid.db.fence import StaleOwnerError, check_fence, claim_room, fence_epoch_of
from chgrid.items.model import ItemState
from chgrid.items.store import ItemStore, SongWrite


@pytest.fixture
def database(database_url):
    db = acquire_database(database_url)
    create_tables()
    try:
        yield db
    finally:
        release_database()


def item(item_id: str) -> ItemState:
    return ItemState(id=item_id, type="dice", title="Dice", x=1, y=1, created_by="1", created_by_name="ann",
                     updated_by="1", updated_by_name="ann", created_at=1, updated_at=1, version=1,
                     params={"sides": 6, "number": 1})


def stored_ids(database) -> list[str]:
    return [item_id for (item_id,) in database.execute_sql("SELECT id FROM items ORDER BY id").fetchall()]


def test_claims_only_ever_raise_the_epoch(database):
    assert fence_epoch_of(database, "main") is None
    assert claim_room(database, "main", 1) is True  # first claim: inserted
    assert claim_room(database, "main", 1) is False  # same epoch: not again
    assert claim_room(database, "main", 0) is False  # lower: refused
    assert claim_room(database, "main", 5) is True
    assert fence_epoch_of(database, "main") == 5
    assert claim_room(database, "lobby", 2) is True  # per grid
    assert (fence_epoch_of(database, "main"), fence_epoch_of(database, "lobby")) == (5, 2)


def test_a_stale_owner_cannot_write_and_the_new_one_can(database, caplog):
    assert claim_room(database, "main", 1)
    old = ItemStore(database, grid="main", fence_epoch=1)
    old.apply(upserts=[item("a")])
    assert claim_room(database, "main", 2)  # another node took the room

    with pytest.raises(StaleOwnerError) as info:
        old.apply(upserts=[item("b")], songs=[SongWrite("item:b:recording", "b", {"events": []})],
                  deletes=["a"])
    assert (info.value.grid, info.value.epoch, info.value.stored) == ("main", 1, 2)
    assert stored_ids(database) == ["a"]  # nothing of the refused batch
    assert old.load_songs() == {}

    with caplog.at_level(logging.WARNING, logger="chgrid.db.ordered_writer"):
        old.apply_later(upserts=[item("c")])  # a write nobody waits for: dropped, not retried
        assert old.drain(10)
    assert stored_ids(database) == ["a"]
    assert "write dropped: items c" in caplog.text

    new = ItemStore(database, grid="main", fence_epoch=2)
    new.apply(upserts=[item("b")], deletes=["a"])
    assert stored_ids(database) == ["b"]
    old.close(timeout_s=5)
    new.close(timeout_s=5)


def test_the_epoch_can_be_set_after_construction_and_unclaimed_grids_are_fenced(database):
    store = ItemStore(database, grid="main")
    store.apply(upserts=[item("free")])  # no epoch: no check (a single process)
    store.fence_epoch = 3
    with pytest.raises(StaleOwnerError):
        store.apply(upserts=[item("x")])  # never claimed: no owner holds epoch 3
    assert claim_room(database, "main", 3)
    store.apply(upserts=[item("x")])
    assert stored_ids(database) == ["free", "x"]
    store.close(timeout_s=5)


def test_a_claim_waits_for_a_write_that_already_passed_its_check(database):
    assert claim_room(database, "main", 1)
    checked, finish, done = threading.Event(), threading.Event(), threading.Event()

    store = ItemStore(database, grid="main", fence_epoch=1)

    def old_owner_write() -> None:
        try:
            with database.atomic():
                check_fence(database, "main", 1)
                checked.set()
                finish.wait(30)
                store.apply(upserts=[item("late")])  # within the same transaction
        finally:
            database.close()
            done.set()

    writer = threading.Thread(target=old_owner_write)
    writer.start()
    try:
        assert checked.wait(30)
        with pytest.raises(peewee.OperationalError) as info:
            with lock_wait(database, 0.2):
                claim_room(database, "main", 2)  # blocked by the write in flight
        assert is_lock_error(info.value)
        assert fence_epoch_of(database, "main") == 1
    finally:
        finish.set()
        writer.join(30)
    assert done.is_set()
    assert claim_room(database, "main", 2)  # once it committed
    assert stored_ids(database) == ["late"]
    store.close(timeout_s=5)
