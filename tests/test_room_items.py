"""RoomActor item actions driven directly, with a recording outbox and a fake clock."""
from __future__ import annotations

import json
import random

import pytest

from typing import cast

from chgrid.actors.room import RoomActor, RoomProxy, WorldInfo
from chgrid.items.registry import default_registry
from tests.fake_clock import FakeClock
from tests.recording_outbox import RecordingOutbox
from tests.stateful_support import fake_account, plugins_for
from tests.test_room_actor import POLICY, Grant, ManualScheduler

PERMS = ("item.create", "item.edit.own", "item.delete.own", "item.pickup_drop.own", "item.use", "chat.send")


class MemoryStore:
    """Records what the room persists, in the order of its transactions."""

    def __init__(self, items=()):
        self.items = {i.id: i for i in items}
        self.transactions = []

    def load_all(self):
        return list(self.items.values())

    def apply(self, upserts=(), deletes=(), songs=()):
        self.transactions.append(([u.id for u in upserts], list(deletes)))
        for u in upserts:
            self.items[u.id] = u.copy()
        for d in deletes:
            self.items.pop(d, None)

    def apply_later(self, upserts=(), deletes=(), songs=()):
        self.apply(upserts, deletes, songs)

    def load_songs(self):
        return {}


@pytest.fixture
def room():
    clock, outbox, store, scheduler = FakeClock(), RecordingOutbox(), MemoryStore(), ManualScheduler()
    world = WorldInfo(41, "inst", "0.1.0", POLICY, clock.monotonic())
    ref = RoomActor.start("main", world, fake_account(), outbox, clock, scheduler,
                          item_registry=default_registry(), item_store=store,
                          plugins=plugins_for(default_registry()), rng=random.Random(3))
    proxy = cast(RoomProxy, ref.proxy())
    proxy.join("a", Grant(1, "ann", "ann", permissions=PERMS, last_x=5, last_y=5)).get()
    proxy.join("b", Grant(2, "bob", "bob", permissions=PERMS, last_x=5, last_y=5)).get()
    outbox.sent.clear()
    yield proxy, outbox, store, clock, scheduler
    ref.stop()


def packets(outbox, cid):
    return [json.loads(f) for c, f in outbox.sent if c == cid]


def do(room, cid, packet_type, data):
    proxy, outbox, *_ = room
    outbox.sent.clear()
    proxy.handle(cid, packet_type, data).get()
    return packets(outbox, cid)


def add(room, item_type):
    out = do(room, "a", "item_add", {"itemType": item_type})
    return out[0]["item"]["id"]


def test_add_persists_before_acknowledging_and_announces(room):
    proxy, outbox, store, *_ = room
    item_id = add(room, "dice")
    assert store.transactions == [([item_id], [])]
    assert [p["type"] for p in packets(outbox, "b")] == ["item_upsert", "chat_message"]
    assert packets(outbox, "a")[-1] == {"type": "item_action_result", "ok": True, "action": "add",
                                        "message": "You placed Dice (dice) at 5, 5.", "itemId": item_id}


def test_use_order_and_cooldown_with_injected_clock(room):
    proxy, outbox, store, clock, _ = room
    item_id = add(room, "dice")
    out = do(room, "a", "item_use", {"itemId": item_id})
    assert [p["type"] for p in out] == ["item_use_sound", "item_action_result"]
    assert [p["type"] for p in packets(outbox, "b")] == ["chat_message", "item_use_sound"]
    clock.advance(0.4)
    out = do(room, "b", "item_use", {"itemId": item_id})
    assert out[-1]["message"] == "Dice is on cooldown for 0.6 s."
    clock.advance(0.6)
    assert do(room, "b", "item_use", {"itemId": item_id})[-1]["ok"] is True


def test_wheel_result_is_scheduled_and_goes_to_others_first(room):
    proxy, outbox, store, clock, scheduler = room
    item_id = add(room, "wheel")
    do(room, "a", "item_update", {"itemId": item_id, "params": {"spaces": "tea"}})
    do(room, "a", "item_use", {"itemId": item_id})
    delay, callback = scheduler.calls[-1]
    assert delay == 3.0
    outbox.sent.clear()
    callback()
    proxy.snapshot().get()  # barrier: the delayed line was handled
    lines = [(c, json.loads(f)["message"]) for c, f in outbox.sent]
    assert lines == [("b", "tea"), ("a", "tea")]


def test_pickup_carry_drop_and_disconnect(room):
    proxy, outbox, store, clock, _ = room
    item_id = add(room, "dice")
    assert do(room, "a", "item_pickup", {"itemId": item_id})[-1]["message"] == "Picked up Dice."
    assert do(room, "b", "item_pickup", {"itemId": item_id})[-1]["message"] == "Item is already being carried."
    clock.advance(0.2)
    out = do(room, "a", "update_position", {"x": 6, "y": 5})
    assert [p["type"] for p in out] == ["update_position", "item_upsert"]
    assert out[1]["item"]["x"] == 6 and out[1]["item"]["version"] == 1
    assert store.items[item_id].x == 6
    proxy.leave("a").get()
    dropped = [json.loads(f) for c, f in outbox.sent if c == "b" and '"item_upsert"' in f][-1]["item"]
    assert "carrierId" not in dropped and dropped["updatedBy"] == "system" and (dropped["x"], dropped["y"]) == (6, 5)


def test_update_refused_changes_nothing_and_delete_removes(room):
    proxy, outbox, store, *_ = room
    item_id = add(room, "dice")
    out = do(room, "a", "item_update", {"itemId": item_id, "title": "X", "params": {"sides": 0}})
    assert out == [{"type": "item_action_result", "ok": False, "action": "update",
                    "message": "Dice sides and number must be between 1 and 100.", "itemId": item_id}]
    assert store.items[item_id].title == "Dice" and len(store.transactions) == 1
    out = do(room, "b", "item_delete", {"itemId": item_id})
    assert out[-1]["message"] == "Not authorized to delete this item."
    out = do(room, "a", "item_delete", {"itemId": item_id})
    assert [p["type"] for p in out] == ["item_remove", "item_action_result"]
    assert item_id not in store.items


def test_items_loaded_at_start_appear_in_welcome(room):
    proxy, outbox, store, *_ = room
    item_id = add(room, "widget")
    proxy.join("c", Grant(3, "cat", "cat", permissions=PERMS)).get()
    welcome = packets(outbox, "c")[0]
    assert [i["id"] for i in welcome["items"]] == [item_id]
    assert welcome["uiDefinitions"]["itemTypeOrder"] == ["clock", "dice", "piano", "radio_station", "wheel", "widget"]
