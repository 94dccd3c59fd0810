"""Permanent account deletion over real websockets and from the command line
(upstream-0.1 §8, §9, §27.1).

Each test that deletes gets a fresh world (``start_world`` of test_ws_admin: root the
admin, alice and bob users, all connected); the refusals share one.
"""
from __future__ import annotations

import pytest

from tests.support import Client, ConnectionClosed, login, register, settle
from tests.test_ws_admin import LOGIN_FAILED, RESUME_FAILED, admin_cli, admin_data, result_of, start_world  # noqa: F401

DELETED = {"type": "auth_result", "ok": False, "message": "Account deleted."}


@pytest.fixture
def world(tmp_path, admin_data):  # noqa: F811
    world = start_world(admin_data, tmp_path / "data")
    yield world
    world[0].stop()


def closed(client):
    """Read until the server closes ``client``; the packets read on the way."""
    seen = []
    with pytest.raises(ConnectionClosed):
        while True:
            seen.append(client.next())
    return seen


def test_users_list_for_deletion_lists_everyone(world):
    server, admin, alice, bob, _, _ = world
    admin.send({"type": "admin_user_ban", "username": "bob"})
    result_of(admin, "user_ban")
    admin.send({"type": "admin_users_list", "action": "delete_account"})
    users = admin.expect("admin_users_list")["users"]
    assert [(u["username"], u["status"]) for u in users] == [
        ("alice", "active"), ("bob", "disabled"), ("root", "active")]
    admin.send({"type": "admin_users_list", "action": "delete_everything"})
    assert admin.expect("protocol_error")["packetType"] == "admin_users_list"


def test_delete_permission_alone_opens_the_list_and_deletion(world):
    server, admin, alice, bob, _, _ = world
    admin.send({"type": "admin_role_create", "name": "reaper"})
    result_of(admin, "role_create")
    # No admin permission but deletion; a guest's rights too, so that deleting a guest
    # does not reach beyond what the deleter holds (chgrid's escalation rule).
    guest = ["chat.send", "item.use", "profile.update_nickname", "voice.send"]
    admin.send({"type": "admin_role_update_permissions", "role": "reaper",
                "permissions": ["account.delete.any", *guest]})
    result_of(admin, "role_update_permissions")
    for name, role in (("alice", "reaper"), ("bob", "guest")):
        admin.send({"type": "admin_user_set_role", "username": name, "role": role})
        result_of(admin, "user_set_role")
    push = alice.expect("auth_permissions")
    assert [a["id"] for a in push["adminMenuActions"]] == ["delete_account"]
    assert push["adminMenuActions"][0] == {"id": "delete_account", "label": "Delete account",
                                           "tooltip": "Delete a user account permanently."}
    alice.send({"type": "admin_users_list", "action": "delete_account"})
    assert len(alice.expect("admin_users_list")["users"]) == 3
    alice.send({"type": "admin_user_delete", "username": " BOB "})
    assert result_of(alice, "user_delete") == {"type": "admin_action_result", "ok": True,
                                               "action": "user_delete", "message": "Deleted account bob."}
    assert bob.expect("auth_result") == DELETED
    # An account whose role holds more than the deleter does is out of reach. permissions exceed the deleter's is out of reach.
    alice.send({"type": "admin_user_delete", "username": "root"})
    assert result_of(alice, "user_delete")["message"] == "Not authorized."


def test_refusals_in_order(world):
    server, admin, alice, bob, _, _ = world
    alice.send({"type": "admin_user_delete", "username": "bob"})
    assert result_of(alice, "user_delete") == {"type": "admin_action_result", "ok": False,
                                               "action": "user_delete", "message": "Not authorized."}
    admin.send({"type": "admin_user_delete", "username": "ghost"})
    assert result_of(admin, "user_delete")["message"] == "User not found."
    admin.send({"type": "admin_user_delete", "username": "root"})
    assert result_of(admin, "user_delete")["message"] == "Cannot delete the last active admin."
    admin.send({"type": "admin_user_delete", "username": ""})
    assert admin.expect("protocol_error")["packetType"] == "admin_user_delete"
    assert settle(bob) == []  # nobody was told anything


def test_deletion_closes_every_connection_and_ends_the_tokens(world):
    server, admin, alice, bob, _, alice_auth = world
    second, second_auth, _ = login(server, "alice")
    alice.send({"type": "item_add", "itemType": "dice"})
    item = alice.expect("item_upsert")["item"]
    alice.expect("item_action_result", action="add")
    settle(bob)
    settle(admin)
    admin.send({"type": "admin_user_delete", "username": "alice"})
    assert closed(alice)[-1] == DELETED
    assert [p for p in closed(second) if p["type"] == "auth_result"] == [DELETED]
    assert result_of(admin, "user_delete")["message"] == "Deleted account alice."
    assert bob.expect("user_left")
    assert bob.expect("user_left")
    assert bob.expect("chat_message")["message"] == "alice has logged out."
    # Tokens are gone: neither resumes; the password no longer logs in.
    for token in (alice_auth["sessionToken"], second_auth["sessionToken"]):
        resumed = Client(server.ws_url, cookie=token)
        reply = resumed.next()
        assert (reply["type"], reply["ok"], reply["message"]) == ("auth_result", False, RESUME_FAILED)
    again = Client(server.ws_url)
    again.expect("auth_required")
    again.send({"type": "auth_login", "username": "alice", "password": "password123"})
    assert again.expect("auth_result")["message"] == LOGIN_FAILED
    assert server.sql("SELECT COUNT(*) FROM sessions s LEFT JOIN users u ON u.id = s.user_id "
                      "WHERE u.id IS NULL") == [(0,)]
    assert server.sql("SELECT COUNT(*) FROM user_state WHERE user_id = ?",
                      (int(item["createdBy"]),)) == [(0,)]
    # Items are kept with their old owner; a new alice is someone else.
    fresh, _, welcome = register(server, "alice")
    kept = [i for i in welcome["items"] if i["id"] == item["id"]]
    assert [(i["createdBy"], i["createdByName"]) for i in kept] == [(item["createdBy"], "alice")]
    assert welcome["auth"]["userId"] != item["createdBy"]
    fresh.send({"type": "item_delete", "itemId": item["id"]})
    assert fresh.expect("item_action_result", action="delete")["ok"] is False


def test_self_deletion_closes_the_deleter(world):
    server, admin, alice, bob, _, _ = world
    admin.send({"type": "admin_user_set_role", "username": "bob", "role": "admin"})
    result_of(admin, "user_set_role")
    admin.send({"type": "admin_user_delete", "username": "root"})
    assert DELETED in closed(admin)
    assert bob.expect("chat_message", message="root has logged out.")


def test_cli_delete_reaches_connected_users(world):
    server, admin, alice, bob, _, _ = world
    done = admin_cli(server, "delete", "root")
    assert done.returncode == 1 and "Cannot delete the last active admin." in done.stderr
    done = admin_cli(server, "delete", "nobody")
    assert done.returncode == 1 and "User not found." in done.stderr
    done = admin_cli(server, "delete", "Bob")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Deleted account bob."
    # The server notices through its event poll (every 2 s).
    assert bob.expect("auth_result", timeout=15) == DELETED
    assert alice.expect("chat_message", message="bob has logged out.", timeout=15)
    assert "bob" not in admin_cli(server, "users").stdout
