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
"""
from __future__ import annotations

import functools
import logging
import time

import peewee
import pykka

from chgrid.auth import messages as M
from chgrid.auth.policy import (
    AuthPolicy,
    normalise_email,
    normalise_role_name,
    normalise_username,
    role_name_error,
    username_error,
)
from chgrid.auth.records import (  # re-exported: callers import them from here too
    AUTHORITY_EVENT_KINDS,
    EVENT_BATCH,
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
)
from chgrid.auth.tokens import TOKEN_LIFETIME_MS, new_token, token_hash
from chgrid.db.database import acquire_database, create_tables, lock_wait, release_database
from chgrid.db.models import (
    STATUS_ACTIVE,
    STATUS_DISABLED,
    Permission,
    Role,
    RolePermission,
    Session,
    User,
    UserState,
)
from chgrid.db.models import AccountEvent as EventRow
from chgrid.permissions import (
    ADMIN_ROLE,
    DEFAULT_REGISTRATION_ROLE,
    DEFAULT_ROLES,
    PERMISSION_DESCRIPTIONS,
    PERMISSION_KEYS,
    UNDELETABLE_ROLES,
)

__all__ = [
    "AUTHORITY_EVENT_KINDS", "EVENT_BATCH", "EVENT_ROLE_CREATED", "EVENT_ROLE_DELETED",
    "EVENT_ROLE_PERMISSIONS", "EVENT_USER_CREATED", "EVENT_USER_ROLE", "EVENT_USER_STATUS",
    "AccountActor", "AccountEvent", "AdminResult", "Authority", "AuthGrant", "LoginRecord",
    "LoginRejected",
]

log = logging.getLogger(__name__)


def _needs_database(method):
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if self._start_error is not None:
            raise RuntimeError("account database is unavailable") from self._start_error
        return method(self, *args, **kwargs)

    return wrapper


class AccountActor(pykka.ThreadingActor):
    """Owns the account tables; see the module docstring."""

    def __init__(self, database_url: str, secret: str, clock, auth_settings, origin: str = "server"):
        super().__init__()
        if not secret or not secret.strip():
            raise ValueError("an HMAC secret is required")
        if not origin:
            raise ValueError("origin must be a non-empty string")
        self._url = database_url
        self._secret = secret
        self._clock = clock
        self._policy = AuthPolicy.from_settings(auth_settings)
        self._origin = origin
        self._db: peewee.Database | None = None
        self._start_error: BaseException | None = None

    # --- life cycle ----------------------------------------------------------------
    def on_start(self) -> None:
        try:
            self._db = acquire_database(self._url)
            self._db.connect(reuse_if_open=True)
            create_tables()
            self._seed()
        except Exception as err:
            log.exception("account database could not be opened")
            self._start_error = err
            self._close()

    def on_stop(self) -> None:
        self._close()

    def on_failure(self, exception_type, exception_value, traceback) -> None:
        self._close()

    def _close(self) -> None:
        if self._db is not None:
            self._db = None
            release_database()

    @_needs_database
    def ready(self) -> bool:
        """True once the database is open; raises the start-up error otherwise."""
        return True

    # --- helpers (actor thread only) -----------------------------------------------
    def _now(self) -> int:
        return int(self._clock.now_ms())

    def _event(self, kind: str, user_id: int | None = None) -> None:
        EventRow.create(user_id=user_id, kind=kind, origin=self._origin, created_at_ms=self._now())

    def _events(self, kind: str, user_ids) -> None:
        for user_id in user_ids:
            self._event(kind, user_id)

    @staticmethod
    def _role_named(name: str) -> Role | None:
        return Role.get_or_none(Role.name == name)

    @staticmethod
    def _user_named(username: str) -> User | None:
        return User.get_or_none(User.username == username)

    @staticmethod
    def _permissions_of(role_id: int | None) -> tuple[str, ...]:
        if role_id is None:
            return ()
        query = RolePermission.select(RolePermission.permission).where(RolePermission.role == role_id)
        return tuple(sorted(key for (key,) in query.tuples()))

    @staticmethod
    def _role_name_of(user: User) -> str:
        if user.role_id is None:
            return ""
        role = Role.get_or_none(Role.id == user.role_id)
        return role.name if role else ""

    @staticmethod
    def _holders(role_id: int) -> tuple[int, ...]:
        query = User.select(User.id).where(User.role == role_id).order_by(User.id)
        return tuple(row.id for row in query)

    @staticmethod
    def _active_admin_count() -> int:
        query = User.select().join(Role)
        return query.where((Role.name == ADMIN_ROLE) & (User.status == STATUS_ACTIVE)).count()

    @staticmethod
    def _set_role_permissions(role_id: int, keys) -> None:
        RolePermission.delete().where(RolePermission.role == role_id).execute()
        wanted = set(keys)
        ordered = [k for k in PERMISSION_KEYS if k in wanted]
        if ordered:
            RolePermission.insert_many([{"role": role_id, "permission": k} for k in ordered]).execute()

    def _issue_token(self, user_id: int, now: int) -> str:
        token = new_token()
        Session.create(user=user_id, token_hash=token_hash(token, self._secret), created_at_ms=now,
                       last_seen_at_ms=now, expires_at_ms=now + TOKEN_LIFETIME_MS)
        return token

    def _grant(self, user: User, token: str, now: int) -> AuthGrant:
        state = UserState.get_or_none(UserState.user == user.id)
        if state is None:
            state = UserState.create(user=user.id, last_nickname=user.username, updated_at_ms=now)
        elif not (state.last_nickname or "").strip():
            state.last_nickname = user.username
            state.updated_at_ms = now
            state.save()
        return AuthGrant(user.id, user.username, self._role_name_of(user),
                         self._permissions_of(user.role_id), state.last_nickname,
                         state.last_x, state.last_y, token)

    def _uniqueness_message(self, username: str, email: str | None) -> str:
        if self._user_named(username) is not None:
            return M.USERNAME_TAKEN
        if email and User.select().where(User.email == email).exists():
            return M.EMAIL_IN_USE
        return M.REGISTRATION_CONSTRAINT

    def _insert_account(self, username: str, password_hash: str, email, role: Role, now: int,
                        last_login: int | None) -> User:
        user = User.create(
            username=username, password_hash=password_hash, email=email, role=role.id,
            status=STATUS_ACTIVE, created_at_ms=now, updated_at_ms=now, last_login_at_ms=last_login,
        )
        UserState.create(user=user.id, last_nickname=username, updated_at_ms=now)
        self._event(EVENT_USER_CREATED, user.id)
        return user

    # --- seeding (permissions.md §2 "Start-up seeding") -------------------------------
    def _seed(self) -> None:
        now = self._now()
        with self._db.atomic():
            known = {row.key for row in Permission.select(Permission.key)}
            missing = [{"key": key, "description": text}
                       for key, text in PERMISSION_DESCRIPTIONS.items() if key not in known]
            if missing:
                Permission.insert_many(missing).execute()
            for name in DEFAULT_ROLES:  # admin, editor, user, guest: fixes ids 1–4
                if self._role_named(name) is None:
                    Role.create(name=name, is_system=True, created_at_ms=now, updated_at_ms=now)
            for name, defaults in DEFAULT_ROLES.items():
                role = self._role_named(name)
                current = set(self._permissions_of(role.id))
                if name == ADMIN_ROLE:
                    reseed = current != set(defaults)  # admin is locked to the full set
                else:
                    reseed = not current  # emptied default roles come back (the quirk)
                if reseed:
                    self._set_role_permissions(role.id, defaults)
                    self._events(EVENT_ROLE_PERMISSIONS, self._holders(role.id))
            user_role = self._role_named(DEFAULT_REGISTRATION_ROLE)
            roleless = [row.id for row in User.select(User.id).where(User.role.is_null())]
            if roleless:
                User.update(role=user_role.id, updated_at_ms=now).where(User.id.in_(roleless)).execute()
                self._events(EVENT_USER_ROLE, roleless)

    # --- login, registration, tokens -------------------------------------------------
    @_needs_database
    def find_login(self, username_normalised: str) -> LoginRecord | None:
        user = self._user_named(normalise_username(username_normalised))
        if user is None:
            return None
        return LoginRecord(user.id, user.username, user.password_hash, user.status)

    @_needs_database
    def complete_login(self, user_id: int, new_password_hash: str | None) -> AuthGrant:
        """Finish a verified login: store a rehash, stamp the login, issue a token.

        Raises :class:`LoginRejected` if the account vanished or was disabled since
        ``find_login``."""
        now = self._now()
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
            return self._grant(user, self._issue_token(user.id, now), now)

    @_needs_database
    def register(self, username_normalised: str, password_hash: str, email: str | None) -> AuthGrant | str:
        """Create an active ``user`` account and log it in; a str is the exact failure."""
        username = normalise_username(username_normalised)
        error = username_error(username, self._policy)
        if error:
            return error
        email = normalise_email(email)
        now = self._now()
        try:
            with self._db.atomic():
                if self._user_named(username) is not None:
                    return M.USERNAME_TAKEN
                if email and User.select().where(User.email == email).exists():
                    return M.EMAIL_IN_USE
                role = self._role_named(DEFAULT_REGISTRATION_ROLE)
                user = self._insert_account(username, password_hash, email, role, now, now)
                return self._grant(user, self._issue_token(user.id, now), now)
        except peewee.IntegrityError:
            # Another process inserted the same name or e-mail between check and insert.
            return self._uniqueness_message(username, email)

    @_needs_database
    def resume(self, token: str) -> AuthGrant | str:
        """Validate a token in the order of auth.md §6 and roll its expiry. A str is the
        internal reason; the grant carries the same token."""
        token = (token or "").strip()
        if not token:
            return M.MISSING_TOKEN
        digest = token_hash(token, self._secret)
        now = self._now()
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
            return self._grant(user, token, now)

    @_needs_database
    def revoke(self, token: str) -> None:
        token = (token or "").strip()
        if not token:
            return
        digest = token_hash(token, self._secret)
        with self._db.atomic():
            Session.update(revoked_at_ms=self._now()).where(
                (Session.token_hash == digest) & Session.revoked_at_ms.is_null()
            ).execute()

    @_needs_database
    def purge_expired_tokens(self) -> int:
        """Delete revoked and expired token rows; returns how many."""
        now = self._now()
        with self._db.atomic():
            return (
                Session.delete()
                .where(Session.revoked_at_ms.is_null(False) | (Session.expires_at_ms <= now))
                .execute()
            )

    # --- account state (world.md §11) ---------------------------------------------
    def _save_state(self, user_id: int, nickname, x, y, now: int) -> None:
        changes = {}
        if nickname is not None:
            changes[UserState.last_nickname] = nickname
        if x is not None:
            changes[UserState.last_x] = int(x)
        if y is not None:
            changes[UserState.last_y] = int(y)
        if not changes:
            return
        changes[UserState.updated_at_ms] = now
        if not UserState.update(changes).where(UserState.user == user_id).execute():
            UserState.insert({UserState.user: user_id, **changes}).execute()

    @_needs_database
    def save_state(self, user_id: int, nickname: str | None = None, x: int | None = None,
                   y: int | None = None, deadline: float | None = None) -> bool:
        """Store the given fields of an account's last nickname/position (None = keep).

        True once committed. ``deadline`` is a ``time.monotonic()`` instant until which
        the caller waits for the answer (real time, not the injectable clock: it bounds
        a thread's wait). The save is skipped (False) when it is already past, and waits
        for a locked database only until then (raising when still locked), so a caller
        that gave up and reported a failure never finds the change committed later.
        """
        wait = None
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                log.warning("state save of user %s skipped: its sender stopped waiting", user_id)
                return False
        with lock_wait(self._db, wait), self._db.atomic():
            self._save_state(user_id, nickname, x, y, self._now())
        return True

    @_needs_database
    def save_states(self, updates: list[tuple[int, str | None, int | None, int | None]]) -> None:
        """Many ``(user_id, nickname, x, y)`` saves in one transaction."""
        now = self._now()
        with self._db.atomic():
            for user_id, nickname, x, y in updates:
                self._save_state(user_id, nickname, x, y, now)

    @_needs_database
    def authority(self, user_id: int) -> Authority:
        """Live role, permissions and status. A missing account reads as disabled with
        no permissions (fail closed)."""
        user = User.get_or_none(User.id == user_id)
        if user is None:
            return Authority("", (), STATUS_DISABLED)
        return Authority(self._role_name_of(user), self._permissions_of(user.role_id), user.status)

    # --- admin operations (permissions.md §4) ----------------------------------------
    @_needs_database
    def list_roles(self) -> list[dict]:
        counts = dict(
            User.select(User.role, peewee.fn.COUNT(User.id)).group_by(User.role).tuples()
        )
        perms: dict[int, list[str]] = {}
        for role_id, key in RolePermission.select(RolePermission.role, RolePermission.permission).tuples():
            perms.setdefault(role_id, []).append(key)
        roles = [
            {
                "id": role.id,
                "name": role.name,
                "isSystem": bool(role.is_system),
                "userCount": int(counts.get(role.id, 0)),
                "permissions": sorted(perms.get(role.id, [])),
            }
            for role in Role.select()
        ]
        # Byte order, independent of the database's collation.
        return sorted(roles, key=lambda role: role["name"].encode("utf-8"))

    @_needs_database
    def list_users(self, action: str | None = None) -> list[dict]:
        query = User.select(User.id, User.username, User.status, Role.name.alias("role_name")).join(
            Role, peewee.JOIN.LEFT_OUTER
        )
        if action == "ban":
            query = query.where(User.status == STATUS_ACTIVE)
        elif action == "unban":
            query = query.where(User.status == STATUS_DISABLED)
        rows = [
            {"id": str(user_id), "username": username, "role": role or "", "status": status}
            for user_id, username, status, role in query.tuples()
        ]
        return sorted(rows, key=lambda row: (row["username"].lower(), row["username"]))

    @_needs_database
    def create_role(self, name: str) -> AdminResult:
        action = "role_create"
        normalised = normalise_role_name(name)
        error = role_name_error(normalised)
        if error:
            return AdminResult(False, action, error)
        now = self._now()
        try:
            with self._db.atomic():
                if self._role_named(normalised) is not None:
                    return AdminResult(False, action, M.ROLE_EXISTS)
                Role.create(name=normalised, is_system=False, created_at_ms=now, updated_at_ms=now)
                self._event(EVENT_ROLE_CREATED)
        except peewee.IntegrityError:
            return AdminResult(False, action, M.ROLE_EXISTS)
        return AdminResult(True, action, M.ROLE_CREATED.format(name=normalised))

    @_needs_database
    def update_role_permissions(self, role: str, permissions: list[str]) -> AdminResult:
        action = "role_update_permissions"
        if isinstance(permissions, str):
            raise TypeError("permissions must be a list of keys, not a string")
        normalised = normalise_role_name(role)
        with self._db.atomic():
            row = self._role_named(normalised)
            remembered = self._holders(row.id) if row is not None else ()
            if normalised == ADMIN_ROLE:
                return AdminResult(False, action, M.ADMIN_ROLE_LOCKED)
            if row is None:
                return AdminResult(False, action, M.ROLE_NOT_FOUND)
            keys: list[str] = []
            for entry in permissions:
                key = entry.strip()
                if not key:
                    continue
                if key not in PERMISSION_DESCRIPTIONS:
                    return AdminResult(False, action, M.UNKNOWN_PERMISSION.format(key=key))
                keys.append(key)
            self._set_role_permissions(row.id, keys)
            Role.update(updated_at_ms=self._now()).where(Role.id == row.id).execute()
            self._events(EVENT_ROLE_PERMISSIONS, remembered)
        return AdminResult(True, action, M.ROLE_PERMISSIONS_UPDATED.format(role=role), remembered)

    @_needs_database
    def delete_role(self, role: str, replacement: str) -> AdminResult:
        action = "role_delete"
        normalised = normalise_role_name(role)
        replacement_name = normalise_role_name(replacement)
        if normalised in UNDELETABLE_ROLES:
            return AdminResult(False, action, M.ROLE_UNDELETABLE)
        if normalised == replacement_name:
            return AdminResult(False, action, M.REPLACEMENT_SAME)
        with self._db.atomic():
            row = self._role_named(normalised)
            if row is None:
                return AdminResult(False, action, M.ROLE_NOT_FOUND)
            target = self._role_named(replacement_name)
            if target is None:
                return AdminResult(False, action, M.REPLACEMENT_NOT_FOUND)
            moved = self._holders(row.id)
            User.update(role=target.id, updated_at_ms=self._now()).where(User.role == row.id).execute()
            RolePermission.delete().where(RolePermission.role == row.id).execute()
            Role.delete().where(Role.id == row.id).execute()
            self._events(EVENT_USER_ROLE, moved)
            self._event(EVENT_ROLE_DELETED)
        message = M.ROLE_DELETED.format(role=role, count=len(moved), replacement=replacement_name)
        return AdminResult(True, action, message, moved)

    @_needs_database
    def set_user_role(self, username: str, role: str) -> AdminResult:
        action = "user_set_role"
        name = normalise_username(username)
        with self._db.atomic():
            target_role = self._role_named(normalise_role_name(role))
            if target_role is None:
                return AdminResult(False, action, M.ROLE_NOT_FOUND)
            user = self._user_named(name)
            if user is None:
                return AdminResult(False, action, M.USER_NOT_FOUND)
            if (
                self._role_name_of(user) == ADMIN_ROLE
                and target_role.name != ADMIN_ROLE
                and self._active_admin_count() <= 1
            ):
                return AdminResult(False, action, M.LAST_ADMIN_ROLE)
            User.update(role=target_role.id, updated_at_ms=self._now()).where(User.id == user.id).execute()
            self._event(EVENT_USER_ROLE, user.id)
        return AdminResult(True, action, M.USER_ROLE_SET.format(username=name, role=role), (user.id,))

    def _set_status(self, username: str, status: str, action: str, done: str) -> AdminResult:
        name = normalise_username(username)
        with self._db.atomic():
            user = self._user_named(name)
            if user is None:
                return AdminResult(False, action, M.USER_NOT_FOUND)
            if (
                status == STATUS_DISABLED
                and user.status == STATUS_ACTIVE
                and self._role_name_of(user) == ADMIN_ROLE
                and self._active_admin_count() <= 1
            ):
                return AdminResult(False, action, M.LAST_ADMIN_BAN)
            User.update(status=status, updated_at_ms=self._now()).where(User.id == user.id).execute()
            self._event(EVENT_USER_STATUS, user.id)
        return AdminResult(True, action, done.format(username=name), (user.id,))

    @_needs_database
    def ban(self, username: str) -> AdminResult:
        """Disable an account; its tokens stay valid for after an unban (auth.md §14)."""
        return self._set_status(username, STATUS_DISABLED, "user_ban", M.USER_BANNED)

    @_needs_database
    def unban(self, username: str) -> AdminResult:
        return self._set_status(username, STATUS_ACTIVE, "user_unban", M.USER_UNBANNED)

    # --- operator bootstrap (auth.md §16) ----------------------------------------------
    @_needs_database
    def create_account(self, username: str, password_hash: str, email: str | None, role: str) -> AdminResult:
        """Create an active account with any role, without logging it in. The caller has
        checked the password policy (only it sees the password)."""
        action = "create_account"
        name = normalise_username(username)
        error = username_error(name, self._policy)
        if error:
            return AdminResult(False, action, error)
        role_name = normalise_role_name(role)
        email = normalise_email(email)
        now = self._now()
        try:
            with self._db.atomic():
                role_row = self._role_named(role_name)
                if role_row is None:
                    return AdminResult(False, action, M.ROLE_NOT_FOUND)
                if self._user_named(name) is not None:
                    return AdminResult(False, action, M.USERNAME_TAKEN)
                if email and User.select().where(User.email == email).exists():
                    return AdminResult(False, action, M.EMAIL_IN_USE)
                user = self._insert_account(name, password_hash, email, role_row, now, None)
        except peewee.IntegrityError:
            return AdminResult(False, action, self._uniqueness_message(name, email))
        message = M.ACCOUNT_CREATED.format(role=role_name, username=name)
        return AdminResult(True, action, message, (user.id,))

    @_needs_database
    def active_admin_exists(self) -> bool:
        return self._active_admin_count() > 0

    # --- change notices for other processes ------------------------------------------
    @_needs_database
    def events_after(self, last_event_id: int, exclude_origin: str) -> tuple[int, list[AccountEvent]]:
        """Events with id > ``last_event_id`` (at most ``EVENT_BATCH``), minus those from
        ``exclude_origin``; the int is the id to pass next time (advanced past excluded
        events too)."""
        rows = list(
            EventRow.select().where(EventRow.id > last_event_id).order_by(EventRow.id).limit(EVENT_BATCH)
        )
        last = rows[-1].id if rows else last_event_id
        events = [
            AccountEvent(row.id, row.user_id, row.kind, row.origin, row.created_at_ms)
            for row in rows
            if row.origin != exclude_origin
        ]
        return last, events

    @_needs_database
    def latest_event_id(self) -> int:
        return EventRow.select(peewee.fn.MAX(EventRow.id)).scalar() or 0

    @_needs_database
    def purge_events_before(self, cutoff_ms: int) -> int:
        """Delete old events but always keep the newest: SQLite reuses the highest rowid
        once it is deleted, which would hand pollers ids they think they have seen."""
        with self._db.atomic():
            newest = EventRow.select(peewee.fn.MAX(EventRow.id)).scalar()
            if newest is None:
                return 0
            return (
                EventRow.delete()
                .where((EventRow.created_at_ms < cutoff_ms) & (EventRow.id != newest))
                .execute()
            )
