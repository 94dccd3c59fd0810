"""Username, password, e-mail and role-name rules (spec/auth.md §1–4, permissions.md §4.3).

Pure functions: the web layer validates registrations with them before hashing, the
admin CLI before creating accounts, and the AccountActor normalises names with them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from chgrid.auth import messages as M

_NAME_CHARS = re.compile(r"[a-z0-9_-]+")
ROLE_NAME_MAX_LENGTH = 32


@dataclass(frozen=True)
class AuthPolicy:
    """The four length limits, clamped so each minimum is ≥ 1 and each maximum ≥ its
    minimum (auth.md §1). Advertised to clients as ``authPolicy``."""

    username_min_length: int = 2
    username_max_length: int = 32
    password_min_length: int = 8
    password_max_length: int = 32

    def __post_init__(self) -> None:
        # Clamp here so every construction path (settings, tests) gets a sane policy.
        user_min = max(1, int(self.username_min_length))
        pass_min = max(1, int(self.password_min_length))
        object.__setattr__(self, "username_min_length", user_min)
        object.__setattr__(self, "username_max_length", max(user_min, int(self.username_max_length)))
        object.__setattr__(self, "password_min_length", pass_min)
        object.__setattr__(self, "password_max_length", max(pass_min, int(self.password_max_length)))

    @classmethod
    def from_settings(cls, auth_settings) -> AuthPolicy:
        """Build from ``settings.auth``."""
        return cls(
            auth_settings.username_min_length,
            auth_settings.username_max_length,
            auth_settings.password_min_length,
            auth_settings.password_max_length,
        )

    def as_wire(self) -> dict[str, int]:
        return {
            "usernameMinLength": self.username_min_length,
            "usernameMaxLength": self.username_max_length,
            "passwordMinLength": self.password_min_length,
            "passwordMaxLength": self.password_max_length,
        }


def normalise_username(raw: str) -> str:
    """Trim, then lower-case: usernames are stored and looked up in this form."""
    return raw.strip().lower()


def normalise_email(raw: str | None) -> str | None:
    """Trim and lower-case; blank means no e-mail (stored as NULL)."""
    if raw is None:
        return None
    email = raw.strip().lower()
    return email or None


def normalise_role_name(raw: str) -> str:
    """Role names are compared trimmed and lower-cased."""
    return raw.strip().lower()


def username_error(username_normalised: str, policy: AuthPolicy) -> str | None:
    """The first username rule broken, in the order of auth.md §2, or None."""
    if not policy.username_min_length <= len(username_normalised) <= policy.username_max_length:
        return M.USERNAME_LENGTH.format(min=policy.username_min_length, max=policy.username_max_length)
    if not _NAME_CHARS.fullmatch(username_normalised):
        return M.USERNAME_CHARACTERS
    return None


def password_error(password: str, policy: AuthPolicy) -> str | None:
    """Length in characters on the raw string, no trimming (auth.md §3)."""
    if not policy.password_min_length <= len(password) <= policy.password_max_length:
        return M.PASSWORD_LENGTH.format(min=policy.password_min_length, max=policy.password_max_length)
    return None


def registration_error(username_normalised: str, password: str, policy: AuthPolicy) -> str | None:
    """The registration message for the first broken rule (username length, username
    characters, password length), or None when the request may proceed."""
    return username_error(username_normalised, policy) or password_error(password, policy)


def role_name_error(name_normalised: str) -> str | None:
    """The first role-name rule broken, in the order of permissions.md §4.3 (the
    "already exists" check needs the database and is the actor's)."""
    if not name_normalised:
        return M.ROLE_NAME_REQUIRED
    if len(name_normalised) > ROLE_NAME_MAX_LENGTH:
        return M.ROLE_NAME_TOO_LONG
    if not _NAME_CHARS.fullmatch(name_normalised):
        return M.ROLE_NAME_CHARACTERS
    return None
