"""The AccountActor's admin operations (permissions.md §4) and operator bootstrap
(auth.md §16).

Plain functions run on the AccountActor's thread: each takes the actor's
:class:`~chgrid.actors.account_records.AccountRecords` and database, does its checks
and its change in one transaction together with the ``account_events`` rows other
processes poll, and returns an :class:`~chgrid.auth.records.AdminResult` whose message
is the exact wire text.

Each mutation first takes the accounts' advisory lock
(:func:`chgrid.db.postgres.serialised`): on SQLite every write transaction already runs
alone; on PostgreSQL two processes could otherwise both pass a check such as "not the
last active admin" and both commit.
"""
from __future__ import annotations

import peewee

from chgrid.actors.account_records import ACCOUNTS_LOCK, AccountRecords
from chgrid.auth import messages as M
from chgrid.auth.policy import (
    AuthPolicy,
    normalise_email,
    normalise_role_name,
    normalise_username,
    role_name_error,
    username_error,
)
from chgrid.auth.records import (
    EVENT_ACCOUNT_DELETED,
    EVENT_ROLE_CREATED,
    EVENT_ROLE_DELETED,
    EVENT_ROLE_PERMISSIONS,
    EVENT_USER_ROLE,
    EVENT_USER_STATUS,
    AdminResult,
)
from chgrid.db.models import STATUS_ACTIVE, STATUS_DISABLED, Role, RolePermission, Session, User, UserState
from chgrid.db.postgres import serialised
from chgrid.permissions import ADMIN_ROLE, PERMISSION_DESCRIPTIONS, UNDELETABLE_ROLES


def list_roles() -> list[dict]:
    counts = dict(User.select(User.role, peewee.fn.COUNT(User.id)).group_by(User.role).tuples())
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


def list_users(action: str | None = None) -> list[dict]:
    query = User.select(User.id, User.username, User.status, Role.name.alias("role_name")).join(
        Role, peewee.JOIN.LEFT_OUTER
    )
    # "delete_account" (like None) lists every account, the requester included.
    if action == "ban":
        query = query.where(User.status == STATUS_ACTIVE)
    elif action == "unban":
        query = query.where(User.status == STATUS_DISABLED)
    rows = [
        {"id": str(user_id), "username": username, "role": role or "", "status": status}
        for user_id, username, status, role in query.tuples()
    ]
    return sorted(rows, key=lambda row: (row["username"].lower(), row["username"]))


def active_accounts() -> list[tuple[int, str]]:
    """``(id, username)`` of every active account (item transfer targets)."""
    query = User.select(User.id, User.username).where(User.status == STATUS_ACTIVE)
    return [(int(user_id), username) for user_id, username in query.tuples()]


def delete_account(rec: AccountRecords, db, username: str) -> AdminResult:
    """Delete an account for good (upstream-0.1 §8.3): its login tokens, its state row
    and the account row, in one transaction with the event other processes poll.

    Never the last active admin. Items keep ``createdBy`` (the id is never reused).
    ``affected_user_ids`` names the deleted id: its connections must be closed.
    """
    action = "user_delete"
    name = normalise_username(username)
    with db.atomic():
        serialised(db, ACCOUNTS_LOCK)
        user = rec.user_named(name)
        if user is None:
            return AdminResult(False, action, M.USER_NOT_FOUND)
        if (
            rec.role_name_of(user) == ADMIN_ROLE
            and user.status == STATUS_ACTIVE
            and rec.active_admin_count() <= 1
        ):
            return AdminResult(False, action, M.LAST_ADMIN_DELETE)
        # Each row the spec names goes explicitly, not by the schema's cascades, so the
        # deletion does not depend on how a backend enforces foreign keys.
        Session.delete().where(Session.user == user.id).execute()
        UserState.delete().where(UserState.user == user.id).execute()
        User.delete().where(User.id == user.id).execute()
        rec.event(EVENT_ACCOUNT_DELETED, user.id)
    return AdminResult(True, action, M.ACCOUNT_DELETED_DONE.format(username=name), (user.id,))


def create_role(rec: AccountRecords, db, name: str) -> AdminResult:
    action = "role_create"
    normalised = normalise_role_name(name)
    error = role_name_error(normalised)
    if error:
        return AdminResult(False, action, error)
    now = rec.now()
    try:
        with db.atomic():
            serialised(db, ACCOUNTS_LOCK)
            if rec.role_named(normalised) is not None:
                return AdminResult(False, action, M.ROLE_EXISTS)
            Role.create(name=normalised, is_system=False, created_at_ms=now, updated_at_ms=now)
            rec.event(EVENT_ROLE_CREATED)
    except peewee.IntegrityError:
        return AdminResult(False, action, M.ROLE_EXISTS)
    return AdminResult(True, action, M.ROLE_CREATED.format(name=normalised))


def update_role_permissions(rec: AccountRecords, db, role: str, permissions: list[str]) -> AdminResult:
    action = "role_update_permissions"
    if isinstance(permissions, str):
        raise TypeError("permissions must be a list of keys, not a string")
    normalised = normalise_role_name(role)
    with db.atomic():
        serialised(db, ACCOUNTS_LOCK)
        row = rec.role_named(normalised)
        remembered = rec.holders(row.id) if row is not None else ()
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
        rec.set_role_permissions(row.id, keys)
        Role.update(updated_at_ms=rec.now()).where(Role.id == row.id).execute()
        rec.events(EVENT_ROLE_PERMISSIONS, remembered)
    return AdminResult(True, action, M.ROLE_PERMISSIONS_UPDATED.format(role=role), remembered)


def delete_role(rec: AccountRecords, db, role: str, replacement: str) -> AdminResult:
    action = "role_delete"
    normalised = normalise_role_name(role)
    replacement_name = normalise_role_name(replacement)
    if normalised in UNDELETABLE_ROLES:
        return AdminResult(False, action, M.ROLE_UNDELETABLE)
    if normalised == replacement_name:
        return AdminResult(False, action, M.REPLACEMENT_SAME)
    with db.atomic():
        serialised(db, ACCOUNTS_LOCK)
        row = rec.role_named(normalised)
        if row is None:
            return AdminResult(False, action, M.ROLE_NOT_FOUND)
        target = rec.role_named(replacement_name)
        if target is None:
            return AdminResult(False, action, M.REPLACEMENT_NOT_FOUND)
        moved = rec.holders(row.id)
        User.update(role=target.id, updated_at_ms=rec.now()).where(User.role == row.id).execute()
        RolePermission.delete().where(RolePermission.role == row.id).execute()
        Role.delete().where(Role.id == row.id).execute()
        rec.events(EVENT_USER_ROLE, moved)
        rec.event(EVENT_ROLE_DELETED)
    message = M.ROLE_DELETED.format(role=role, count=len(moved), replacement=replacement_name)
    return AdminResult(True, action, message, moved)


def set_user_role(rec: AccountRecords, db, username: str, role: str) -> AdminResult:
    action = "user_set_role"
    name = normalise_username(username)
    with db.atomic():
        serialised(db, ACCOUNTS_LOCK)
        target_role = rec.role_named(normalise_role_name(role))
        if target_role is None:
            return AdminResult(False, action, M.ROLE_NOT_FOUND)
        user = rec.user_named(name)
        if user is None:
            return AdminResult(False, action, M.USER_NOT_FOUND)
        if (
            rec.role_name_of(user) == ADMIN_ROLE
            and target_role.name != ADMIN_ROLE
            and rec.active_admin_count() <= 1
        ):
            return AdminResult(False, action, M.LAST_ADMIN_ROLE)
        User.update(role=target_role.id, updated_at_ms=rec.now()).where(User.id == user.id).execute()
        rec.event(EVENT_USER_ROLE, user.id)
    return AdminResult(True, action, M.USER_ROLE_SET.format(username=name, role=role), (user.id,))


def set_status(rec: AccountRecords, db, username: str, status: str, action: str, done: str) -> AdminResult:
    """Ban (``STATUS_DISABLED``) or unban (``STATUS_ACTIVE``); never the last active admin."""
    name = normalise_username(username)
    with db.atomic():
        serialised(db, ACCOUNTS_LOCK)
        user = rec.user_named(name)
        if user is None:
            return AdminResult(False, action, M.USER_NOT_FOUND)
        if (
            status == STATUS_DISABLED
            and user.status == STATUS_ACTIVE
            and rec.role_name_of(user) == ADMIN_ROLE
            and rec.active_admin_count() <= 1
        ):
            return AdminResult(False, action, M.LAST_ADMIN_BAN)
        User.update(status=status, updated_at_ms=rec.now()).where(User.id == user.id).execute()
        rec.event(EVENT_USER_STATUS, user.id)
    return AdminResult(True, action, done.format(username=name), (user.id,))


def create_account(rec: AccountRecords, db, policy: AuthPolicy, username: str, password_hash: str,
                   email: str | None, role: str) -> AdminResult:
    """An active account with any role, not logged in (the caller checked the password)."""
    action = "create_account"
    name = normalise_username(username)
    error = username_error(name, policy)
    if error:
        return AdminResult(False, action, error)
    role_name = normalise_role_name(role)
    email = normalise_email(email)
    now = rec.now()
    try:
        with db.atomic():
            serialised(db, ACCOUNTS_LOCK)
            role_row = rec.role_named(role_name)
            if role_row is None:
                return AdminResult(False, action, M.ROLE_NOT_FOUND)
            if rec.user_named(name) is not None:
                return AdminResult(False, action, M.USERNAME_TAKEN)
            if email and User.select().where(User.email == email).exists():
                return AdminResult(False, action, M.EMAIL_IN_USE)
            user = rec.insert_account(name, password_hash, email, role_row, now, None)
    except peewee.IntegrityError:
        return AdminResult(False, action, rec.uniqueness_message(name, email))
    message = M.ACCOUNT_CREATED.format(role=role_name, username=name)
    return AdminResult(True, action, message, (user.id,))
