"""Row helpers of the AccountActor: look-ups, tokens, grants, change notices, seeding.

Everything here runs on the AccountActor's thread, inside the transaction the calling
method opened; nothing here opens one except :meth:`AccountRecords.seed`. The admin
operations (``actors/account_admin.py``) and the actor itself share these helpers.
"""
from __future__ import annotations

import peewee

from chgrid.auth import messages as M
from chgrid.auth.records import (
    EVENT_ACCOUNT_DELETED,
    EVENT_ROLE_PERMISSIONS,
    EVENT_USER_CREATED,
    EVENT_USER_ROLE,
    AuthGrant,
)
from chgrid.auth.tokens import TOKEN_LIFETIME_MS, new_token, token_hash
from chgrid.db.models import (
    STATUS_ACTIVE,
    Permission,
    Role,
    RolePermission,
    Session,
    User,
    UserState,
)
from chgrid.db.models import AccountEvent as EventRow
from chgrid.db.postgres import is_postgres, serialised
from chgrid.permissions import (
    ADMIN_ROLE,
    DEFAULT_REGISTRATION_ROLE,
    DEFAULT_ROLES,
    PERMISSION_DESCRIPTIONS,
    PERMISSION_KEYS,
)

ACCOUNTS_LOCK = "accounts"  # the advisory lock of account and role mutations
# The next account id on SQLite: above every existing and every deleted account's id.
_NEXT_SQLITE_USER_ID = (
    "(SELECT MAX(top) + 1 FROM (SELECT COALESCE(MAX(id), 0) AS top FROM users UNION ALL "
    "SELECT COALESCE(MAX(user_id), 0) FROM account_events WHERE kind = ?))"
)


class AccountRecords:
    """Helpers bound to the actor's clock, change-notice origin and HMAC secret."""

    def __init__(self, clock, origin: str, secret: str) -> None:
        self._clock = clock
        self._origin = origin
        self._secret = secret

    def now(self) -> int:
        return int(self._clock.now_ms())

    # --- change notices (read by other processes' pollers) ----------------------------
    def event(self, kind: str, user_id: int | None = None) -> None:
        EventRow.create(user_id=user_id, kind=kind, origin=self._origin, created_at_ms=self.now())

    def events(self, kind: str, user_ids) -> None:
        for user_id in user_ids:
            self.event(kind, user_id)

    # --- look-ups -------------------------------------------------------------------
    @staticmethod
    def role_named(name: str) -> Role | None:
        return Role.get_or_none(Role.name == name)

    @staticmethod
    def user_named(username: str) -> User | None:
        return User.get_or_none(User.username == username)

    @staticmethod
    def permissions_of(role_id: int | None) -> tuple[str, ...]:
        if role_id is None:
            return ()
        query = RolePermission.select(RolePermission.permission).where(RolePermission.role == role_id)
        return tuple(sorted(key for (key,) in query.tuples()))

    @staticmethod
    def role_name_of(user: User) -> str:
        if user.role_id is None:
            return ""
        role = Role.get_or_none(Role.id == user.role_id)
        return role.name if role else ""

    @staticmethod
    def holders(role_id: int) -> tuple[int, ...]:
        query = User.select(User.id).where(User.role == role_id).order_by(User.id)
        return tuple(row.id for row in query)

    @staticmethod
    def active_admin_count() -> int:
        query = User.select().join(Role)
        return query.where((Role.name == ADMIN_ROLE) & (User.status == STATUS_ACTIVE)).count()

    @staticmethod
    def set_role_permissions(role_id: int, keys) -> None:
        RolePermission.delete().where(RolePermission.role == role_id).execute()
        wanted = set(keys)
        ordered = [k for k in PERMISSION_KEYS if k in wanted]
        if ordered:
            RolePermission.insert_many([{"role": role_id, "permission": k} for k in ordered]).execute()

    def uniqueness_message(self, username: str, email: str | None) -> str:
        if self.user_named(username) is not None:
            return M.USERNAME_TAKEN
        if email and User.select().where(User.email == email).exists():
            return M.EMAIL_IN_USE
        return M.REGISTRATION_CONSTRAINT

    # --- accounts, tokens, grants -------------------------------------------------------
    def issue_token(self, user_id: int, now: int) -> str:
        token = new_token()
        Session.create(user=user_id, token_hash=token_hash(token, self._secret), created_at_ms=now,
                       last_seen_at_ms=now, expires_at_ms=now + TOKEN_LIFETIME_MS)
        return token

    def grant(self, user: User, token: str, now: int) -> AuthGrant:
        state = UserState.get_or_none(UserState.user == user.id)
        if state is None:
            state = UserState.create(user=user.id, last_nickname=user.username, updated_at_ms=now)
        elif not (state.last_nickname or "").strip():
            state.last_nickname = user.username
            state.updated_at_ms = now
            state.save()
        return AuthGrant(user.id, user.username, self.role_name_of(user),
                         self.permissions_of(user.role_id), state.last_nickname,
                         state.last_x, state.last_y, token)

    def insert_account(self, username: str, password_hash: str, email, role: Role, now: int,
                       last_login: int | None) -> User:
        fields = dict(
            username=username, password_hash=password_hash, email=email, role=role.id,
            status=STATUS_ACTIVE, created_at_ms=now, updated_at_ms=now, last_login_at_ms=last_login,
        )
        if is_postgres(User._meta.database):
            user = User.create(**fields)  # a sequence: ids are never handed out twice
        else:
            # SQLite's rowid (the table has no AUTOINCREMENT) would hand a deleted
            # account's id to the next account, and with it the old account's items. The
            # id is chosen above every id ever deleted (kept in account_events), in the
            # insert itself so that no other writer can take it in between.
            User.insert(id=peewee.SQL(_NEXT_SQLITE_USER_ID, (EVENT_ACCOUNT_DELETED,)), **fields).execute()
            user = User.get(User.username == username)
        UserState.create(user=user.id, last_nickname=username, updated_at_ms=now)
        self.event(EVENT_USER_CREATED, user.id)
        return user

    # --- seeding (permissions.md §2 "Start-up seeding") ---------------------------------
    def seed(self, db) -> None:
        now = self.now()
        with db.atomic():
            # Several processes may start on one new PostgreSQL database at once.
            serialised(db, ACCOUNTS_LOCK)
            known = {row.key for row in Permission.select(Permission.key)}
            missing = [{"key": key, "description": text}
                       for key, text in PERMISSION_DESCRIPTIONS.items() if key not in known]
            if missing:
                Permission.insert_many(missing).execute()
            for name in DEFAULT_ROLES:  # admin, editor, user, guest: fixes ids 1–4
                if self.role_named(name) is None:
                    Role.create(name=name, is_system=True, created_at_ms=now, updated_at_ms=now)
            for name, defaults in DEFAULT_ROLES.items():
                role = self.role_named(name)
                current = set(self.permissions_of(role.id))
                if name == ADMIN_ROLE:
                    reseed = current != set(defaults)  # admin is locked to the full set
                else:
                    reseed = not current  # emptied default roles come back (the quirk)
                if reseed:
                    self.set_role_permissions(role.id, defaults)
                    self.events(EVENT_ROLE_PERMISSIONS, self.holders(role.id))
            user_role = self.role_named(DEFAULT_REGISTRATION_ROLE)
            roleless = [row.id for row in User.select(User.id).where(User.role.is_null())]
            if roleless:
                User.update(role=user_role.id, updated_at_ms=now).where(User.id.in_(roleless)).execute()
                self.events(EVENT_USER_ROLE, roleless)
