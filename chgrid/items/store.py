"""Item and piano-song persistence for the RoomActor (spec/persistence.md §3–4).

``ItemStore`` runs on the room actor's thread. The room batches the writes of one
actor step into one ``apply`` call, which is one transaction, so an acknowledged change
is committed before (or as) its acknowledgement is sent.

Loading is defensive where the reference was not: a bad row is logged and skipped on
its own instead of aborting the whole load (which, in the reference, led to the next
save overwriting everything with an empty world).
"""
from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import peewee

from chgrid.db.database import db_proxy, lock_wait
from chgrid.db.item_models import MODELS, ItemRow, PianoSongRow
from chgrid.items.model import ItemState
from chgrid.items.registry import ItemRegistry, default_registry

log = logging.getLogger(__name__)

_ITEM_COLUMNS = (
    ItemRow.id, ItemRow.type, ItemRow.title, ItemRow.x, ItemRow.y,
    ItemRow.created_by, ItemRow.created_by_name, ItemRow.updated_by, ItemRow.updated_by_name,
    ItemRow.created_at, ItemRow.updated_at, ItemRow.version, ItemRow.params,
)
_RECORD_KEYS = (
    "id", "type", "title", "x", "y", "createdBy", "createdByName", "updatedBy",
    "updatedByName", "createdAt", "updatedAt", "version", "params",
)


@dataclass(frozen=True)
class SongWrite:
    """A song to store in an ``apply`` batch."""

    song_id: str
    item_id: str
    data: dict[str, Any]


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class ItemStore:
    """Reads and writes items and songs through the Peewee models.

    ``database`` is the database :data:`chgrid.db.database.db_proxy` is bound to (or
    the proxy itself); ``registry`` says which item types exist (default: the built-in
    plug-ins); ``lock_wait_s`` bounds how long a write waits for a locked SQLite
    database before ``apply`` raises (None: the database's own busy timeout), so the
    room's thread is held up at most that long.
    """

    def __init__(self, database: peewee.Database | peewee.DatabaseProxy = db_proxy,
                 registry: ItemRegistry | None = None, grid: str = "main",
                 lock_wait_s: float | None = None) -> None:
        self._db = database
        self._registry = registry or default_registry()
        self.grid = grid
        self.lock_wait_s = lock_wait_s

    def ensure_schema(self) -> None:
        """Create the item tables if missing (``chgrid.db.database.create_tables`` also does)."""
        self._db.create_tables(list(MODELS), safe=True)

    # --- loading ----------------------------------------------------------------

    def load_all(self) -> list[ItemState]:
        """Every loadable item, oldest first; bad rows and unknown types are skipped.

        Rows are read raw (no Peewee conversion) so one malformed value cannot abort
        the iteration over the others.
        """
        query = (ItemRow.select(*_ITEM_COLUMNS).where(ItemRow.grid == self.grid)
                 .order_by(ItemRow.created_at, ItemRow.id))
        items: list[ItemState] = []
        for row in self._db.execute(query).fetchall():
            item = self._item_from_row(row)
            if item is not None:
                items.append(item)
        return items

    def _item_from_row(self, row: tuple) -> ItemState | None:
        record = dict(zip(_RECORD_KEYS, row))
        item_id = record.get("id")
        try:
            raw_params = record["params"]
            record["params"] = json.loads(raw_params) if raw_params not in (None, "") else {}
            item = ItemState.from_record(record)
        except (ValueError, TypeError) as error:
            log.warning("skipping stored item %r: %s", item_id, error)
            return None
        if item.type not in self._registry:
            log.warning("skipping stored item %r: unknown type %r", item.id, item.type)
            return None
        # Never restore a carrier: the connection it named is gone.
        item.carrier_id = None
        return item

    def load_songs(self) -> dict[str, dict[str, Any]]:
        """Song id → song; blank ids and data that is not a JSON object are skipped."""
        query = PianoSongRow.select(PianoSongRow.song_id, PianoSongRow.data)
        songs: dict[str, dict[str, Any]] = {}
        for song_id, data in self._db.execute(query).fetchall():
            if not isinstance(song_id, str) or not song_id.strip():
                log.warning("skipping piano song with a blank id")
                continue
            try:
                song = json.loads(data)
            except (ValueError, TypeError):
                song = None
            if not isinstance(song, dict):
                log.warning("skipping piano song %r: not a JSON object", song_id)
                continue
            songs[song_id] = song
        return songs

    # --- writing ----------------------------------------------------------------

    def upsert(self, item: ItemState) -> None:
        self.apply(upserts=[item])

    def delete(self, item_id: str) -> None:
        """Delete an item and any song recorded on it."""
        self.apply(deletes=[item_id])

    def save_song(self, song_id: str, item_id: str, data: dict[str, Any]) -> None:
        self.apply(songs=[SongWrite(song_id, item_id, data)])

    def apply(self, upserts: Iterable[ItemState] = (), deletes: Iterable[str] = (),
              songs: Iterable[SongWrite] = ()) -> None:
        """One transaction: item upserts, then songs, then deletions (with their songs).

        Deletions run last so a batch that both touched and deleted an item ends with
        the item gone.
        """
        upserts, deletes, songs = list(upserts), list(deletes), list(songs)
        if not (upserts or deletes or songs):
            return
        with lock_wait(self._db, self.lock_wait_s), self._db.atomic():
            for item in upserts:
                self._write_item(item)
            for song in songs:
                self._write_song(song)
            if deletes:
                PianoSongRow.delete().where(PianoSongRow.item_id.in_(deletes)).execute()
                ItemRow.delete().where(ItemRow.id.in_(deletes)).execute()

    def _write_item(self, item: ItemState) -> None:
        values = {
            ItemRow.id: item.id,
            ItemRow.grid: self.grid,
            ItemRow.type: item.type,
            ItemRow.title: item.title,
            ItemRow.x: item.x,
            ItemRow.y: item.y,
            ItemRow.created_by: item.created_by,
            ItemRow.created_by_name: item.created_by_name,
            ItemRow.updated_by: item.updated_by,
            ItemRow.updated_by_name: item.updated_by_name,
            ItemRow.created_at: item.created_at,
            ItemRow.updated_at: item.updated_at,
            ItemRow.version: item.version,
            ItemRow.params: _dumps(item.params),
        }
        preserve = [column for column in values if column is not ItemRow.id]
        ItemRow.insert(values).on_conflict(conflict_target=[ItemRow.id],
                                           preserve=preserve).execute()

    def _write_song(self, song: SongWrite) -> None:
        PianoSongRow.insert(
            {PianoSongRow.song_id: song.song_id, PianoSongRow.item_id: song.item_id,
             PianoSongRow.data: _dumps(song.data)}
        ).on_conflict(conflict_target=[PianoSongRow.song_id],
                      preserve=[PianoSongRow.item_id, PianoSongRow.data]).execute()
