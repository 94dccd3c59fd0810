"""Peewee models of the item store (spec/persistence.md §3–4, kept in the database).

The reference keeps items and piano songs in two JSON files rewritten in place; here
they are rows written in the same transaction as the change they record, so an
acknowledged item change survives a crash. ``params`` and song data are JSON text.
``carrierId`` is deliberately not stored: a carrier is a live connection, and a restored
carrier id would leave a permanently "carried" ghost item (items.md §7). Titles and
names are ``TEXT``: their limits live in the item rules, and PostgreSQL, unlike SQLite,
would enforce a ``varchar`` length.
"""
from __future__ import annotations

import peewee

from chgrid.db.database import BaseModel


class ItemRow(BaseModel):
    """One item instance; column names follow ``ItemState`` fields."""

    id = peewee.CharField(max_length=64, primary_key=True)
    # The grid (room) the item lives in; one process may serve several grids.
    grid = peewee.CharField(max_length=64, default="main", index=True,
                           constraints=[peewee.SQL("DEFAULT 'main'")])
    type = peewee.CharField(max_length=64)
    title = peewee.TextField()
    x = peewee.IntegerField()
    y = peewee.IntegerField()
    created_by = peewee.CharField(max_length=64)
    created_by_name = peewee.TextField(null=True)
    updated_by = peewee.CharField(max_length=64)
    updated_by_name = peewee.TextField(null=True)
    created_at = peewee.BigIntegerField()
    updated_at = peewee.BigIntegerField()
    version = peewee.IntegerField(default=1)
    params = peewee.TextField(default="{}")

    class Meta:
        table_name = "items"


class PianoSongRow(BaseModel):
    """A finished piano recording, ``song_id`` = ``item:<itemId>:recording``."""

    song_id = peewee.CharField(max_length=255, primary_key=True)
    item_id = peewee.CharField(max_length=64, index=True)
    data = peewee.TextField()

    class Meta:
        table_name = "piano_songs"


class RoomFence(BaseModel):
    """The lease epoch a grid's current owner holds (``chgrid.db.fence``): item writes
    made under another epoch are refused."""

    grid = peewee.CharField(max_length=64, primary_key=True)
    epoch = peewee.BigIntegerField()

    class Meta:
        table_name = "room_fence"


MODELS: tuple[type[BaseModel], ...] = (ItemRow, PianoSongRow, RoomFence)
