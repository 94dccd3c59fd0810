"""Reading and purging ``account_events``, the change notices other processes poll.

Every account or role mutation appends a row (``AccountRecords.event``) so that a
server notices what ``chgrid admin`` changed from another process: the server's
poller (``chgrid/server.py`` ``_poll_account_events``) asks every couple of seconds
for the rows it has not read yet, as an :class:`chgrid.db.event_cursor.EventCursor`
tracks them: above a watermark, minus the ids already read above it (on PostgreSQL
rows can commit out of id order). Without a purge the table grows forever, so the
AccountActor deletes rows older than :data:`EVENT_RETENTION_MS` every
:data:`EVENT_PURGE_INTERVAL_S`.

The purge must never make the poller miss a row:

- the newest row is always kept: SQLite gives a new row the highest rowid plus one,
  so deleting the newest would hand out again an id the poller has already passed;
- a row is only deleted once this process's poller has read past it (its "poll
  mark", the watermark it last asked after), even if the row looks old (a clock that
  jumped, a poller that stalled);
- ``account_deleted`` rows are never purged: they are what keeps a deleted account's
  id from being handed out again on SQLite (see ``AccountRecords.insert_account``);
- the retention (an hour) is far longer than the poll interval (2 s) or a restart, so
  a poller in another process on the same database has read a row long before it goes.
"""
from __future__ import annotations

from collections.abc import Iterable

import peewee

from chgrid.auth.records import EVENT_ACCOUNT_DELETED, EVENT_BATCH, AccountEvent
from chgrid.db.models import AccountEvent as EventRow

EVENT_RETENTION_MS = 60 * 60 * 1000
EVENT_PURGE_INTERVAL_S = 10 * 60


class EventLog:
    """The poll and purge side of ``account_events`` (AccountActor thread only)."""

    def __init__(self) -> None:
        # Highest id a poller in this process has read past; None until it first asks.
        self.poll_mark: int | None = None

    def after(self, after_id: int, exclude_origin: str,
              skip_ids: Iterable[int] = ()) -> tuple[list[int], list[AccountEvent]]:
        """The rows with id > ``after_id`` other than ``skip_ids``, oldest first (at most
        ``EVENT_BATCH``): (the ids of all of them, the events among them not from
        ``exclude_origin``). Every id up to ``after_id`` counts as read (may be purged)."""
        self.poll_mark = max(self.poll_mark or 0, int(after_id))
        query = EventRow.select().where(EventRow.id > after_id)
        skip = sorted({int(i) for i in skip_ids if int(i) > after_id})
        if skip:
            query = query.where(EventRow.id.not_in(skip))
        rows = list(query.order_by(EventRow.id).limit(EVENT_BATCH))
        events = [
            AccountEvent(row.id, row.user_id, row.kind, row.origin, row.created_at_ms)
            for row in rows
            if row.origin != exclude_origin
        ]
        return [row.id for row in rows], events

    @staticmethod
    def latest_id() -> int:
        return EventRow.select(peewee.fn.MAX(EventRow.id)).scalar() or 0

    def purge_before(self, db, cutoff_ms: int) -> int:
        """Delete events created before ``cutoff_ms`` that the poller has read past,
        always keeping the newest row (see the module docstring); returns how many."""
        with db.atomic():
            newest = EventRow.select(peewee.fn.MAX(EventRow.id)).scalar()
            if newest is None:
                return 0
            condition = (EventRow.created_at_ms < cutoff_ms) & (EventRow.id < newest)
            # Deletions stay: on SQLite they keep a deleted account's id from being
            # handed out again (``AccountRecords.insert_account``). They are rare.
            condition &= EventRow.kind != EVENT_ACCOUNT_DELETED
            if self.poll_mark is not None:
                condition &= EventRow.id <= self.poll_mark
            return EventRow.delete().where(condition).execute()
