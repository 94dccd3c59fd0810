"""Fencing a room's writes with its owner's lease epoch.

In a cluster a grid's RoomActor runs on the node holding the grid's Redis lease, and
each new lease has a higher epoch. A node that lost its lease without noticing (a long
pause, a partition) must not write any more: its item writes would undo the new
owner's. So the database keeps, per grid, the epoch of the current owner
(``room_fence``), and:

- :func:`claim_room` is what a new owner does before it loads the room: raise the
  grid's epoch to its own, in one statement (insert, or update only if lower);
- an :class:`~chgrid.items.store.ItemStore` with a ``fence_epoch`` runs
  :func:`check_fence` first in every write transaction: the grid's row must still hold
  that epoch, or the transaction raises :class:`StaleOwnerError` and rolls back.

On PostgreSQL the check reads the row ``FOR SHARE``: a claim waits until the write
transactions already past their check have committed, and a write that checks after
the claim sees the new epoch. On SQLite every write transaction holds the database's
one write lock (``BEGIN IMMEDIATE``), which serialises them just the same.
"""
from __future__ import annotations

import peewee

from chgrid.db.postgres import is_postgres


class StaleOwnerError(Exception):
    """A write of a room whose ownership moved on: the grid's fence holds another epoch."""

    def __init__(self, grid: str, epoch: int, stored: int | None) -> None:
        super().__init__(f"grid {grid!r} is fenced at epoch {stored}, not {epoch}: "
                         "this node no longer owns it")
        self.grid = grid
        self.epoch = epoch
        self.stored = stored


def _real(database):
    return database.obj if isinstance(database, peewee.DatabaseProxy) else database


def claim_room(database, grid: str, epoch: int) -> bool:
    """Set ``grid``'s fence to ``epoch`` if it holds a lower one (or none): True.
    False if it already holds ``epoch`` or a higher one. On the calling thread's
    connection, one transaction."""
    db = _real(database)
    mark = db.param
    with db.atomic():
        cursor = db.execute_sql(
            f"INSERT INTO room_fence (grid, epoch) VALUES ({mark}, {mark}) "
            "ON CONFLICT (grid) DO UPDATE SET epoch = excluded.epoch "
            "WHERE room_fence.epoch < excluded.epoch",
            (grid, int(epoch)))
        return cursor.rowcount == 1


def fence_epoch_of(database, grid: str) -> int | None:
    """The epoch ``grid`` is fenced at (None: never claimed)."""
    db = _real(database)
    row = db.execute_sql(f"SELECT epoch FROM room_fence WHERE grid = {db.param}", (grid,)).fetchone()
    return None if row is None else int(row[0])


def check_fence(database, grid: str, epoch: int) -> None:
    """Inside a write transaction: raise :class:`StaleOwnerError` unless ``grid`` is
    fenced at exactly ``epoch``. On PostgreSQL the row stays share-locked until the
    transaction ends, so no claim can commit in between."""
    db = _real(database)
    lock = " FOR SHARE" if is_postgres(db) else ""
    row = db.execute_sql(f"SELECT epoch FROM room_fence WHERE grid = {db.param}{lock}", (grid,)).fetchone()
    stored = None if row is None else int(row[0])
    if stored != int(epoch):
        raise StaleOwnerError(grid, int(epoch), stored)
