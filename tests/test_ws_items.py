"""Items over real websockets: lifecycle, permissions, validation, persistence (items.md).

The tests share one server (``shared_server``): each uses usernames of its own and finds
its items by id, so items others left in the world do not matter. Only the kill -9 test,
which restarts the server and checks the whole item list, has a server of its own.
"""
from __future__ import annotations

import pytest

from tests.support import Client, ServerProcess, register, settle, unique


def place_together(a, wa, b, wb, x=10, y=10):
    """Teleport both to one tile and drain the resulting packets."""
    for client in (a, b):
        client.send({"type": "teleport_complete", "x": x, "y": y})
    a.expect("teleport_complete")
    b.expect("teleport_complete")


@pytest.fixture
def pair(shared_server):
    """Two users on one tile: (server, a, a's welcome, b, b's welcome); a's username is
    ``wa["auth"]["username"]``."""
    a, _, wa = register(shared_server, unique("anna"))
    ben = unique("ben")
    b, _, wb = register(shared_server, ben)
    a.expect("chat_message", message=f"{ben} has logged in.")
    place_together(a, wa, b, wb)
    return shared_server, a, wa, b, wb


def add(client, item_type):
    client.send({"type": "item_add", "itemType": item_type})
    upsert = client.expect("item_upsert")
    result = client.expect("item_action_result", action="add")
    assert result["ok"], result
    return upsert["item"]


def test_whole_lifecycle_with_two_users(pair):
    server, a, wa, b, wb = pair
    anna = wa["auth"]["username"]
    item = add(a, "dice")
    assert item["title"] == "Dice" and item["useSound"] == "sounds/roll.ogg" and "carrierId" not in item
    assert item["display"]["carrierId"] == "none" and item["display"]["useSound"] == "roll.ogg"
    assert b.expect("item_upsert")["item"]["id"] == item["id"]
    assert b.expect("chat_message")["message"] == f"{anna} placed Dice (dice) at 10, 10."
    # update
    a.send({"type": "item_update", "itemId": item["id"], "title": " Big dice ", "params": {"sides": "20", "hacked": 1}})
    updated = a.expect("item_upsert")["item"]
    assert updated["title"] == "Big dice" and updated["params"] == {"sides": 20, "number": 2} and updated["version"] == 2
    assert a.expect("item_action_result") == {"type": "item_action_result", "ok": True, "action": "update",
                                              "message": "Updated Big dice.", "itemId": item["id"]}
    # use: others' chat line, sound to all, then the result
    a.send({"type": "item_use", "itemId": item["id"]})
    sound = a.expect("item_use_sound")
    assert sound == {"type": "item_use_sound", "itemId": item["id"], "sound": "sounds/roll.ogg", "x": 10, "y": 10, "range": 15}
    result = a.expect("item_action_result", action="use")
    assert result["message"].startswith("You rolled Big dice: ") and "(total " in result["message"]
    line = b.expect("chat_message")
    assert line["message"].startswith(f"{anna} rolled Big dice: ")
    assert b.expect("item_use_sound")["itemId"] == item["id"]
    a.send({"type": "item_use", "itemId": item["id"]})
    assert "is on cooldown for" in a.expect("item_action_result", action="use")["message"]
    # pickup, move (the item follows), drop
    a.send({"type": "item_pickup", "itemId": item["id"]})
    carried = a.expect("item_upsert")["item"]
    assert carried["carrierId"] == wa["id"] and carried["display"]["carrierId"] == anna
    assert a.expect("item_action_result")["message"] == "Picked up Big dice."
    assert b.expect("chat_message", message=f"{anna} picked up Big dice (dice).")
    b.send({"type": "item_use", "itemId": item["id"]})
    assert b.expect("item_action_result", action="use")["message"] == "Item is not available."
    # a's first step since joining (teleports do not count): accepted without waiting.
    a.send({"type": "update_position", "x": 11, "y": 10})
    followed = b.expect("item_upsert")["item"]
    assert (followed["x"], followed["y"], followed["version"]) == (11, 10, 2)
    a.send({"type": "item_drop", "itemId": item["id"], "x": 11, "y": 10})
    dropped = a.expect("item_upsert", where=lambda p: "carrierId" not in p["item"])["item"]
    assert "carrierId" not in dropped and (dropped["x"], dropped["y"]) == (11, 10)
    assert a.expect("item_action_result")["message"] == "Dropped Big dice at 11, 10."
    # delete
    a.send({"type": "item_delete", "itemId": item["id"]})
    assert a.expect("item_remove") == {"type": "item_remove", "itemId": item["id"]}
    assert a.expect("item_action_result")["message"] == "You deleted Big dice (dice)."
    assert b.expect("item_remove")["itemId"] == item["id"]
    assert b.expect("chat_message", where=lambda p: "deleted" in p["message"]) == {
        "type": "chat_message", "message": f"{anna} deleted Big dice (dice).", "system": True,
        "action": False}


def test_permission_denials_and_location_checks(shared_server):
    a, _, wa = register(shared_server, unique("anna"))
    b, _, wb = register(shared_server, unique("ben"))
    place_together(a, wa, b, wb)
    item = add(a, "wheel")
    for packet, action, message in [
        ({"type": "item_update", "itemId": item["id"], "title": "mine"}, "update", "Not authorized to edit this item."),
        ({"type": "item_delete", "itemId": item["id"]}, "delete", "Not authorized to delete this item."),
        ({"type": "item_pickup", "itemId": item["id"]}, "pickup", "Not authorized to pick up this item."),
    ]:
        b.send(packet)
        assert b.expect("item_action_result", action=action) == {
            "type": "item_action_result", "ok": False, "action": action, "message": message, "itemId": item["id"]}
    b.send({"type": "item_use", "itemId": "nope"})
    assert b.expect("item_action_result", action="use") == {"type": "item_action_result", "ok": False,
                                                            "action": "use", "message": "Item not found."}
    b.send({"type": "item_add", "itemType": "rocket"})
    assert b.expect("item_action_result", action="add")["message"] == "Unknown item type."
    b.send({"type": "teleport_complete", "x": 0, "y": 0})
    b.send({"type": "item_use", "itemId": item["id"]})
    assert b.expect("item_action_result", action="use")["message"] == "Item is not on your square."


@pytest.mark.parametrize(
    "item_type,params,message",
    [
        ("dice", {"sides": "many"}, "Dice values must be numbers."),
        ("dice", {"number": 101}, "Dice sides and number must be between 1 and 100."),
        ("dice", {"sides": "12.5"}, "Dice values must be numbers."),
        ("wheel", {"spaces": " , ,"}, "spaces must include at least one value, separated by commas."),
        ("wheel", {"spaces": 5}, "spaces must be a comma-delimited string."),
        ("widget", {"emitRange": 21}, "emitRange must be between 1 and 20."),
        ("widget", {"facing": "north"}, "facing must be a number between 0 and 360."),
        ("widget", {"emitEffect": "chorus"}, "emitEffect must be one of reverb, echo, flanger, high_pass, low_pass, off."),
        ("widget", {"useSound": "x" * 2049}, "useSound must be 2048 characters or less."),
    ],
)
def test_bad_params_are_refused_and_change_nothing(shared_server, item_type, params, message):
    server, anna = shared_server, unique("anna")
    a, _, _ = register(server, anna)
    item = add(a, item_type)
    a.send({"type": "item_update", "itemId": item["id"], "title": "renamed", "params": params})
    assert a.expect("item_action_result", action="update") == {
        "type": "item_action_result", "ok": False, "action": "update", "message": message, "itemId": item["id"]}
    a.send({"type": "item_update", "itemId": item["id"], "title": "   "})
    assert a.expect("item_action_result", action="update")["message"] == "Title cannot be empty."
    a.close()
    again = Client(server.ws_url)
    again.expect("auth_required")
    again.send({"type": "auth_login", "username": anna, "password": "password123"})
    welcome = again.expect("welcome")
    stored = next(i for i in welcome["items"] if i["id"] == item["id"])
    assert stored["title"] == item["title"] and stored["params"] == item["params"] and stored["version"] == 1


def test_wheel_result_arrives_later_others_first(pair):
    # The server's own clock (3 s, items.md §10.5) must run here: it cannot be injected
    # into a server process. The waits below end at the result.
    server, a, wa, b, wb = pair
    wheel = add(a, "wheel")
    a.send({"type": "item_update", "itemId": wheel["id"], "params": {"spaces": "pizza"}})
    a.expect("item_action_result", action="update")
    a.send({"type": "item_use", "itemId": wheel["id"]})
    assert a.expect("item_action_result", action="use")["message"] == "You spin wheel."
    b.expect("chat_message", message=f"{wa['auth']['username']} spins wheel.")
    # Later, not with the spin: the room answers both of them before the result comes.
    early = settle(b) + settle(a)
    assert [p["type"] for p in early if p["type"] != "item_use_sound"] == [], early
    assert b.expect("chat_message", timeout=6) == {"type": "chat_message", "message": "pizza", "system": True, "action": False}
    assert a.expect("chat_message", timeout=6)["message"] == "pizza"


def test_widget_toggle_and_use_sound(pair):
    server, a, wa, b, wb = pair
    widget = add(a, "widget")
    a.send({"type": "item_update", "itemId": widget["id"], "params": {"useSound": "/sounds/notify.ogg", "emitRange": "7"}})
    updated = a.expect("item_upsert")["item"]
    assert updated["params"]["useSound"] == "sounds/notify.ogg" and updated["params"]["emitRange"] == 7
    a.send({"type": "item_use", "itemId": widget["id"]})
    toggled = a.expect("item_upsert")["item"]
    assert toggled["params"]["enabled"] is False and toggled["version"] == updated["version"]
    assert a.expect("item_use_sound")["range"] == 7
    assert a.expect("item_action_result", action="use")["message"] == "You turn off widget."


def test_disconnect_drops_carried_item(pair):
    server, a, wa, b, wb = pair
    item = add(a, "dice")
    a.send({"type": "item_pickup", "itemId": item["id"]})
    a.expect("item_action_result", action="pickup")
    a.close()
    dropped = b.expect("item_upsert", where=lambda p: p["item"]["updatedBy"] == "system")["item"]
    assert "carrierId" not in dropped and dropped["updatedBy"] == "system" and dropped["updatedByName"] == "system"
    assert b.expect("user_left")


def test_acknowledged_item_survives_kill_9(tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    try:
        a, _, _ = register(server, "anna")
        item = add(a, "dice")
        a.send({"type": "item_update", "itemId": item["id"], "params": {"sides": 12}})
        a.expect("item_action_result", action="update")
        server.kill()
        server.start()
        again = Client(server.ws_url)
        again.expect("auth_required")
        again.send({"type": "auth_login", "username": "anna", "password": "password123"})
        items = again.expect("welcome")["items"]
        assert [(i["id"], i["params"]["sides"], i["version"]) for i in items] == [(item["id"], 12, 2)]
    finally:
        server.stop()
