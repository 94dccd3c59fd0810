"""Item transfer over real websockets (upstream-0.1 §6, §9, §27.3).

One world per module (``world``): root (admin, made by ``chgrid admin create``), alice
and bob (user), carl (editor), gus (guest) and dave (banned). Every test places its own
items and looks them up by id, so what earlier tests left behind does not matter.
"""
from __future__ import annotations

import pytest

from tests.support import ServerProcess, login, register, settle
from tests.test_ws_admin import admin_cli

# The tests send many item packets in a row: keep the action flood limit out of the way.
ROOMY = {"CHGRID_LIMITS_ACTIONS_BURST": "1000", "CHGRID_LIMITS_ACTIONS_PER_SECOND": "1000"}

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    data = tmp_path_factory.mktemp("transfer") / "data"
    template = ServerProcess(data)
    data.mkdir(parents=True)
    done = admin_cli(template, "create", "--username", "root", "--password", "rootpass123")
    assert done.returncode == 0, done.stderr + done.stdout
    server = ServerProcess(data, env=ROOMY).start()
    root, _, root_welcome = login(server, "root", "rootpass123")
    clients = {"root": (root, root_welcome)}
    for name in ("alice", "bob", "carl", "gus", "dave"):
        client, _, welcome = register(server, name)
        clients[name] = (client, welcome)
    for name, role in (("carl", "editor"), ("gus", "guest")):
        root.send({"type": "admin_user_set_role", "username": name, "role": role})
        assert root.expect("admin_action_result", action="user_set_role")["ok"]
    root.send({"type": "admin_user_ban", "username": "dave"})
    assert root.expect("admin_action_result", action="user_ban")["ok"]
    ids = {name: welcome["auth"]["userId"] for name, (_, welcome) in clients.items()}
    conns = {name: client for name, (client, _) in clients.items() if name != "dave"}
    for client in conns.values():  # everyone on one square, nothing left to read
        client.send({"type": "teleport_complete", "x": 5, "y": 5})
    for client in conns.values():
        settle(client)
    yield server, conns, ids
    server.stop()


def add(client, item_type="dice"):
    client.send({"type": "item_add", "itemType": item_type})
    item = client.expect("item_upsert")["item"]
    assert client.expect("item_action_result", action="add")["ok"]
    return item


def answer(client, packet):
    """Send ``packet`` and return the first transfer answer (targets or a result)."""
    client.send(packet)
    while True:
        reply = client.next()
        if reply["type"] == "item_transfer_targets" or (
                reply["type"] == "item_action_result" and reply["action"] == "transfer"):
            return reply


def refusal(message, item_id=None):
    result = {"type": "item_action_result", "ok": False, "action": "transfer", "message": message}
    if item_id is not None:
        result["itemId"] = item_id
    return result


def test_default_roles_hold_the_transfer_permissions(world):
    _, conns, _ = world
    conns["root"].send({"type": "admin_roles_list"})
    roles = {r["name"]: set(r["permissions"]) for r in conns["root"].expect("admin_roles_list")["roles"]}
    held = {name: perms & {"item.transfer.own", "item.transfer.any"} for name, perms in roles.items()}
    assert held == {"admin": {"item.transfer.own", "item.transfer.any"},
                    "editor": {"item.transfer.own", "item.transfer.any"},
                    "user": {"item.transfer.own"}, "guest": set()}


@pytest.mark.parametrize("packet_type", ["item_transfer_targets", "item_transfer"])
def test_checks_one_to_four_in_order(world, packet_type):
    _, conns, ids = world
    alice, bob, gus = conns["alice"], conns["bob"], conns["gus"]
    extra = {"targetUserId": ids["bob"]} if packet_type == "item_transfer" else {}
    assert answer(alice, {"type": packet_type, "itemId": "nope", **extra}) == refusal("Item not found.")
    item = add(alice)
    # 2: carried, by the requester or anyone else
    alice.send({"type": "item_pickup", "itemId": item["id"]})
    alice.expect("item_action_result", action="pickup")
    carried = refusal("Item cannot be transferred while carried.", item["id"])
    assert answer(alice, {"type": packet_type, "itemId": item["id"], **extra}) == carried
    assert answer(bob, {"type": packet_type, "itemId": item["id"], **extra}) == carried
    # 3: not on the requester's square
    alice.send({"type": "item_drop", "itemId": item["id"], "x": 6, "y": 5})
    alice.expect("item_action_result", action="drop")
    assert answer(alice, {"type": packet_type, "itemId": item["id"], **extra}) == refusal(
        "Item is not on your square.", item["id"])
    alice.send({"type": "item_pickup", "itemId": item["id"]})  # fails: another square
    alice.expect("item_action_result", action="pickup")
    # 4: someone else's item without transfer.any; a guest holds neither permission
    other = add(alice)
    denied = refusal("Not authorized to transfer this item.", other["id"])
    assert answer(bob, {"type": packet_type, "itemId": other["id"], **extra}) == denied
    assert answer(gus, {"type": packet_type, "itemId": other["id"], **extra}) == denied


def test_targets_are_active_accounts_but_the_owner_sorted_with_online(world):
    server, conns, ids = world
    alice, root = conns["alice"], conns["root"]
    # An account that never connected is offered too, offline.
    done = admin_cli(server, "create", "--username", "Bea", "--password", "beapass1234", "--role", "user")
    assert done.returncode == 0, done.stderr
    item = add(alice)
    reply = answer(alice, {"type": "item_transfer_targets", "itemId": item["id"]})
    targets = reply["targets"]
    assert reply["itemId"] == item["id"]
    names = [t["username"] for t in targets]
    assert names == ["bea", "bob", "carl", "gus", "root"]  # not alice (owner), not dave (banned)
    by_name = {t["username"]: t for t in targets}
    assert by_name["bob"] == {"userId": ids["bob"], "username": "bob", "online": True}
    assert by_name["bea"]["online"] is False
    # An admin who is not the owner is offered too (self-transfer is allowed).
    reply = answer(root, {"type": "item_transfer_targets", "itemId": item["id"]})
    assert "root" in [t["username"] for t in reply["targets"]]
    assert "alice" not in [t["username"] for t in reply["targets"]]


def test_transfer_refuses_blank_owner_unknown_and_banned_targets(world):
    _, conns, ids = world
    alice = conns["alice"]
    item = add(alice)
    for target, message in (("   ", "Target user is not available."),
                            (ids["alice"], "Item already belongs to that user."),
                            (f" {ids['alice']} ", "Item already belongs to that user."),
                            ("999999", "Target user is not available."),
                            ("abc", "Target user is not available."),
                            (ids["dave"], "Target user is not available.")):
        reply = answer(alice, {"type": "item_transfer", "itemId": item["id"], "targetUserId": target})
        assert reply == refusal(message, item["id"]), target
    alice.send({"type": "item_transfer", "itemId": item["id"], "targetUserId": 3})  # a number: dropped
    assert alice.expect("protocol_error")["packetType"] == "item_transfer"
    assert settle(alice) == []  # nothing changed, nothing broadcast


def test_transfer_changes_owner_and_tells_everyone(world):
    _, conns, ids = world
    alice, bob, carl = conns["alice"], conns["bob"], conns["carl"]
    item = add(alice, "radio_station")
    settle(bob)
    alice.send({"type": "item_transfer", "itemId": item["id"], "targetUserId": f" {ids['bob']} "})
    upsert = alice.expect("item_upsert")["item"]
    assert (upsert["createdBy"], upsert["createdByName"]) == (ids["bob"], "bob")
    assert (upsert["updatedBy"], upsert["updatedByName"]) == (ids["alice"], "alice")
    assert upsert["version"] == item["version"] + 1 and (upsert["x"], upsert["y"]) == (item["x"], item["y"])
    assert alice.next() == {"type": "item_action_result", "ok": True, "action": "transfer",
                            "message": f"You transferred {item['title']} (radio) to bob.", "itemId": item["id"]}
    assert bob.expect("item_upsert")["item"]["createdBy"] == ids["bob"]
    assert bob.next()["message"] == f"alice transferred {item['title']} (radio) to bob."
    # The former owner has lost every .own right on it; the new owner has them.
    assert answer(alice, {"type": "item_transfer_targets", "itemId": item["id"]}) == refusal(
        "Not authorized to transfer this item.", item["id"])
    alice.send({"type": "item_delete", "itemId": item["id"]})
    assert alice.expect("item_action_result", action="delete")["ok"] is False
    reply = answer(bob, {"type": "item_transfer_targets", "itemId": item["id"]})
    assert "bob" not in [t["username"] for t in reply["targets"]]
    # An editor may transfer anybody's item, to themselves too.
    carl.send({"type": "item_transfer", "itemId": item["id"], "targetUserId": ids["carl"]})
    assert carl.expect("item_action_result", action="transfer")["message"] == (
        f"You transferred {item['title']} (radio) to carl.")


def test_acknowledged_transfer_survives_kill_9(tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    try:
        anna, _, _ = register(server, "anna")
        ben, _, ben_welcome = register(server, "ben")
        item = add(anna)
        anna.send({"type": "item_transfer", "itemId": item["id"], "targetUserId": ben_welcome["auth"]["userId"]})
        assert anna.expect("item_action_result", action="transfer")["ok"]
        server.kill()
        server.start()
        again, _, welcome = login(server, "ben")
        kept = [(i["id"], i["createdBy"], i["createdByName"], i["version"]) for i in welcome["items"]]
        assert kept == [(item["id"], ben_welcome["auth"]["userId"], "ben", 2)]
    finally:
        server.stop()
