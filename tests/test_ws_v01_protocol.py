"""The v0.1.0 wire additions against a real server (upstream-0.1.md §1-§5, §7, §27).

``welcome_ready``, the version fields, branding (per grid, in ``auth_required``,
``welcome.serverInfo`` and ``client_branding.json``), ``userId`` in ``welcome``, the
command and item-management metadata and the admin tooltips; and that a 2026-02-28-style
session, which never sends ``welcome_ready``, still plays fully.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import chgrid
from chgrid.identity import DEFAULT_GRID_NAME, DEFAULT_WELCOME_MESSAGE
from chgrid.preflight import read_version_global
from chgrid.ui_metadata import ITEM_MANAGEMENT_ACTIONS, MAIN_MODE_ACTIONS
from tests.support import ROOT, Client, ServerProcess, http_get, login, register, settle

RELEASE = read_version_global(ROOT / "web", "CHGRID_RELEASE_VERSION")
REVISION = read_version_global(ROOT / "web", "CHGRID_CLIENT_REVISION")
SERVER_VERSION = f"{chgrid.__version__} S13"
LOBBY_WELCOME = "Welcome to the lobby."
BRANDING_ENV = {
    "CHGRID_SERVER_GRID_NAME": "  TT Grid  ",  # trimmed
    "CHGRID_SERVER_WELCOME_MESSAGE": "Welcome to TT.",
    "CHGRID_WORLD_GRIDS": "main,lobby,plain",
    "CHGRID_WORLD_BRANDING": json.dumps({"lobby": {"grid_name": "Lobby", "welcome_message": LOBBY_WELCOME},
                                         "plain": {"grid_name": "  "}}),  # blank: server.grid_name
}


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """A branded server with three grids and an admin account ``root``."""
    server = ServerProcess(tmp_path_factory.mktemp("v01") / "data", env=BRANDING_ENV)
    server.data_dir.mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-m", "chgrid", "admin", "create", "--username", "root", "--password", "rootpass123",
         "--data-dir", str(server.data_dir)],
        cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr + done.stdout
    server.start()
    yield server
    server.stop()


def _ws(server: ServerProcess, base: str = "/") -> str:
    return f"ws://127.0.0.1:{server.port}{base}ws"


def _join(server: ServerProcess, name: str, base: str = "/") -> tuple[Client, dict, dict]:
    client = Client(_ws(server, base))
    client.expect("auth_required")
    client.send({"type": "auth_register", "username": name, "password": "password123"})
    result = client.expect("auth_result")
    assert result["ok"], result
    return client, result, client.expect("welcome")


# --------------------------------------------------------------------------- versions and branding

def test_auth_required_carries_branding_and_versions_in_wire_order(grid):
    client = Client(_ws(grid))
    packet = client.expect("auth_required")
    assert list(packet) == ["type", "message", "authPolicy", "gridName", "welcomeMessage",
                            "releaseVersion", "expectedClientRevision", "serverVersion"]
    assert (packet["gridName"], packet["welcomeMessage"]) == ("TT Grid", "Welcome to TT.")
    assert (packet["releaseVersion"], packet["expectedClientRevision"]) == (RELEASE, REVISION)
    assert packet["serverVersion"] == SERVER_VERSION


def test_each_grid_has_its_own_branding(grid):
    lobby = Client(_ws(grid, "/lobby/")).expect("auth_required")
    assert (lobby["gridName"], lobby["welcomeMessage"]) == ("Lobby", LOBBY_WELCOME)
    plain = Client(_ws(grid, "/plain/")).expect("auth_required")
    assert (plain["gridName"], plain["welcomeMessage"]) == ("TT Grid", "Welcome to TT.")
    _, _, welcome = _join(grid, "lobbyist", "/lobby/")
    assert (welcome["serverInfo"]["gridName"], welcome["serverInfo"]["welcomeMessage"]) == ("Lobby", LOBBY_WELCOME)


@pytest.mark.parametrize("path, expected", [
    ("/client_branding.json", {"gridName": "TT Grid", "welcomeMessage": "Welcome to TT."}),
    ("/lobby/client_branding.json", {"gridName": "Lobby", "welcomeMessage": LOBBY_WELCOME}),
    ("/main/client_branding.json", {"gridName": "TT Grid", "welcomeMessage": "Welcome to TT."}),
])
def test_client_branding_json_per_base_path(grid, path, expected):
    status, headers, body = http_get(grid, path)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == expected and list(json.loads(body)) == ["gridName", "welcomeMessage"]


def test_welcome_server_info_user_ids_and_ui_metadata(grid):
    a, ra, wa = _join(grid, "anna")
    b, _, wb = _join(grid, "ben")
    assert wb["serverInfo"] == {
        "instanceId": wa["serverInfo"]["instanceId"], "version": chgrid.__version__,
        "releaseVersion": RELEASE, "serverVersion": SERVER_VERSION, "expectedClientRevision": REVISION,
        "gridName": "TT Grid", "welcomeMessage": "Welcome to TT."}
    # userId: the account id as a decimal string, on player and users[] only.
    assert wa["player"]["userId"] == wa["auth"]["userId"] and wa["player"]["userId"].isdigit()
    assert list(wa["player"]) == ["id", "userId", "nickname", "x", "y"]
    anna = next(u for u in wb["users"] if u["id"] == wa["id"])
    assert anna["userId"] == wa["auth"]["userId"] != wb["player"]["userId"]
    ui = wb["uiDefinitions"]
    assert list(ui) == ["itemTypeOrder", "itemTypes", "commandMetadata", "itemManagement", "adminMenu"]
    assert [(e["id"], e["label"], e["tooltip"]) for e in ui["commandMetadata"]["mainModeActions"]] == list(
        MAIN_MODE_ACTIONS)
    assert ui["commandMetadata"]["mainModeActions"][0] == {
        "id": "addItem", "label": "Add item", "tooltip": "Open the add-item menu."}
    assert ui["itemManagement"] == {"actions": [
        {"id": "transfer", "label": "Transfer item", "tooltip": "Transfer this item to another user.",
         "anyPermission": "item.transfer.any", "ownPermission": "item.transfer.own"},
        {"id": "delete", "label": "Delete item", "tooltip": "Delete this item from the world.",
         "anyPermission": "item.delete.any", "ownPermission": "item.delete.own"}]}
    assert len(ITEM_MANAGEMENT_ACTIONS) == 2 and ui["adminMenu"] == {"actions": []}
    # No other packet gained userId: a move is still {id, x, y}.
    b.send({"type": "update_position", "x": wb["player"]["x"], "y": wb["player"]["y"]})
    assert a.expect("update_position", id=wb["id"]) == {
        "type": "update_position", "id": wb["id"], "x": wb["player"]["x"], "y": wb["player"]["y"]}


def test_two_connections_of_one_account_share_the_user_id(grid):
    first, _, w1 = _join(grid, "twice")
    second, _, w2 = login(_Server(grid), "twice")
    assert w2["player"]["userId"] == w1["player"]["userId"]
    assert next(u for u in w2["users"] if u["id"] == w1["id"])["userId"] == w1["player"]["userId"]


class _Server:
    """``login`` of tests.support takes a server; this one points it at the module's."""

    def __init__(self, server: ServerProcess) -> None:
        self.ws_url = _ws(server)


def test_admin_menu_entries_carry_tooltips_in_all_three_places(grid):
    admin, result, welcome = login(_Server(grid), "root", "rootpass123")
    expected_first = {"id": "manage_roles", "label": "Role management",
                      "tooltip": "Manage roles and their permission sets."}
    assert result["adminMenuActions"][0] == expected_first
    assert welcome["uiDefinitions"]["adminMenu"]["actions"] == result["adminMenuActions"]
    assert all(set(entry) == {"id", "label", "tooltip"} and entry["tooltip"] for entry in result["adminMenuActions"])
    # The third place, a live push: a user made admin gets the same entries.
    user, _, _ = _join(grid, "promoted")
    admin.send({"type": "admin_user_set_role", "username": "promoted", "role": "admin"})
    assert user.expect("auth_permissions")["adminMenuActions"] == result["adminMenuActions"]


def test_version_command_names_the_server(grid):
    client, _, _ = _join(grid, "vera")
    client.send({"type": "chat_message", "message": "/version"})
    assert client.expect("chat_message")["message"] == f"Server version: {SERVER_VERSION}"


# --------------------------------------------------------------------------- welcome_ready

def test_welcome_ready_changes_nothing_and_gets_no_reply(grid):
    # On the grid "plain", which no other test plays on: nothing else reaches a or b.
    a, _, wa = _join(grid, "ready", "/plain/")
    b, _, wb = _join(grid, "watcher", "/plain/")
    assert a.expect("chat_message", message="watcher has logged in.")
    a.send({"type": "welcome_ready", "extra": {"ignored": True}})
    a.send({"type": "welcome_ready"})  # a second one: still nothing
    a.send({"type": "ping", "clientSentAt": -1})
    # Frames of one connection are handled in order: the pong is the next packet.
    assert a.next() == {"type": "pong", "clientSentAt": -1}
    assert settle(a) == [] and settle(b) == []
    # Still in the world, exactly once.
    c, _, wc = _join(grid, "third", "/plain/")
    assert [u["id"] for u in wc["users"]].count(wa["id"]) == 1


def test_welcome_ready_before_login_gets_the_auth_gate(grid):
    client = Client(_ws(grid))
    client.expect("auth_required")
    client.send({"type": "welcome_ready"})
    assert client.next() == {"type": "auth_result", "ok": False,
                             "message": "Authenticate before sending gameplay actions."}


def test_a_2026_02_28_session_never_sends_welcome_ready_and_plays_fully(grid):
    old, _, wo = _join(grid, "oldclient")
    new, _, wn = _join(grid, "newclient")
    new.send({"type": "welcome_ready"})
    assert any(u["id"] == wo["id"] for u in wn["users"])  # in the roster since its welcome
    x, y = wo["player"]["x"], wo["player"]["y"]
    step = (x + 1, y) if x + 1 < 41 else (x - 1, y)
    old.send({"type": "update_position", "x": step[0], "y": step[1]})
    assert new.expect("update_position", id=wo["id"])["x"] == step[0]
    old.send({"type": "chat_message", "message": "still here"})
    assert new.expect("chat_message", message="still here")["senderId"] == wo["id"]
    old.send({"type": "update_nickname", "nickname": "Oldie"})
    assert old.expect("nickname_result")["accepted"] is True
    assert new.expect("update_nickname", id=wo["id"])["nickname"] == "Oldie"
    old.send({"type": "item_add", "itemType": "dice"})
    item = new.expect("item_upsert")["item"]
    assert old.expect("item_action_result", action="add")["ok"] is True
    old.send({"type": "item_delete", "itemId": item["id"]})
    assert old.expect("item_action_result", action="delete")["message"] == f"You deleted {item['title']} (dice)."
    assert new.expect("chat_message", where=lambda p: "deleted" in p["message"])["message"] == (
        f"Oldie deleted {item['title']} (dice).")


# --------------------------------------------------------------------------- other web roots

def test_versions_follow_the_served_client(tmp_path):
    """A 2026-02-28 build: no release/revision (omitted from auth_required, "" in
    serverInfo); a v0.1.0 build: its own revision; CHGRID_SERVER_VERSION overrides."""
    old_root, new_root = tmp_path / "old", tmp_path / "new"
    for root, text in [(old_root, 'window.CHGRID_WEB_VERSION = "2026.02.28 R317";\n'),
                       (new_root, 'window.CHGRID_RELEASE_VERSION = "0.1.1";\n'
                                  'window.CHGRID_CLIENT_REVISION = "R352";\n')]:
        root.mkdir()
        (root / "index.html").write_text("<html></html>")
        (root / "version.js").write_text(text)
    server = ServerProcess(tmp_path / "d1", extra_args=["--web-root", str(old_root)]).start()
    try:
        client = Client(server.ws_url)
        packet = client.expect("auth_required")
        assert "releaseVersion" not in packet and "expectedClientRevision" not in packet
        assert (packet["gridName"], packet["welcomeMessage"]) == (DEFAULT_GRID_NAME, DEFAULT_WELCOME_MESSAGE)
        assert packet["serverVersion"] == SERVER_VERSION
        _, _, welcome = register(server, "olduser")
        info = welcome["serverInfo"]
        assert (info["version"], info["releaseVersion"], info["expectedClientRevision"]) == ("2026.02.28 R317", "", "")
    finally:
        server.stop()
    server = ServerProcess(tmp_path / "d2", extra_args=["--web-root", str(new_root)],
                           env={"CHGRID_SERVER_VERSION": " custom 7 "}).start()
    try:
        packet = Client(server.ws_url).expect("auth_required")
        assert (packet["releaseVersion"], packet["expectedClientRevision"], packet["serverVersion"]) == (
            "0.1.1", "R352", "custom 7")
        _, _, welcome = register(server, "newuser")
        # No CHGRID_WEB_VERSION in a v0.1.0 build: the old rule's "unknown" (never reloads).
        assert welcome["serverInfo"]["version"] == "custom 7"
        assert welcome["serverInfo"]["expectedClientRevision"] == "R352"
    finally:
        server.stop()
