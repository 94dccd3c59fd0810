"""Peewee models of the account database (spec/persistence.md §2).

Only the AccountActor reads and writes these tables. Times are Unix epoch milliseconds
(``BigIntegerField``: they do not fit 32 bits); account ids are integers, rendered as
strings on the wire. Text whose length policy or configuration decides (user names,
e-mail addresses, event origins) is ``TEXT``: SQLite ignores a ``varchar`` length but
PostgreSQL enforces it, and the database is not where those limits live.

``account_events`` is this project's addition: every role or account mutation appends a
row in the same transaction, so a server can notice what ``chgrid admin`` changed from
another process and push ``auth_permissions``.
"""
from __future__ import annotations

import peewee

from chgrid.db.database import BaseModel

STATUS_ACTIVE = "active"
STATUS_DISABLED = "disabled"


class Role(BaseModel):
    """A named set of permissions; the four defaults are marked ``is_system``."""

    id = peewee.AutoField()
    name = peewee.CharField(max_length=64, unique=True)
    is_system = peewee.BooleanField(default=False)
    created_at_ms = peewee.BigIntegerField()
    updated_at_ms = peewee.BigIntegerField()

    class Meta:
        table_name = "roles"


class Permission(BaseModel):
    """One of the 19 permission keys with its tooltip text."""

    key = peewee.CharField(max_length=64, primary_key=True)
    description = peewee.TextField()

    class Meta:
        table_name = "permissions"


class RolePermission(BaseModel):
    """Membership of a permission in a role."""

    role = peewee.ForeignKeyField(
        Role, column_name="role_id", on_delete="CASCADE", backref="permission_rows"
    )
    permission = peewee.ForeignKeyField(
        Permission, field=Permission.key, column_name="permission_key", on_delete="CASCADE"
    )

    class Meta:
        table_name = "role_permissions"
        primary_key = peewee.CompositeKey("role", "permission")


class User(BaseModel):
    """An account. ``username`` is stored normalised (trimmed, lower-case)."""

    id = peewee.AutoField()
    username = peewee.TextField(unique=True)
    password_hash = peewee.TextField()
    # UNIQUE allows many NULLs in both SQLite and PostgreSQL: "unique where not null".
    email = peewee.TextField(null=True, unique=True)
    # No ON DELETE: a role still in use must not vanish (role delete moves users first).
    role = peewee.ForeignKeyField(Role, column_name="role_id", null=True, backref="users")
    status = peewee.CharField(max_length=16, default=STATUS_ACTIVE)
    created_at_ms = peewee.BigIntegerField()
    updated_at_ms = peewee.BigIntegerField()
    last_login_at_ms = peewee.BigIntegerField(null=True)

    class Meta:
        table_name = "users"


class Session(BaseModel):
    """A login token, stored only as its HMAC (auth.md §6)."""

    id = peewee.AutoField()
    user = peewee.ForeignKeyField(
        User, column_name="user_id", on_delete="CASCADE", backref="sessions"
    )
    token_hash = peewee.CharField(max_length=64, unique=True)
    created_at_ms = peewee.BigIntegerField()
    last_seen_at_ms = peewee.BigIntegerField()
    expires_at_ms = peewee.BigIntegerField(index=True)
    revoked_at_ms = peewee.BigIntegerField(null=True)
    ip = peewee.TextField(null=True)  # kept for schema parity; always NULL
    user_agent = peewee.TextField(null=True)  # likewise

    class Meta:
        table_name = "sessions"


class UserState(BaseModel):
    """Last nickname and last position of an account (world.md §11)."""

    user = peewee.ForeignKeyField(
        User, column_name="user_id", primary_key=True, on_delete="CASCADE", backref="state"
    )
    last_nickname = peewee.TextField(null=True)
    last_x = peewee.IntegerField(null=True)
    last_y = peewee.IntegerField(null=True)
    updated_at_ms = peewee.BigIntegerField(index=True)

    class Meta:
        table_name = "user_state"


class AccountEvent(BaseModel):
    """An append-only change notice. ``user_id`` is a plain integer (no foreign key) so
    the log never blocks or cascades with account rows; NULL for role-level events."""

    id = peewee.AutoField()
    user_id = peewee.IntegerField(null=True)
    kind = peewee.CharField(max_length=32)
    origin = peewee.TextField()  # "cli", "server:<uuid>", a cluster node's id
    created_at_ms = peewee.BigIntegerField(index=True)

    class Meta:
        table_name = "account_events"


MODELS: tuple[type[BaseModel], ...] = (
    Role,
    Permission,
    RolePermission,
    User,
    Session,
    UserState,
    AccountEvent,
)
