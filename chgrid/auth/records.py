"""Plain records the AccountActor returns, and the event kinds it writes.

Frozen dataclasses with no database types inside, so callers on any thread can keep
them. Secrets (the token, the password hash) are left out of ``repr`` so logging a
record never leaks them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# account_events.kind values. The first three change what a connected user may do:
# the server re-reads ``authority`` for their user_id and pushes auth_permissions.
EVENT_USER_ROLE = "user_role"
EVENT_USER_STATUS = "user_status"
EVENT_ROLE_PERMISSIONS = "role_permissions"
EVENT_USER_CREATED = "user_created"
EVENT_ROLE_CREATED = "role_created"
EVENT_ROLE_DELETED = "role_deleted"
# The account is gone: its connections are told "Account deleted." and closed.
EVENT_ACCOUNT_DELETED = "account_deleted"
AUTHORITY_EVENT_KINDS = frozenset({EVENT_USER_ROLE, EVENT_USER_STATUS, EVENT_ROLE_PERMISSIONS,
                                   EVENT_ACCOUNT_DELETED})
# ``Authority.status`` of an account that no longer exists.
STATUS_DELETED = "deleted"
EVENT_BATCH = 500


@dataclass(frozen=True)
class LoginRecord:
    """What a login needs before verifying the password."""

    user_id: int
    username: str
    password_hash: str = field(repr=False)
    status: str


@dataclass(frozen=True)
class AuthGrant:
    """A successful login, registration or resume: everything a connection binds to."""

    user_id: int
    username: str
    role: str
    permissions: tuple[str, ...]
    nickname: str
    last_x: int | None
    last_y: int | None
    token: str = field(repr=False)


@dataclass(frozen=True)
class Authority:
    """An account's live role, sorted permissions and status."""

    role: str
    permissions: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class AdminResult:
    """Outcome of an admin operation; ``affected_user_ids`` need ``auth_permissions``."""

    ok: bool
    action: str
    message: str
    affected_user_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class AccountEvent:
    """A change notice from ``account_events``."""

    id: int
    user_id: int | None
    kind: str
    origin: str
    created_at_ms: int


class LoginRejected(Exception):
    """``complete_login`` found the account gone or disabled (a ban can land while the
    password is being verified). ``reason`` is the internal reason of auth.md §12; the
    client gets the generic login failure."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
