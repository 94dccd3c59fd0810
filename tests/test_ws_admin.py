"""Roles, permissions and admin packets over real websockets (permissions.md).

Every world starts from one data folder in which the command line created the admin
(``admin_data``, made once per module and copied: the command takes longer than the
copy). Tests that change roles, permissions or bans get a fresh world each (``world``);
those that only read or are refused share one (``quiet_world``).
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import ROOT, Client, ConnectionClosed, ServerProcess, copy_data_dir, login, register

LOGIN_FAILED = "We couldn't log you in. Check your details and try again."
RESUME_FAILED = "We couldn't restore your session. Please log in again."


def admin_cli(server: ServerProcess, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "chgrid", "admin", *args, "--data-dir", str(server.data_dir)],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=60,
    )


@pytest.fixture(scope="module")
def admin_data(tmp_path_factory):
    """A data folder holding only the admin (root) that ``chgrid admin create`` made."""
    template = ServerProcess(tmp_path_factory.mktemp("admin") / "data")
    template.data_dir.mkdir(parents=True)
    done = admin_cli(template, "create", "--username", "root", "--password", "rootpass123")
    assert done.returncode == 0, done.stderr + done.stdout
    return template.data_dir


def start_world(admin_data, data_dir):
    """A server on a copy of ``admin_data``, root logged in, alice and bob registered."""
    copy_data_dir(admin_data, data_dir)
    server = ServerProcess(data_dir).start()
    admin, admin_auth, _ = login(server, "root", "rootpass123")
    alice, alice_auth, _ = register(server, "alice")
    bob, _, _ = register(server, "bob")
    return server, admin, alice, bob, admin_auth, alice_auth


@pytest.fixture
def world(tmp_path, admin_data):
    """A fresh world, for a test that changes roles, permissions or bans."""
    world = start_world(admin_data, tmp_path / "data")
    yield world
    world[0].stop()


@pytest.fixture(scope="module")
def quiet_world(tmp_path_factory, admin_data):
    """One world for the tests that change nothing (lists, refusals): the same users and
    roles for each of them, and the same connections."""
    world = start_world(admin_data, tmp_path_factory.mktemp("quiet") / "data")
    yield world
    world[0].stop()


def result_of(client, action):
    return client.expect("admin_action_result", action=action)


def test_admin_gets_menu_and_lists(quiet_world):
    server, admin, alice, bob, admin_auth, _ = quiet_world
    assert [a["id"] for a in admin_auth["adminMenuActions"]] == ["manage_roles", "change_user_role", "ban_user", "unban_user", "delete_account"]
    admin.send({"type": "admin_roles_list"})
    roles = admin.expect("admin_roles_list")
    assert [r["name"] for r in roles["roles"]] == ["admin", "editor", "guest", "user"]
    by_name = {r["name"]: r for r in roles["roles"]}
    assert by_name["admin"]["userCount"] == 1 and by_name["user"]["userCount"] == 2
    assert len(roles["permissionKeys"]) == 19 and roles["permissionKeys"][0] == "item.create"
    assert roles["permissionTooltips"]["chat.send"] == "Allow sending chat messages."
    admin.send({"type": "admin_users_list", "action": "ban"})
    users = admin.expect("admin_users_list")["users"]
    assert [u["username"] for u in users] == ["alice", "bob", "root"]
    assert users[0] == {"id": users[0]["id"], "username": "alice", "role": "user", "status": "active"}


@pytest.mark.parametrize(
    "packet,action",
    [
        ({"type": "admin_roles_list"}, "role_update_permissions"),
        ({"type": "admin_users_list"}, "user_set_role"),
        ({"type": "admin_role_create", "name": "mods"}, "role_create"),
        ({"type": "admin_role_update_permissions", "role": "user", "permissions": []}, "role_update_permissions"),
        ({"type": "admin_role_delete", "role": "guest", "replacementRole": "user"}, "role_delete"),
        ({"type": "admin_user_set_role", "username": "bob", "role": "admin"}, "user_set_role"),
        ({"type": "admin_user_ban", "username": "bob"}, "user_ban"),
        ({"type": "admin_user_unban", "username": "bob"}, "user_unban"),
    ],
)
def test_every_admin_packet_denied_to_users(quiet_world, packet, action):
    _, _, alice, bob, _, _ = quiet_world
    alice.send(packet)
    assert alice.expect("admin_action_result") == {"type": "admin_action_result", "ok": False, "action": action,
                                                   "message": "Not authorized."}
    alice.send({"type": "admin_users_list"})
    assert alice.expect("admin_action_result")["ok"] is False


def test_role_lifecycle_with_live_pushes(world):
    server, admin, alice, bob, _, _ = world
    admin.send({"type": "admin_role_create", "name": " Mods "})
    assert result_of(admin, "role_create")["message"] == "Created role mods."
    admin.send({"type": "admin_role_create", "name": "mods"})
    assert result_of(admin, "role_create")["message"] == "Role already exists."
    admin.send({"type": "admin_role_update_permissions", "role": "mods", "permissions": ["chat.send", "nope"]})
    assert result_of(admin, "role_update_permissions")["message"] == "Unknown permission: nope"
    admin.send({"type": "admin_role_update_permissions", "role": "mods", "permissions": ["chat.send", "user.ban_unban"]})
    assert result_of(admin, "role_update_permissions")["message"] == "Updated permissions for mods."
    admin.send({"type": "admin_user_set_role", "username": "ALICE", "role": "mods"})
    assert result_of(admin, "user_set_role")["message"] == "Set role for alice to mods."
    push = alice.expect("auth_permissions")
    assert push == {"type": "auth_permissions", "role": "mods", "permissions": ["chat.send", "user.ban_unban"],
                    "adminMenuActions": [
                        {"id": "ban_user", "label": "Ban user", "tooltip": "Disable a user account."},
                        {"id": "unban_user", "label": "Unban user", "tooltip": "Re-enable a disabled user account."}]}
    # live: the very next packet is checked against the new set
    alice.send({"type": "admin_users_list", "action": "unban"})
    assert alice.expect("admin_users_list")["users"] == []
    alice.send({"type": "update_nickname", "nickname": "Al"})
    assert alice.expect("nickname_result")["reason"] == "Not authorized to change nickname."
    admin.send({"type": "admin_role_update_permissions", "role": "mods", "permissions": ["chat.send"]})
    result_of(admin, "role_update_permissions")
    assert alice.expect("auth_permissions")["adminMenuActions"] == []
    admin.send({"type": "admin_role_delete", "role": "mods", "replacementRole": "guest"})
    assert result_of(admin, "role_delete")["message"] == "Deleted role mods; reassigned 1 users to guest."
    assert alice.expect("auth_permissions")["role"] == "guest"
    admin.send({"type": "admin_role_delete", "role": "user", "replacementRole": "guest"})
    assert result_of(admin, "role_delete")["message"] == "Admin and user roles cannot be deleted."
    admin.send({"type": "admin_role_update_permissions", "role": "admin", "permissions": []})
    assert result_of(admin, "role_update_permissions")["message"] == "Admin role permissions are locked on."


def test_last_admin_protected(quiet_world):
    _, admin, _, _, _, _ = quiet_world
    admin.send({"type": "admin_user_set_role", "username": "root", "role": "user"})
    assert result_of(admin, "user_set_role")["message"] == "Cannot change role for the last active admin."
    admin.send({"type": "admin_user_ban", "username": "root"})
    assert result_of(admin, "user_ban")["message"] == "Cannot disable the last active admin."
    admin.send({"type": "admin_user_ban", "username": "ghost"})
    assert result_of(admin, "user_ban")["message"] == "User not found."


def test_ban_closes_refuses_and_unban_restores(world):
    server, admin, alice, bob, _, alice_auth = world
    admin.send({"type": "admin_user_ban", "username": "alice"})
    assert alice.expect("auth_permissions")["role"] == "user"
    assert alice.next() == {"type": "auth_result", "ok": False, "message": "Account is disabled."}
    with pytest.raises(ConnectionClosed):
        alice.next()
    assert result_of(admin, "user_ban")["message"] == "Banned alice."
    assert bob.expect("user_left")["id"]
    assert bob.next()["message"] == "alice has logged out."
    c = Client(server.ws_url)
    c.expect("auth_required")
    c.send({"type": "auth_login", "username": "alice", "password": "password123"})
    assert c.expect("auth_result")["message"] == LOGIN_FAILED
    resumed = Client(server.ws_url, cookie=alice_auth["sessionToken"])
    assert resumed.next()["message"] == RESUME_FAILED
    admin.send({"type": "admin_users_list", "action": "unban"})
    assert [u["username"] for u in admin.expect("admin_users_list")["users"]] == ["alice"]
    admin.send({"type": "admin_user_unban", "username": "alice"})
    assert result_of(admin, "user_unban")["message"] == "Unbanned alice."
    again = Client(server.ws_url, cookie=alice_auth["sessionToken"])  # tokens were not revoked
    assert again.next()["ok"] is True


def test_cli_changes_reach_connected_users(world):
    # The server notices the command line's changes by polling its event table (every
    # 2 s, in the server); the waits below end at the pushes themselves.
    server, admin, alice, bob, _, _ = world
    # An account created from the command line changes nobody's permissions: no push.
    done = admin_cli(server, "create", "--username", "carl", "--password", "carlpass123", "--role", "user")
    assert done.returncode == 0, done.stderr + done.stdout
    alice.expect("chat_message", message="bob has logged in.")
    since_carl = len(alice.received)
    done = admin_cli(server, "set-role", "bob", "editor")
    assert done.returncode == 0, done.stderr
    push = bob.expect("auth_permissions", timeout=15)  # the first push bob gets
    assert push["role"] == "editor" and "item.edit.any" in push["permissions"]
    done = admin_cli(server, "ban", "bob")
    assert done.returncode == 0
    # Checked while the server's next poll comes round: the ban is already stored.
    listing = admin_cli(server, "users")
    assert "bob" in listing.stdout and "disabled" in listing.stdout
    bad = admin_cli(server, "set-role", "nobody", "user")
    assert bad.returncode != 0 and "User not found." in (bad.stdout + bad.stderr)
    assert bob.expect("auth_result", timeout=15)["message"] == "Account is disabled."
    # The ban came with a later poll than carl's creation, and a pong leaves after
    # whatever the server queued for alice before: had carl's creation pushed anything to
    # her, it would be here.
    alice.send({"type": "ping", "clientSentAt": 1})
    alice.expect("pong")
    assert [p for p in alice.received[since_carl:] if p["type"].startswith("auth_")] == []


def test_no_escalation_beyond_own_permissions(world):
    """permissions.md §8: a moderator cannot hand out or act on more than they hold."""
    server, admin, alice, bob, _, _ = world
    admin.send({"type": "admin_role_create", "name": "mods"})
    result_of(admin, "role_create")
    mod_perms = ["chat.send", "role.manage", "user.ban_unban", "user.change_role"]
    admin.send({"type": "admin_role_update_permissions", "role": "mods", "permissions": mod_perms})
    result_of(admin, "role_update_permissions")
    admin.send({"type": "admin_user_set_role", "username": "alice", "role": "mods"})
    result_of(admin, "user_set_role")
    alice.expect("auth_permissions")
    for packet, action in [
        ({"type": "admin_user_set_role", "username": "alice", "role": "admin"}, "user_set_role"),
        ({"type": "admin_user_set_role", "username": "bob", "role": "editor"}, "user_set_role"),
        ({"type": "admin_role_update_permissions", "role": "mods", "permissions": mod_perms + ["server.allow_reboot"]},
         "role_update_permissions"),
        ({"type": "admin_user_ban", "username": "root"}, "user_ban"),
        ({"type": "admin_role_delete", "role": "editor", "replacementRole": "user"}, "role_delete"),
    ]:
        alice.send(packet)
        assert alice.expect("admin_action_result", action=action)["message"] == "Not authorized.", packet
    # within their own permissions it works: a user (fewer permissions) can be banned
    admin.send({"type": "admin_role_update_permissions", "role": "user", "permissions": ["chat.send"]})
    result_of(admin, "role_update_permissions")
    alice.send({"type": "admin_user_ban", "username": "bob"})
    assert alice.expect("admin_action_result", action="user_ban")["message"] == "Banned bob."
