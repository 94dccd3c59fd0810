"""Item and piano-song persistence for the RoomActor (spec/persistence.md §3–4).

``ItemStore`` runs on the room actor's thread. The room batches the writes of one
actor step into one ``apply`` call, which is one transaction, so an acknowledged change
is committed before (or as) its acknowledgement is sent. ``apply`` waits for a locked
database at most ``lock_wait_s`` in all and raises otherwise, so a lock held elsewhere
(an operator's ``sqlite3`` shell, a backup) stalls the room that long at most.

A write nobody acknowledges (the drop of a carried item when its carrier disconnects)
goes through ``apply_later`` instead: it returns at once and a background writer
(:mod:`chgrid.db.ordered_writer`) commits it, retrying while the database is locked.
Both kinds go through one ordered stream, so a queued older write never lands after
a newer one for the same item or song.

In a cluster the store carries its owner's lease epoch (``fence_epoch``): every write
transaction then first checks the grid's fence (:mod:`chgrid.db.fence`) and raises
:class:`~chgrid.db.fence.StaleOwnerError`, writing nothing, once another node has
claimed the grid. Without one (a single process) nothing is checked.

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

from chgrid.db.database import db_proxy
from chgrid.db.fence import StaleOwnerError, check_fence
from chgrid.db.item_models import ItemRow, PianoSongRow
from chgrid.db.ordered_writer import OrderedWriter
from chgrid.db.postgres import is_postgres
from chgrid.items.model import ItemState
from chgrid.items.registry import ItemRegistry, default_registry

log = logging.getLogger(__name__)

__all__ = ["ItemStore", "SongWrite", "StaleOwnerError"]

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
    plug-ins); ``lock_wait_s`` bounds how long ``apply`` waits for a locked SQLite
    database before it raises (None: the database's own busy timeout), so the room's
    thread is held up at most that long. ``writer`` (default: a new
    :class:`~chgrid.db.ordered_writer.OrderedWriter` on ``database``) orders the writes.
    ``fence_epoch`` (settable later; None: no check) is the lease epoch the grid must
    still be fenced at for a write to go in. Call :meth:`close` at shutdown so queued
    ``apply_later`` writes get their chance to commit.
    """

    def __init__(self, database: peewee.Database | peewee.DatabaseProxy = db_proxy,
                 registry: ItemRegistry | None = None, grid: str = "main",
                 lock_wait_s: float | None = None, writer: OrderedWriter | None = None,
                 fence_epoch: int | None = None) -> None:
        self._db = database
        self._registry = registry or default_registry()
        self.grid = grid
        self.lock_wait_s = lock_wait_s
        self.fence_epoch = fence_epoch
        self._writer = writer or OrderedWriter(database, name=f"items[{grid}]")

    # --- loading ----------------------------------------------------------------

    def load_all(self) -> list[ItemState]:
        """Every loadable item, oldest first; bad rows and unknown types are skipped.

        Rows are read raw (no Peewee conversion) so one malformed value cannot abort
        the iteration over the others.
        """
        # Ties broken by id in byte order on both databases: PostgreSQL would otherwise
        # use the database's locale collation, which orders ids differently from SQLite.
        by_id = ItemRow.id.collate('"C"') if is_postgres(self._db) else ItemRow.id
        query = (ItemRow.select(*_ITEM_COLUMNS).where(ItemRow.grid == self.grid)
                 .order_by(ItemRow.created_at, by_id))
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

    def apply(self, upserts: Iterable[ItemState] = (), deletes: Iterable[str] = (),
              songs: Iterable[SongWrite] = ()) -> None:
        """One transaction now: item upserts, then songs, then deletions (with their songs).

        Deletions run last so a batch that both touched and deleted an item ends with
        the item gone. Raises if the database refused it or stayed locked for
        ``lock_wait_s`` (:class:`~chgrid.db.fence.StaleOwnerError` if the grid is fenced
        at another epoch than ``fence_epoch``); then nothing of the batch was written.
        """
        batch = self._batch(upserts, deletes, songs)
        if batch is not None:
            self._writer.write_now(batch, self.lock_wait_s)

    def apply_later(self, upserts: Iterable[ItemState] = (), deletes: Iterable[str] = (),
                    songs: Iterable[SongWrite] = ()) -> None:
        """Like :meth:`apply`, for a write nobody waits for: returns at once; the batch
        is committed in the background, after every earlier ``apply_later`` batch,
        retried while the database is locked. The items are copied now, so the caller
        may go on changing them."""
        batch = self._batch(upserts, deletes, songs)
        if batch is not None:
            self._writer.write_later(batch)

    def drain(self, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` for queued ``apply_later`` batches; True once none is left."""
        return self._writer.drain(timeout_s)

    def close(self, timeout_s: float = 5.0) -> bool:
        """Give queued batches up to ``timeout_s`` to commit, then drop (and log) the rest.
        Call it before the database is closed. True if nothing was dropped."""
        return self._writer.close(timeout_s)

    def _batch(self, upserts, deletes, songs) -> _Batch | None:
        # Rows are built now: the room keeps mutating its ItemState objects.
        rows = tuple((item.id, self._item_values(item)) for item in upserts)
        song_rows = tuple((song.song_id, song.item_id, _dumps(song.data)) for song in songs)
        deletes = tuple(deletes)
        if not (rows or deletes or song_rows):
            return None
        return _Batch(self._db, rows, deletes, song_rows, self.grid, self.fence_epoch)

    def _item_values(self, item: ItemState) -> dict:
        return {
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


_ITEM_PRESERVE = [column for column in _ITEM_COLUMNS if column is not ItemRow.id] + [ItemRow.grid]


@dataclass(frozen=True)
class _Batch:
    """One ``apply`` batch as rows (a :class:`chgrid.db.ordered_writer.WriteJob`)."""

    db: Any
    items: tuple[tuple[str, dict], ...]  # (item id, column values)
    deletes: tuple[str, ...]
    songs: tuple[tuple[str, str, str], ...]  # (song id, item id, JSON data)
    grid: str = "main"
    fence_epoch: int | None = None  # the epoch the grid must be fenced at (None: no check)

    def run(self) -> None:
        with self.db.atomic():
            if self.fence_epoch is not None:
                check_fence(self.db, self.grid, self.fence_epoch)
            for _, values in self.items:
                ItemRow.insert(values).on_conflict(conflict_target=[ItemRow.id],
                                                   preserve=_ITEM_PRESERVE).execute()
            for song_id, item_id, data in self.songs:
                PianoSongRow.insert(
                    {PianoSongRow.song_id: song_id, PianoSongRow.item_id: item_id, PianoSongRow.data: data}
                ).on_conflict(conflict_target=[PianoSongRow.song_id],
                              preserve=[PianoSongRow.item_id, PianoSongRow.data]).execute()
            if self.deletes:
                PianoSongRow.delete().where(PianoSongRow.item_id.in_(self.deletes)).execute()
                ItemRow.delete().where(ItemRow.id.in_(self.deletes)).execute()

    def without(self, newer: _Batch) -> _Batch | None:
        """This older batch minus what ``newer`` rewrote: its items (written or deleted),
        its songs, and the songs of the items it deleted."""
        items_done = {item_id for item_id, _ in newer.items} | set(newer.deletes)
        songs_done = {song_id for song_id, _, _ in newer.songs}
        deleted = set(newer.deletes)
        left = _Batch(
            self.db,
            tuple(row for row in self.items if row[0] not in items_done),
            tuple(item_id for item_id in self.deletes if item_id not in items_done),
            tuple(song for song in self.songs if song[0] not in songs_done and song[1] not in deleted),
            self.grid,
            self.fence_epoch,
        )
        return left if (left.items or left.deletes or left.songs) else None

    def describe(self) -> str:
        parts = []
        if self.items:
            parts.append("items " + ", ".join(item_id for item_id, _ in self.items))
        if self.songs:
            parts.append("songs " + ", ".join(song_id for song_id, _, _ in self.songs))
        if self.deletes:
            parts.append("deletes " + ", ".join(self.deletes))
        return "; ".join(parts)
