"""ItemStore against a real SQLite file and a real PostgreSQL database (persistence.md
§3–4); every test runs on both."""
from __future__ import annotations

import logging

import peewee
import pytest

from chgrid.db.database import acquire_database, create_tables, release_database
from chgrid.db.item_models import ItemRow, PianoSongRow
from chgrid.items.model import ItemState
from chgrid.items.store import ItemStore, SongWrite
from tests.db_access import backend


@pytest.fixture
def database(database_url):
    db = acquire_database(database_url)
    create_tables()
    try:
        yield db
    finally:
        release_database()


def make(item_id: str, created_at: int = 1, **overrides) -> ItemState:
    fields = dict(id=item_id, type="dice", title="Dice", x=3, y=4, created_by="1",
                  created_by_name="ann", updated_by="2", updated_by_name="bob",
                  created_at=created_at, updated_at=created_at + 5, version=2,
                  params={"sides": 20, "number": 1})
    fields.update(overrides)
    return ItemState(**fields)


def test_round_trip_and_update(database):
    store = ItemStore(database)
    first = make("a", params={"spaces": "ä, b"}, type="wheel", title="Rad ✓")
    store.apply(upserts=[first])
    store.apply(upserts=[make("b", created_at=0, carrier_id="client-1")])
    loaded = store.load_all()
    assert [item.id for item in loaded] == ["b", "a"]  # oldest first
    assert loaded[1] == first
    assert loaded[0].carrier_id is None  # never restored
    first.title, first.version = "renamed", 3
    store.apply(upserts=[first])
    assert store.load_all()[1].title == "renamed"
    assert ItemRow.select().count() == 2


def test_delete_removes_song(database):
    store = ItemStore(database)
    store.apply(upserts=[make("p", type="piano", params={"songId": "item:p:recording"})],
                songs=[SongWrite("item:p:recording", "p", {"events": []})])
    store.apply(songs=[SongWrite("item:other:recording", "other", {"events": [[1, 0, 60, 1, 0]]})])
    assert set(store.load_songs()) == {"item:p:recording", "item:other:recording"}
    store.apply(deletes=["p"])
    assert store.load_all() == []
    assert list(store.load_songs()) == ["item:other:recording"]


def test_apply_is_one_transaction(database):
    store = ItemStore(database)
    store.apply(upserts=[make("keep")])
    broken = make("bad")
    broken.title = None  # NOT NULL violation half-way through the batch
    with pytest.raises(peewee.IntegrityError):
        store.apply(upserts=[make("new"), broken], deletes=["keep"])
    assert [item.id for item in store.load_all()] == ["keep"]


def test_apply_nothing_is_a_no_op(database):
    ItemStore(database).apply()


def _raw_insert(database, **values):
    row = {"id": "x", "type": "dice", "title": "T", "x": 1, "y": 1, "created_by": "1",
           "created_by_name": "ann", "updated_by": "1", "updated_by_name": "ann",
           "created_at": 1, "updated_at": 1, "version": 1, "params": "{}"}
    row.update(values)
    columns = ", ".join(row)
    marks = ", ".join(database.param for _ in row)
    database.execute_sql(f"INSERT INTO items ({columns}) VALUES ({marks})", list(row.values()))


def test_bad_rows_are_skipped_individually(database, database_url, caplog):
    store = ItemStore(database)
    store.apply(upserts=[make("good")])
    bad = {"bad-json": {"params": "{not json"}, "bad-shape": {"params": "[1, 2]"},
           "bad-type": {"type": "card_deck"}}
    if backend(database_url) == "sqlite":  # PostgreSQL refuses text in integer columns
        bad.update({"bad-x": {"x": "abc"}, "bad-version": {"version": "v2"}})
    for item_id, values in bad.items():
        _raw_insert(database, id=item_id, **values)
    with caplog.at_level(logging.WARNING, logger="chgrid.items.store"):
        loaded = store.load_all()
    assert [item.id for item in loaded] == ["good"]
    for item_id in bad:
        assert item_id in caplog.text


def test_missing_names_are_filled(database):
    _raw_insert(database, id="legacy", created_by="7", created_by_name=None,
                updated_by_name=None, params="")
    (item,) = ItemStore(database).load_all()
    assert (item.created_by_name, item.updated_by, item.updated_by_name) == ("7", "1", "1")
    assert item.params == {}


def test_bad_songs_are_skipped(database):
    store = ItemStore(database)
    store.apply(songs=[SongWrite("good", "p", {"events": []})])
    PianoSongRow.insert(song_id="  ", item_id="p", data="{}").execute()
    PianoSongRow.insert(song_id="list", item_id="p", data="[]").execute()
    PianoSongRow.insert(song_id="junk", item_id="p", data="{").execute()
    assert store.load_songs() == {"good": {"events": []}}


def test_each_grid_loads_only_its_own_items(database):
    main, lobby = ItemStore(database, grid="main"), ItemStore(database, grid="lobby")
    main.apply(upserts=[make("in-main")])
    lobby.apply(upserts=[make("in-lobby")])
    assert [i.id for i in main.load_all()] == ["in-main"]
    assert [i.id for i in lobby.load_all()] == ["in-lobby"]


def test_items_of_one_moment_load_in_id_byte_order(database):
    store = ItemStore(database)
    ids = ["b-1", "a_2", "B1", "a-3", "a2"]
    store.apply(upserts=[make(item_id, created_at=7) for item_id in ids])
    assert [item.id for item in store.load_all()] == sorted(ids, key=str.encode)
