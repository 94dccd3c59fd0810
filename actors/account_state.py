"""Saving accounts' last nickname and position (world.md §11) without ever blocking the
AccountActor on a locked database for long, and without losing a save to a lock.

Two kinds of save reach the AccountActor:

- acknowledged (a nickname change, a teleport): the room waits for the answer, with a
  deadline. :meth:`StateSaver.save_acknowledged` waits for the lock at most until the
  deadline (briefly, while the database is known to be locked) and raises otherwise;
  a failed acknowledged save is never written later, since its sender was told
  "not saved".
- told (walking positions, the last position at leave): nobody waits. They are merged
  per account into a pending set (newest value per field wins) and written with a
  short lock wait; when the database is locked they stay pending and the actor
  retries them with back-off (``StateSaver.flush``) until they commit.

Order: an acknowledged save writes the account's older pending fields in the same
transaction, under its own, so a pending (older) position can never be written after
the newer acknowledged one and undo it.
"""
from __future__ import annotations

import logging

import peewee

from chgrid.db.busy import RETRY_LOCK_WAIT_S, LockState, is_lock_error
from chgrid.db.database import lock_state as database_lock_state
from chgrid.db.database import lock_wait
from chgrid.db.models import UserState

log = logging.getLogger(__name__)

Fields = dict[str, object]  # any of "nickname", "x", "y"


def state_fields(nickname: str | None, x: int | None, y: int | None) -> Fields:
    """The given (not None) fields of a save."""
    fields: Fields = {}
    if nickname is not None:
        fields["nickname"] = nickname
    if x is not None:
        fields["x"] = int(x)
    if y is not None:
        fields["y"] = int(y)
    return fields


def write_state(user_id: int, fields: Fields, now: int) -> None:
    """Update (or create) one account's state row; the caller holds a transaction."""
    changes = {}
    if "nickname" in fields:
        changes[UserState.last_nickname] = fields["nickname"]
    if "x" in fields:
        changes[UserState.last_x] = fields["x"]
    if "y" in fields:
        changes[UserState.last_y] = fields["y"]
    if not changes:
        return
    changes[UserState.updated_at_ms] = now
    if not UserState.update(changes).where(UserState.user == user_id).execute():
        UserState.insert({UserState.user: user_id, **changes}).execute()


class StateSaver:
    """Acknowledged and told state saves of one AccountActor (its thread only)."""

    def __init__(self, db: peewee.Database, clock, lock_state: LockState | None = None) -> None:
        self._db = db
        self._clock = clock
        # Shared with the item stores: whoever meets a lock first spares the others.
        self.lock_state = lock_state or database_lock_state()
        self._pending: dict[int, Fields] = {}

    def pending_users(self) -> list[int]:
        """Accounts with a told save not committed yet."""
        return list(self._pending)

    def _now(self) -> int:
        return int(self._clock.now_ms())

    def save_acknowledged(self, user_id: int, fields: Fields, wait_s: float) -> None:
        """Write now, waiting at most ``wait_s`` for the lock; raises if not written."""
        older = self._pending.pop(user_id, {})
        try:
            with lock_wait(self._db, self.lock_state.wait_for(wait_s)), self._db.atomic():
                write_state(user_id, {**older, **fields}, self._now())
        except Exception as err:
            self.lock_state.failed(err)
            if older:  # only the told part goes back: the acknowledged one was refused
                self._pending[user_id] = older
            raise
        self.lock_state.committed()

    def merge(self, user_id: int, fields: Fields) -> None:
        """Add a told save to the pending set without writing (newest value wins)."""
        if fields:
            self._pending.setdefault(user_id, {}).update(fields)

    def save_told(self, user_id: int, fields: Fields) -> bool:
        """Merge into the pending set and, unless the database is known to be locked,
        write everything pending now. True if committed now; never raises."""
        self.merge(user_id, fields)
        if self.lock_state.locked:
            return False  # the retry will probe; don't wait on every walker's step
        return self.flush()

    def flush(self, wait_s: float | None = RETRY_LOCK_WAIT_S) -> bool:
        """Write every pending save in one transaction, waiting at most ``wait_s`` for
        the lock (None: the database's busy timeout). True if nothing is left pending.
        Never raises: a lock leaves them pending, any other failure is retried per
        account once and the saves that still fail are logged and dropped."""
        if not self._pending:
            return True
        batch, self._pending = self._pending, {}
        try:
            with lock_wait(self._db, wait_s), self._db.atomic():
                now = self._now()
                for user_id, fields in batch.items():
                    write_state(user_id, fields, now)
        except Exception as err:
            self.lock_state.failed(err)
            if is_lock_error(err):
                self._pending = batch
                return False
            # One bad save (an account deleted meanwhile) must not sink the others.
            self._save_each(batch, wait_s)
            return not self._pending
        self.lock_state.committed()
        return True

    def _save_each(self, batch: dict[int, Fields], wait_s: float | None) -> None:
        for user_id, fields in batch.items():
            try:
                with lock_wait(self._db, wait_s), self._db.atomic():
                    write_state(user_id, fields, self._now())
            except Exception as err:
                if is_lock_error(err):
                    self._pending[user_id] = fields
                else:
                    log.warning("state save of user %s dropped: %s", user_id, err)

    def give_up(self) -> list[int]:
        """Drop every pending save (after too many attempts); returns whose they were."""
        users, self._pending = list(self._pending), {}
        return users
