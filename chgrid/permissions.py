"""Permission keys, default roles and admin-menu rules (spec/permissions.md §1, §2, §7).

Pure data and functions: the AccountActor seeds roles from here, the room checks
packets with ``allows`` and builds admin menus with ``admin_menu_actions``.
"""
from __future__ import annotations

from collections.abc import Iterable

# Canonical order matters: it is the order of admin_roles_list.permissionKeys.
PERMISSION_DESCRIPTIONS: dict[str, str] = {
    "item.create": "Allow creating new items.",
    "item.edit.own": "Allow editing items created by this user.",
    "item.edit.any": "Allow editing any item.",
    "item.delete.own": "Allow deleting items created by this user.",
    "item.delete.any": "Allow deleting any item.",
    "item.use": "Allow using item primary and secondary actions.",
    "item.pickup_drop.own": "Allow picking up and dropping items created by this user.",
    "item.pickup_drop.any": "Allow picking up and dropping any item.",
    "item.transfer.own": "Allow transferring items created by this user to another user.",
    "item.transfer.any": "Allow transferring any item to another user.",
    "chat.send": "Allow sending chat messages.",
    "voice.send": "Allow transmitting microphone audio.",
    "profile.update_nickname": "Allow changing nickname.",
    "account.delete.any": "Allow deleting other user accounts.",
    "user.ban_unban": "Allow banning and unbanning users.",
    "user.change_role": "Allow assigning user roles.",
    "role.manage": "Allow creating, editing, and deleting roles.",
    "server.manage_settings": "Allow changing server settings.",
    "server.allow_reboot": "Allow scheduling a server reboot from chat command.",
}
PERMISSION_KEYS: tuple[str, ...] = tuple(PERMISSION_DESCRIPTIONS)

_BASE = (
    "item.use",
    "chat.send",
    "voice.send",
    "profile.update_nickname",
)
_USER = _BASE + (
    "item.create",
    "item.edit.own",
    "item.delete.own",
    "item.pickup_drop.own",
    "item.transfer.own",
)
_EDITOR = _USER + (
    "item.edit.any",
    "item.delete.any",
    "item.pickup_drop.any",
    "item.transfer.any",
)

# Creation order fixes their ids on a fresh database: admin 1, editor 2, user 3, guest 4.
DEFAULT_ROLES: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSION_KEYS),
    "editor": frozenset(_EDITOR),
    "user": frozenset(_USER),
    "guest": frozenset(_BASE),
}
ADMIN_ROLE = "admin"
DEFAULT_REGISTRATION_ROLE = "user"
UNDELETABLE_ROLES = frozenset({"admin", "user"})

# (id, label, tooltip, permission) in the fixed menu order of permissions.md §7 and
# upstream-0.1.md §8.5; one row per entry, the wire entries are built from these rows.
ADMIN_MENU: tuple[tuple[str, str, str, str], ...] = (
    ("manage_roles", "Role management", "Manage roles and their permission sets.", "role.manage"),
    ("change_user_role", "Change user role", "Change a user's assigned role.", "user.change_role"),
    ("ban_user", "Ban user", "Disable a user account.", "user.ban_unban"),
    ("unban_user", "Unban user", "Re-enable a disabled user account.", "user.ban_unban"),
    ("delete_account", "Delete account", "Delete a user account permanently.", "account.delete.any"),
)


def sorted_permissions(permissions: Iterable[str]) -> list[str]:
    """Permission lists go on the wire sorted by plain string comparison."""
    return sorted(set(permissions))


def admin_menu_actions(permissions: Iterable[str]) -> list[dict[str, str]]:
    """The admin root-menu entries a holder of ``permissions`` may use."""
    held = set(permissions)
    return [{"id": ident, "label": label, "tooltip": tooltip}
            for ident, label, tooltip, needed in ADMIN_MENU if needed in held]


def allows(permissions: Iterable[str], *needed_any: str) -> bool:
    """True when at least one of ``needed_any`` is held."""
    held = permissions if isinstance(permissions, (set, frozenset)) else set(permissions)
    return any(key in held for key in needed_any)


def allows_on_item(permissions: Iterable[str], action: str, *, is_owner: bool) -> bool:
    """Own/any check for item actions: ``action`` is e.g. ``"item.edit"``."""
    held = set(permissions)
    return f"{action}.any" in held or (is_owner and f"{action}.own" in held)
