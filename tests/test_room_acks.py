"""RoomActor driven directly: a change that could not be saved changes nothing and is
told to its sender only; per-user flood control of chat, actions and piano notes."""
from __future__ import annotations

import json
import random

import pytest

from typing import cast

from chgrid.actors.account_proxy import AccountProxy
from chgrid.actors.room import RoomActor, RoomProxy, WorldInfo
from chgrid.actors.room_items import NOT_SAVED as ITEM_NOT_SAVED
from chgrid.items.registry import default_registry
from chgrid.settings import LimitsSettings
from tests.fake_clock import FakeClock
from tests.recording_outbox import RecordingOutbox
from chgrid.world.flood import ACTIONS_LIMITED, CHAT_LIMITED
from chgrid.world.nicknames import NOT_SAVED as NICK_NOT_SAVED
from tests.test_room_actor import POLICY, FakeAccount, Grant, ManualScheduler
from tests.stateful_support import plugins_for
from tests.test_room_items import MemoryStore

PERMS = ("chat.send", "item.create", "item.edit.own", "item.delete.own", "item.pickup_drop.own",
         "item.use", "profile.update_nickname")
LIMITS = LimitsSettings(chat_burst=8, chat_per_second=1.0, actions_burst=5, actions_per_second=1.0,
                        piano_notes_burst=20, piano_notes_per_second=10.0)


class FailingStore(MemoryStore):
    """An item store whose writes raise while ``fail`` is set (a locked database)."""

    fail = False

    def apply(self, upserts=(), deletes=(), songs=()):
        if self.fail:
            raise RuntimeError("database is locked")
        super().apply(upserts, deletes, songs)


@pytest.fixture
def room():
    clock, outbox, store, account = FakeClock(), RecordingOutbox(), FailingStore(), FakeAccount()
    world = WorldInfo(41, "inst", "0.1.0", POLICY, clock.monotonic())
    ref = RoomActor.start("main", world, cast(AccountProxy, account), outbox, clock, ManualScheduler(),
                          item_registry=default_registry(), item_store=store, rng=random.Random(3),
                          plugins=plugins_for(default_registry(), limits=LIMITS), limits=LIMITS)
    proxy = cast(RoomProxy, ref.proxy())
    proxy.join("a", Grant(1, "ann", "ann", permissions=PERMS, last_x=5, last_y=5)).get()
    proxy.join("b", Grant(2, "bob", "bob", permissions=PERMS, last_x=5, last_y=5)).get()
    outbox.sent.clear()

    class Room:
        pass

    r = Room()
    r.proxy, r.outbox, r.store, r.account, r.clock = proxy, outbox, store, account, clock
    yield r
    ref.stop()


def sent(room, cid, packet_type=None):
    out = [json.loads(f) for c, f in room.outbox.sent if c == cid]
    return [p for p in out if packet_type is None or p["type"] == packet_type]


def handle(room, cid, packet_type, data):
    room.proxy.handle(cid, packet_type, data).get()


def test_nickname_not_saved_is_refused_to_the_sender_only(room):
    room.account.fail = RuntimeError("database is locked")
    handle(room, "a", "update_nickname", {"nickname": "Anna"})
    assert sent(room, "a") == [{"type": "nickname_result", "accepted": False, "requestedNickname": "Anna",
                                "effectiveNickname": "ann", "reason": NICK_NOT_SAVED}]
    assert sent(room, "b") == []
    assert {p["nickname"] for p in room.proxy.snapshot().get().players} == {"ann", "bob"}
    room.account.fail = False  # the save came back False: the deadline had passed
    handle(room, "a", "update_nickname", {"nickname": "Anna"})
    assert sent(room, "a")[-1]["reason"] == NICK_NOT_SAVED and sent(room, "b") == []
    room.account.fail = None
    handle(room, "a", "update_nickname", {"nickname": "Anna"})
    assert sent(room, "a", "nickname_result")[-1]["accepted"] is True
    assert sent(room, "b", "update_nickname") == [{"type": "update_nickname", "id": "a", "nickname": "Anna"}]
    assert (1, "Anna", None, None) in room.account.saves


def test_teleport_not_saved_is_corrected_for_the_mover_only(room):
    room.account.fail = RuntimeError("database is locked")
    handle(room, "a", "teleport_complete", {"x": 30, "y": 31})
    assert sent(room, "a") == [{"type": "update_position", "id": "a", "x": 5, "y": 5}]
    assert sent(room, "b") == []
    assert [(p["x"], p["y"]) for p in room.proxy.snapshot().get().players if p["id"] == "a"] == [(5, 5)]


def test_item_not_saved_changes_nothing(room):
    room.store.fail = True
    handle(room, "a", "item_add", {"itemType": "dice"})
    assert sent(room, "a") == [{"type": "item_action_result", "ok": False, "action": "add",
                                "message": ITEM_NOT_SAVED}]
    assert sent(room, "b") == []
    assert room.store.items == {}
    room.store.fail = False
    handle(room, "a", "item_add", {"itemType": "dice"})
    item_id = sent(room, "a", "item_action_result")[-1]["itemId"]
    room.outbox.sent.clear()
    room.store.fail = True
    handle(room, "a", "item_delete", {"itemId": item_id})
    assert sent(room, "a")[-1] == {"type": "item_action_result", "ok": False, "action": "delete",
                                   "message": ITEM_NOT_SAVED, "itemId": item_id}
    assert sent(room, "b") == [] and item_id in room.store.items
    room.store.fail = False
    handle(room, "a", "item_use", {"itemId": item_id})  # still there in memory too
    assert sent(room, "a", "item_action_result")[-1]["ok"] is True


def test_chat_flood_reaches_others_only_up_to_the_burst(room):
    for i in range(200):
        room.proxy.handle("a", "chat_message", {"message": f"line {i}"})
    room.proxy.snapshot().get().players  # barrier: every line handled
    heard = [p["message"] for p in sent(room, "b", "chat_message")]
    assert heard == [f"line {i}" for i in range(8)]
    notices = [p for p in sent(room, "a", "chat_message") if p.get("system")]
    assert [p["message"] for p in notices] == [CHAT_LIMITED]
    room.clock.advance(1.0)
    handle(room, "a", "chat_message", {"message": "after a second"})
    assert sent(room, "b", "chat_message")[-1]["message"] == "after a second"


def test_chat_bucket_is_shared_by_an_accounts_connections(room):
    room.proxy.join("a2", Grant(1, "ann", "ann", permissions=PERMS, last_x=5, last_y=5)).get()
    room.outbox.sent.clear()
    for i in range(8):
        handle(room, "a" if i % 2 else "a2", "chat_message", {"message": f"m{i}"})
    handle(room, "a2", "chat_message", {"message": "one too many"})
    assert len(sent(room, "b", "chat_message")) == 8
    assert sent(room, "a2", "chat_message")[-1]["message"] == CHAT_LIMITED


def test_a_reconnect_does_not_refill_the_bucket(room):
    for i in range(9):
        handle(room, "a", "chat_message", {"message": f"m{i}"})
    room.proxy.leave("a").get()
    room.proxy.join("a3", Grant(1, "ann", "ann", permissions=PERMS, last_x=5, last_y=5)).get()
    room.outbox.sent.clear()
    handle(room, "a3", "chat_message", {"message": "still limited"})
    assert sent(room, "b", "chat_message") == []


def test_action_flood_is_refused_in_each_actions_failure_packet(room):
    for _ in range(7):
        room.proxy.handle("a", "item_add", {"itemType": "dice"})
    room.proxy.snapshot().get().players
    results = sent(room, "a", "item_action_result")
    assert [r["ok"] for r in results] == [True] * 5 + [False] * 2
    assert results[-1] == {"type": "item_action_result", "ok": False, "action": "add",
                           "message": ACTIONS_LIMITED}
    assert len(sent(room, "b", "item_upsert")) == 5
    room.outbox.sent.clear()
    handle(room, "a", "update_nickname", {"nickname": "Anna"})
    assert sent(room, "a") == [{"type": "nickname_result", "accepted": False, "requestedNickname": "Anna",
                                "effectiveNickname": "ann", "reason": ACTIONS_LIMITED}]
    assert sent(room, "b") == []
    room.clock.advance(1.0)
    handle(room, "a", "teleport_complete", {"x": 3, "y": 3})
    assert sent(room, "b", "teleport_complete") == [{"type": "teleport_complete", "id": "a", "x": 3, "y": 3}]


def test_teleport_flood_is_corrected_with_one_notice(room):
    for i in range(7):
        room.proxy.handle("a", "teleport_complete", {"x": i, "y": i})
    room.proxy.snapshot().get().players
    assert len(sent(room, "b", "teleport_complete")) == 5
    assert [(p["type"], p.get("x")) for p in sent(room, "a")[-3:]] == [
        ("update_position", 4), ("chat_message", None), ("update_position", 4)]
    assert sent(room, "a", "chat_message") == [{"type": "chat_message", "message": ACTIONS_LIMITED,
                                                 "system": True, "action": False}]


def test_piano_note_flood_is_dropped_but_held_keys_are_released(room):
    handle(room, "a", "item_add", {"itemType": "piano"})
    piano = sent(room, "a", "item_action_result")[-1]["itemId"]
    room.outbox.sent.clear()
    note = {"itemId": piano, "midi": 60}
    for i in range(25):  # the burst pays for 20 note-ons; their note-offs are free
        room.proxy.handle("a", "item_piano_note", note | {"keyId": f"k{i}", "on": True})
        room.proxy.handle("a", "item_piano_note", note | {"keyId": f"k{i}", "on": False})
    room.proxy.snapshot().get().players
    heard = [(p["keyId"], p["on"]) for p in sent(room, "b", "item_piano_note")]
    assert heard == [(f"k{i}", on) for i in range(20) for on in (True, False)]
    room.clock.advance(0.1)
    handle(room, "a", "item_piano_note", note | {"keyId": "z", "on": True})
    handle(room, "a", "item_piano_note", note | {"keyId": "z", "on": False})  # free: z is held
    last_two = [(p["keyId"], p["on"]) for p in sent(room, "b", "item_piano_note")[-2:]]
    assert last_two == [("z", True), ("z", False)]
    assert sent(room, "a") == []  # live notes are dropped silently (items.md §10.3)
