"""The AccountActor: sole owner of accounts, login tokens, roles and permissions.

One ``pykka.ThreadingActor``; all database work on these tables happens on its thread,
one message at a time, each mutation in one transaction together with an
``account_events`` row. It never hashes passwords (callers use
``chgrid.auth.passwords.PasswordHasher`` before or after calling it) and it returns
plain frozen dataclasses, never model instances, so nothing outside can touch a row.

Start: ``AccountActor.start(database_url, secret, clock, auth_settings, origin="server")``.
The database is opened, created and seeded (permissions.md §2) in ``on_start``; if that
fails the error is kept and re-raised by every call (including :meth:`ready`), so the
caller sees the real cause instead of a dead actor.

The work is split by topic: row helpers and seeding in ``account_records.py``, admin
operations in ``account_admin.py``, nickname/position saves (bounded waits, retries of
told saves) in ``account_state.py``, the change-notice log and its purge in
``account_events.py``. A locked database never costs a save nobody waits for: such a
save that fails would only raise into a future nobody reads, so told saves never raise;
they stay pending and are retried on a timer (``timers``, injectable) until they
commit. The same timers purge old events.
"""
from __future__ import annotations

import functools
import logging
import time

import peewee
import pykka

from chgrid.actors import account_admin as admin
from chgrid.actors.account_events import EVENT_PURGE_INTERVAL_S, EVENT_RETENTION_MS, EventLog
from chgrid.actors.account_records import AccountRecords
from chgrid.actors.account_state import StateSaver, state_fields
from chgrid.actors.account_timers import ThreadTimers, Timers
from chgrid.auth import messages as M
from chgrid.auth.policy import AuthPolicy, normalise_email, normalise_username, username_error
from chgrid.auth.records import (  # re-exported: callers import them from here too
    AUTHORITY_EVENT_KINDS,
    EVENT_BATCH,
    EVENT_ACCOUNT_DELETED,
    EVENT_ROLE_CREATED,
    EVENT_ROLE_DELETED,
    EVENT_ROLE_PERMISSIONS,
    EVENT_USER_CREATED,
    EVENT_USER_ROLE,
    EVENT_USER_STATUS,
    AccountEvent,
    AdminResult,
    Authority,
    AuthGrant,
    LoginRecord,
    LoginRejected,
    STATUS_DELETED,
)
from chgrid.auth.tokens import TOKEN_LIFETIME_MS, token_hash
from chgrid.db.busy import PROBE_WAIT_S, RETRY_LOCK_WAIT_S, RETRY_MAX_ATTEMPTS, retry_delay
from chgrid.db.database import (
    acquire_database,
    create_tables,
    lock_wait,
    release_database,
    set_busy_timeout,
)
from chgrid.db.models import STATUS_ACTIVE, STATUS_DISABLED, Session, User
from chgrid.permissions import DEFAULT_REGISTRATION_ROLE

__all__ = [
    "AUTHORITY_EVENT_KINDS", "EVENT_ACCOUNT_DELETED", "EVENT_BATCH", "EVENT_ROLE_CREATED", "EVENT_ROLE_DELETED",
    "EVENT_ROLE_PERMISSIONS", "EVENT_USER_CREATED", "EVENT_USER_ROLE", "EVENT_USER_STATUS",
    "AccountActor", "AccountEvent", "AdminResult", "Authority", "AuthGrant", "LoginRecord",
    "LoginRejected",
]

log = logging.getLogger(__name__)

# How long any call waits for a locked database (the connection's busy timeout). The
# actor serves logins and the rooms' acknowledged saves one at a time, so one call
# stuck behind a lock holds up the others: keep it about storage.commit_wait_s. Once a
# lock is met, calls only probe (PROBE_WAIT_S) until a write commits again.
ACCOUNT_LOCK_WAIT_S = 0.5
# How long the last saves at shutdown may wait for a locked database.
STOP_LOCK_WAIT_S = 5.0


class _RetryStates:
    """Timer message: write the told saves still pending."""


class _PurgeEvents:
    """Timer message: delete old ``account_events`` rows."""


def _needs_database(method):
    """Raise the start-up error, if any; else run ``method``, only probing for the lock
    while the database is known to be locked, and note a lock it meets."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._start_error is not None:
            raise RuntimeError("account database is unavailable") from self._start_error
        state = self._states.lock_state
        try:
            if not state.locked:
                return method(self, *args, **kwargs)
            with lock_wait(self._db, PROBE_WAIT_S):
                return method(self, *args, **kwargs)
        except Exception as err:
            state.failed(err)
            raise

    return wrapper


class AccountActor(pykka.ThreadingActor):
    """Owns the account tables; see the module docstring. ``timers`` (default: real
    threading timers) wakes the actor for retries and purges; tests fire them by hand."""

    def __init__(self, database_url: str, secret: str, clock, auth_settings, origin: str = "server",
                 timers: Timers | None = None):
        super().__init__()
        if not secret or not secret.strip():
            raise ValueError("an HMAC secret is required")
        if not origin:
            raise ValueError("origin must be a non-empty string")
        self._url = database_url
        self._secret = secret
        self._clock = clock
        self._policy = AuthPolicy.from_settings(auth_settings)
        self._rec = AccountRecords(clock, origin, secret)
        self._events = EventLog()
        self._timers: Timers = timers or ThreadTimers()
        self._db = None
        self._states: StateSaver | None = None
        self._start_error: BaseException | None = None
        self._retry_set = False  # a state retry is scheduled
        self._retry_attempts = 0

    # --- life cycle ----------------------------------------------------------------
    def on_start(self) -> None:
        try:
            self._db = acquire_database(self._url)
            self._db.connect(reuse_if_open=True)
            create_tables()
            self._rec.seed(self._db)
            # Start-up waited the default timeout; from now on a lock costs little.
            set_busy_timeout(self._db, ACCOUNT_LOCK_WAIT_S)
        except Exception as err:
            log.exception("account database could not be opened")
            self._start_error = err
            self._close()
            return
        self._states = StateSaver(self._db, self._clock)
        self._timers.schedule(EVENT_PURGE_INTERVAL_S, lambda: self._tell_self(_PurgeEvents()))

    def on_stop(self) -> None:
        self._timers.cancel_all()
        if self._states is not None and not self._states.flush(STOP_LOCK_WAIT_S):
            log.error("positions of users %s could not be saved before stopping",
                      self._states.pending_users())
        self._close()

    def on_failure(self, exception_type, exception_value, traceback) -> None:
        self._timers.cancel_all()
        self._close()

    def on_receive(self, message) -> None:
        if self._start_error is not None:
            return
        if isinstance(message, _RetryStates):
            self._retry_states()
        elif isinstance(message, _PurgeEvents):
            self._purge_old_events()

    def _tell_self(self, message) -> None:
        try:
            self.actor_ref.tell(message)
        except pykka.ActorDeadError:
            pass  # stopped meanwhile: nothing left to do

    def _close(self) -> None:
        if self._db is not None:
            self._db = None
            release_database()

    @_needs_database
    def ready(self) -> bool:
        """True once the database is open; raises the start-up error otherwise."""
        return True

    # --- login, registration, tokens -------------------------------------------------
    @_needs_database
    def find_login(self, username_normalised: str) -> LoginRecord | None:
        user = self._rec.user_named(normalise_username(username_normalised))
        if user is None:
            return None
        return LoginRecord(user.id, user.username, user.password_hash, user.status)

    @_needs_database
    def complete_login(self, user_id: int, new_password_hash: str | None) -> AuthGrant:
        """Finish a verified login: store a rehash, stamp the login, issue a token.

        Raises :class:`LoginRejected` if the account vanished or was disabled since
        ``find_login``."""
        now = self._rec.now()
        with self._db.atomic():
            user = User.get_or_none(User.id == user_id)
            if user is None:
                raise LoginRejected(M.INVALID_CREDENTIALS)
            if user.status != STATUS_ACTIVE:
                raise LoginRejected(M.ACCOUNT_DISABLED)
            changes = {User.last_login_at_ms: now}
            if new_password_hash:
                changes[User.password_hash] = new_password_hash
                changes[User.updated_at_ms] = now
            User.update(changes).where(User.id == user.id).execute()
            return self._rec.grant(user, self._rec.issue_token(user.id, now), now)

    @_needs_database
    def register(self, username_normalised: str, password_hash: str, email: str | None) -> AuthGrant | str:
        """Create an active ``user`` account and log it in; a str is the exact failure."""
        username = normalise_username(username_normalised)
        error = username_error(username, self._policy)
        if error:
            return error
        email = normalise_email(email)
        now = self._rec.now()
        try:
            with self._db.atomic():
                if self._rec.user_named(username) is not None:
                    return M.USERNAME_TAKEN
                if email and User.select().where(User.email == email).exists():
                    return M.EMAIL_IN_USE
                role = self._rec.role_named(DEFAULT_REGISTRATION_ROLE)
                user = self._rec.insert_account(username, password_hash, email, role, now, now)
                return self._rec.grant(user, self._rec.issue_token(user.id, now), now)
        except peewee.IntegrityError:
            # Another process inserted the same name or e-mail between check and insert.
            return self._rec.uniqueness_message(username, email)

    @_needs_database
    def resume(self, token: str) -> AuthGrant | str:
        """Validate a token in the order of auth.md §6 and roll its expiry. A str is the
        internal reason; the grant carries the same token."""
        token = (token or "").strip()
        if not token:
            return M.MISSING_TOKEN
        digest = token_hash(token, self._secret)
        now = self._rec.now()
        with self._db.atomic():
            session = Session.get_or_none(Session.token_hash == digest)
            if session is None:
                return M.INVALID_SESSION
            if session.revoked_at_ms is not None:
                return M.SESSION_REVOKED
            if session.expires_at_ms <= now:
                Session.update(revoked_at_ms=now).where(Session.id == session.id).execute()
                return M.SESSION_EXPIRED
            user = User.get_by_id(session.user_id)
            if user.status != STATUS_ACTIVE:
                return M.ACCOUNT_DISABLED
            Session.update(expires_at_ms=now + TOKEN_LIFETIME_MS, last_seen_at_ms=now).where(
                Session.id == session.id
            ).execute()
            return self._rec.grant(user, token, now)

    @_needs_database
    def revoke(self, token: str) -> None:
        token = (token or "").strip()
        if not token:
            return
        digest = token_hash(token, self._secret)
        with self._db.atomic():
            Session.update(revoked_at_ms=self._rec.now()).where(
                (Session.token_hash == digest) & Session.revoked_at_ms.is_null()
            ).execute()

    @_needs_database
    def purge_expired_tokens(self) -> int:
        """Delete revoked and expired token rows; returns how many."""
        now = self._rec.now()
        with self._db.atomic():
            return (
                Session.delete()
                .where(Session.revoked_at_ms.is_null(False) | (Session.expires_at_ms <= now))
                .execute()
            )

    # --- account state (world.md §11) ---------------------------------------------
    @_needs_database
    def save_state(self, user_id: int, nickname: str | None = None, x: int | None = None,
                   y: int | None = None, deadline: float | None = None) -> bool:
        """Store the given fields of an account's last nickname/position (None = keep).

        Without ``deadline`` (a told save nobody waits for): True if committed now,
        False if the database was locked and the save stays pending; it is then retried
        until it commits (the newest value per field wins). Never raises.

        With ``deadline``, a ``time.monotonic()`` instant until which the caller waits
        for the answer (real time, not the injectable clock: it bounds a thread's
        wait): True once committed. The save is skipped (False) when the deadline is
        already past, and waits for a locked database only until then (raising when
        still locked), so a caller that gave up and reported a failure never finds the
        change committed later.
        """
        fields = state_fields(nickname, x, y)
        if deadline is None:
            committed = self._states.save_told(user_id, fields)
            self._after_state_change()
            return committed
        wait = deadline - time.monotonic()
        if wait <= 0:
            log.warning("state save of user %s skipped: its sender stopped waiting", user_id)
            return False
        try:
            self._states.save_acknowledged(user_id, fields, wait)
        finally:
            self._after_state_change()
        return True

    @_needs_database
    def save_states(self, updates: list[tuple[int, str | None, int | None, int | None]]) -> bool:
        """Many told ``(user_id, nickname, x, y)`` saves in one transaction (shutdown),
        waiting up to ``STOP_LOCK_WAIT_S`` for a locked database. True if committed;
        otherwise they stay pending like any told save."""
        for user_id, nickname, x, y in updates:
            self._states.merge(user_id, state_fields(nickname, x, y))
        committed = self._states.flush(STOP_LOCK_WAIT_S)
        self._after_state_change()
        return committed

    def _after_state_change(self) -> None:
        """Schedule a retry of pending told saves, unless one is already due."""
        if not self._states.pending_users():
            self._retry_attempts = 0
            return
        if self._retry_set:
            return
        self._retry_set = True
        # The database just took a write: go at once; else back off.
        delay = retry_delay(self._retry_attempts + 1) if self._states.lock_state.locked else 0.0
        self._timers.schedule(delay, lambda: self._tell_self(_RetryStates()))

    def _retry_states(self) -> None:
        self._retry_set = False
        if self._states.flush():
            self._retry_attempts = 0
            return
        self._retry_attempts += 1
        if self._retry_attempts >= RETRY_MAX_ATTEMPTS:
            log.error("database still locked after %d attempts: positions of users %s not saved",
                      self._retry_attempts, self._states.give_up())
            self._retry_attempts = 0
            return
        self._after_state_change()

    @_needs_database
    def authority(self, user_id: int) -> Authority:
        """Live role, permissions and status. A missing account reads as
        ``STATUS_DELETED`` with no permissions (fail closed: not active)."""
        user = User.get_or_none(User.id == user_id)
        if user is None:
            return Authority("", (), STATUS_DELETED)
        return Authority(self._rec.role_name_of(user), self._rec.permissions_of(user.role_id), user.status)

    # --- admin operations (permissions.md §4; actors/account_admin.py) ----------------
    @_needs_database
    def list_roles(self) -> list[dict]:
        return admin.list_roles()

    @_needs_database
    def list_users(self, action: str | None = None) -> list[dict]:
        return admin.list_users(action)

    @_needs_database
    def create_role(self, name: str) -> AdminResult:
        return admin.create_role(self._rec, self._db, name)

    @_needs_database
    def update_role_permissions(self, role: str, permissions: list[str]) -> AdminResult:
        return admin.update_role_permissions(self._rec, self._db, role, permissions)

    @_needs_database
    def delete_role(self, role: str, replacement: str) -> AdminResult:
        return admin.delete_role(self._rec, self._db, role, replacement)

    @_needs_database
    def set_user_role(self, username: str, role: str) -> AdminResult:
        return admin.set_user_role(self._rec, self._db, username, role)

    @_needs_database
    def ban(self, username: str) -> AdminResult:
        """Disable an account; its tokens stay valid for after an unban (auth.md §14)."""
        return admin.set_status(self._rec, self._db, username, STATUS_DISABLED, "user_ban", M.USER_BANNED)

    @_needs_database
    def unban(self, username: str) -> AdminResult:
        return admin.set_status(self._rec, self._db, username, STATUS_ACTIVE, "user_unban", M.USER_UNBANNED)

    @_needs_database
    def delete_account(self, username: str) -> AdminResult:
        """Delete an account, its tokens and its state at once (upstream-0.1 §8.3)."""
        return admin.delete_account(self._rec, self._db, username)

    @_needs_database
    def active_accounts(self) -> list[tuple[int, str]]:
        """``(id, username)`` of every active account (item transfer targets)."""
        return admin.active_accounts()

    # --- operator bootstrap (auth.md §16) ----------------------------------------------
    @_needs_database
    def create_account(self, username: str, password_hash: str, email: str | None, role: str) -> AdminResult:
        """Create an active account with any role, without logging it in. The caller has
        checked the password policy (only it sees the password)."""
        return admin.create_account(self._rec, self._db, self._policy, username, password_hash, email, role)

    @_needs_database
    def active_admin_exists(self) -> bool:
        return self._rec.active_admin_count() > 0

    # --- change notices for other processes (actors/account_events.py) ----------------
    @_needs_database
    def events_after(self, after_id: int, exclude_origin: str,
                     skip_ids: tuple[int, ...] = ()) -> tuple[list[int], list[AccountEvent]]:
        """Rows with id > ``after_id`` except ``skip_ids`` (at most ``EVENT_BATCH``):
        (every id read, for :meth:`chgrid.db.event_cursor.EventCursor.advance`; the
        events among them not from ``exclude_origin``). The caller is taken to have
        read every id up to ``after_id``: only those may be purged."""
        return self._events.after(after_id, exclude_origin, skip_ids)

    @_needs_database
    def latest_event_id(self) -> int:
        return self._events.latest_id()

    def _purge_old_events(self) -> None:
        """The scheduled purge: events older than ``EVENT_RETENTION_MS``; never waits
        long for a locked database (the next run catches up)."""
        try:
            with lock_wait(self._db, RETRY_LOCK_WAIT_S):
                purged = self._events.purge_before(self._db, self._rec.now() - EVENT_RETENTION_MS)
            if purged:
                log.info("purged %d account events older than %d s", purged, EVENT_RETENTION_MS // 1000)
        except Exception as err:
            log.warning("account event purge failed, next try in %d s: %s", EVENT_PURGE_INTERVAL_S, err)
        finally:
            self._timers.schedule(EVENT_PURGE_INTERVAL_S, lambda: self._tell_self(_PurgeEvents()))
