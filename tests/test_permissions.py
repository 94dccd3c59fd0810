"""The permission keys, default roles, admin menu and the packet → permission map."""
from __future__ import annotations

import pytest

from chgrid.permissions import (
    DEFAULT_ROLES,
    PERMISSION_KEYS,
    admin_menu_actions,
    allows_on_item,
    sorted_permissions,
)
from chgrid.web.admin_flow import GATES, is_allowed


def test_keys_in_canonical_order():
    assert len(PERMISSION_KEYS) == 19
    assert PERMISSION_KEYS[:3] == ("item.create", "item.edit.own", "item.edit.any")
    assert PERMISSION_KEYS[-2:] == ("server.manage_settings", "server.allow_reboot")


def test_default_roles_table():
    assert list(DEFAULT_ROLES) == ["admin", "editor", "user", "guest"]
    assert DEFAULT_ROLES["admin"] == frozenset(PERMISSION_KEYS)
    assert DEFAULT_ROLES["guest"] == {"item.use", "chat.send", "voice.send", "profile.update_nickname"}
    assert DEFAULT_ROLES["user"] - DEFAULT_ROLES["guest"] == {
        "item.create", "item.edit.own", "item.delete.own", "item.pickup_drop.own", "item.transfer.own"}
    assert DEFAULT_ROLES["editor"] - DEFAULT_ROLES["user"] == {
        "item.edit.any", "item.delete.any", "item.pickup_drop.any", "item.transfer.any"}


def test_admin_menu_order_and_filtering():
    assert admin_menu_actions(PERMISSION_KEYS) == [
        {"id": "manage_roles", "label": "Role management", "tooltip": "Manage roles and their permission sets."},
        {"id": "change_user_role", "label": "Change user role", "tooltip": "Change a user's assigned role."},
        {"id": "ban_user", "label": "Ban user", "tooltip": "Disable a user account."},
        {"id": "unban_user", "label": "Unban user", "tooltip": "Re-enable a disabled user account."},
        {"id": "delete_account", "label": "Delete account", "tooltip": "Delete a user account permanently."},
    ]
    assert admin_menu_actions(["user.change_role"]) == [
        {"id": "change_user_role", "label": "Change user role", "tooltip": "Change a user's assigned role."}]
    assert admin_menu_actions(DEFAULT_ROLES["editor"]) == []


def test_sorted_is_plain_string_order():
    assert sorted_permissions(["voice.send", "chat.send", "item.use", "chat.send"]) == ["chat.send", "item.use", "voice.send"]


@pytest.mark.parametrize(
    "held,owner,expected",
    [({"item.edit.any"}, False, True), ({"item.edit.own"}, True, True), ({"item.edit.own"}, False, False), (set(), True, False)],
)
def test_own_any(held, owner, expected):
    assert allows_on_item(held, "item.edit", is_owner=owner) is expected


@pytest.mark.parametrize(
    "packet,granted_by,denial_action",
    [
        ("admin_roles_list", {"role.manage", "user.change_role"}, "role_update_permissions"),
        ("admin_users_list", {"user.change_role", "user.ban_unban", "account.delete.any"}, "user_set_role"),
        ("admin_role_create", {"role.manage"}, "role_create"),
        ("admin_role_update_permissions", {"role.manage"}, "role_update_permissions"),
        ("admin_role_delete", {"role.manage"}, "role_delete"),
        ("admin_user_set_role", {"user.change_role"}, "user_set_role"),
        ("admin_user_ban", {"user.ban_unban"}, "user_ban"),
        ("admin_user_unban", {"user.ban_unban"}, "user_unban"),
        ("admin_user_delete", {"account.delete.any"}, "user_delete"),
    ],
)
def test_admin_packet_map(packet, granted_by, denial_action):
    assert GATES[packet][1] == denial_action
    for key in PERMISSION_KEYS:
        assert is_allowed(packet, {key}) is (key in granted_by)
