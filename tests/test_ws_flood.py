"""Per-user flood control over real sockets: a chat or item flood reaches the others only
up to the burst, and the sender is told once (chat) or per request (item actions).
Both share one server (``shared_server``): the buckets are per user, the users new."""
from __future__ import annotations

from chgrid.settings import LimitsSettings
from chgrid.world.flood import ACTIONS_LIMITED, CHAT_LIMITED
from tests.support import register, settle, unique

LIMITS = LimitsSettings()
FLOOD = 200


def test_chat_flood_reaches_others_only_up_to_the_burst(shared_server):
    sender, _, welcome = register(shared_server, unique("flooder"))
    listener, _, _ = register(shared_server, unique("listener"))
    for i in range(FLOOD):
        sender.send({"type": "chat_message", "message": f"flood {i}"})
    settle(sender)  # the room has handled the whole flood
    listener.send({"type": "chat_message", "message": "end marker"})
    listener.expect("chat_message", message="end marker")
    heard = [p for p in listener.received
             if p["type"] == "chat_message" and p.get("senderId") == welcome["id"]]
    assert 1 <= len(heard) <= LIMITS.chat_burst + 1
    notices = [p for p in sender.received if p["type"] == "chat_message" and p["message"] == CHAT_LIMITED]
    assert len(notices) == 1 and notices[0]["system"] is True
    assert CHAT_LIMITED not in [p.get("message") for p in listener.received]


def test_item_flood_is_refused_to_the_sender(shared_server):
    sender, _, _ = register(shared_server, unique("itemflood"))
    listener, _, _ = register(shared_server, unique("itemwatch"))
    for _ in range(LIMITS.actions_burst + 20):
        sender.send({"type": "item_add", "itemType": "dice"})
    settle(sender)  # the room has handled every request
    results = [p for p in sender.received if p["type"] == "item_action_result"]
    assert len(results) == LIMITS.actions_burst + 20
    placed = [r for r in results if r["ok"]]
    assert 1 <= len(placed) <= LIMITS.actions_burst + 1
    refused = [r for r in results if not r["ok"]]
    assert refused and all(r == {"type": "item_action_result", "ok": False, "action": "add",
                                 "message": ACTIONS_LIMITED} for r in refused)
    listener.send({"type": "chat_message", "message": "end marker"})
    listener.expect("chat_message", message="end marker")
    assert len([p for p in listener.received if p["type"] == "item_upsert"]) == len(placed)
