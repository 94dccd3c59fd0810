"""RoomActor driven directly from Python with a recording outbox (no sockets)."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass

import pytest

from typing import cast

from chgrid.actors.account_proxy import AccountProxy
from chgrid.actors.room import RoomActor, RoomProxy, WorldInfo
from chgrid.identity import DEFAULT_WELCOME_MESSAGE
from tests.fake_clock import FakeClock
from tests.recording_outbox import RecordingOutbox

POLICY = {"usernameMinLength": 2, "usernameMaxLength": 32, "passwordMinLength": 8, "passwordMaxLength": 32}
USER_PERMS = ("chat.send", "item.create", "item.use", "profile.update_nickname", "voice.send")


@dataclass
class Grant:
    user_id: int
    username: str
    nickname: str
    role: str = "user"
    permissions: tuple = USER_PERMS
    last_x: int | None = None
    last_y: int | None = None
    token: str = "t"


class _Done:
    def __init__(self, value=True):
        self.value = value

    def get(self, timeout=None):
        if isinstance(self.value, Exception):
            raise self.value
        return self.value


class FakeAccount:
    """Records the state saves the room asks for; ``fail`` makes the next saves fail."""

    def __init__(self):
        self.saves = []
        self.fail: Exception | bool | None = None

    def save_state(self, user_id, nickname=None, x=None, y=None, deadline=None):
        if self.fail is not None:
            return _Done(self.fail)
        self.saves.append((user_id, nickname, x, y))
        return _Done()

    def save_states(self, updates):
        self.saves.extend(updates)
        return _Done()


class ManualScheduler:
    def __init__(self):
        self.calls = []

    def __call__(self, delay, callback):
        self.calls.append((delay, callback))


@pytest.fixture
def room():
    clock = FakeClock()
    outbox = RecordingOutbox()
    account = FakeAccount()
    scheduler = ManualScheduler()
    reboots = []
    world = WorldInfo(grid_size=41, instance_id="inst-1", version="0.1.0", policy=POLICY, started_monotonic=clock.monotonic())
    ref = RoomActor.start("main", world, cast(AccountProxy, account), outbox, clock, scheduler,
                          on_reboot=lambda: reboots.append(True), rng=random.Random(7))
    proxy = cast(RoomProxy, ref.proxy())

    class Room:
        pass

    r = Room()
    r.proxy, r.outbox, r.account, r.clock, r.scheduler, r.reboots = proxy, outbox, account, clock, scheduler, reboots
    yield r
    ref.stop()


def packets(outbox, client_id=None, packet_type=None):
    out = []
    for cid, frame in outbox.sent:
        packet = json.loads(frame)
        if (client_id is None or cid == client_id) and (packet_type is None or packet["type"] == packet_type):
            out.append(packet)
    return out


def join(room, cid, uid, name, **kw):
    room.proxy.join(cid, Grant(uid, name, name, **kw)).get()


def test_join_sends_full_welcome_then_announces(room):
    join(room, "a", 1, "ann", last_x=3, last_y=4)
    welcome = packets(room.outbox, "a", "welcome")[0]
    assert welcome["player"] == {"id": "a", "userId": "1", "nickname": "ann", "x": 3, "y": 4}
    assert welcome["users"] == []
    assert welcome["worldConfig"] == {"gridSize": 41, "movementTickMs": 200, "movementMaxStepsPerTick": 1}
    assert welcome["serverInfo"] == {
        "instanceId": "inst-1", "version": "0.1.0", "releaseVersion": "", "serverVersion": "0.1.0",
        "expectedClientRevision": "", "gridName": "Chat Grid", "welcomeMessage": DEFAULT_WELCOME_MESSAGE}
    assert welcome["auth"]["userId"] == "1" and welcome["auth"]["policy"] == POLICY
    assert welcome["auth"]["permissions"] == sorted(USER_PERMS)
    assert welcome["uiDefinitions"]["adminMenu"] == {"actions": []}
    join(room, "b", 2, "bob")
    welcome_b = packets(room.outbox, "b", "welcome")[0]
    assert welcome_b["users"] == [{"id": "a", "userId": "1", "nickname": "ann", "x": 3, "y": 4}]
    lines = packets(room.outbox, "a", "chat_message")
    assert lines == [{"type": "chat_message", "message": "bob has logged in.", "system": True, "action": False}]
    assert packets(room.outbox, "b", "chat_message") == []


def test_spawn_outside_grid_is_random_inside(room):
    join(room, "a", 1, "ann", last_x=99, last_y=3)
    player = packets(room.outbox, "a", "welcome")[0]["player"]
    assert 0 <= player["x"] < 41 and 0 <= player["y"] < 41
    assert (player["x"], player["y"]) != (99, 3)


def test_move_accepted_echoed_and_broadcast_rejected_corrected(room):
    join(room, "a", 1, "ann", last_x=5, last_y=5)
    join(room, "b", 2, "bob", last_x=9, last_y=9)
    room.outbox.sent.clear()
    room.proxy.handle("a", "update_position", {"x": 6, "y": 5}).get()
    assert packets(room.outbox, "a", "update_position") == [{"type": "update_position", "id": "a", "x": 6, "y": 5}]
    assert packets(room.outbox, "b", "update_position") == [{"type": "update_position", "id": "a", "x": 6, "y": 5}]
    room.outbox.sent.clear()
    room.proxy.handle("a", "update_position", {"x": 7, "y": 5}).get()  # same window
    assert packets(room.outbox, "a") == [{"type": "update_position", "id": "a", "x": 6, "y": 5}]
    assert packets(room.outbox, "b") == []
    room.clock.advance(0.2)
    room.proxy.handle("a", "update_position", {"x": 7, "y": 5}).get()
    assert packets(room.outbox, "b", "update_position")[-1]["x"] == 7


def test_position_saves_are_throttled_and_flushed_on_leave(room):
    join(room, "a", 1, "ann", last_x=5, last_y=5)
    room.proxy.handle("a", "update_position", {"x": 6, "y": 5}).get()
    room.clock.advance(0.2)
    room.proxy.handle("a", "update_position", {"x": 7, "y": 5}).get()
    assert room.account.saves == [(1, None, 6, 5)]
    room.clock.advance(5)
    room.proxy.handle("a", "update_position", {"x": 8, "y": 5}).get()
    assert room.account.saves[-1] == (1, None, 8, 5)
    room.proxy.leave("a").get()
    assert room.account.saves[-1][2:] == (8, 5)


def test_teleport_unlimited_and_others_get_teleport_complete(room):
    join(room, "a", 1, "ann", last_x=5, last_y=5)
    join(room, "b", 2, "bob", last_x=9, last_y=9)
    room.outbox.sent.clear()
    room.proxy.handle("a", "teleport_complete", {"x": 30, "y": 2}).get()
    assert [p["type"] for p in packets(room.outbox, "b")] == ["update_position", "teleport_complete"]
    assert [p["type"] for p in packets(room.outbox, "a")] == ["update_position"]
    assert room.account.saves[-1] == (1, None, 30, 2)
    room.outbox.sent.clear()
    room.proxy.handle("a", "teleport_complete", {"x": 41, "y": 2}).get()
    assert packets(room.outbox, "a") == [{"type": "update_position", "id": "a", "x": 30, "y": 2}]


def test_nickname_change_collision_and_same(room):
    join(room, "a", 1, "ann")
    join(room, "b", 2, "bob")
    room.outbox.sent.clear()
    room.proxy.handle("a", "update_nickname", {"nickname": "BOB"}).get()
    assert packets(room.outbox, "a") == [{"type": "nickname_result", "accepted": False, "requestedNickname": "BOB",
                                          "effectiveNickname": "ann", "reason": "Nickname already in use."}]
    room.outbox.sent.clear()
    room.proxy.handle("a", "update_nickname", {"nickname": "ann"}).get()
    assert [p["type"] for p in packets(room.outbox)] == ["nickname_result"]
    room.outbox.sent.clear()
    room.proxy.handle("a", "update_nickname", {"nickname": " Anna "}).get()
    assert [p["type"] for p in packets(room.outbox, "a")] == ["nickname_result", "chat_message"]
    assert packets(room.outbox, "a", "chat_message")[0]["message"] == "You are now known as Anna."
    assert [p.get("message") or p.get("nickname") for p in packets(room.outbox, "b")] == ["Anna", "ann is now known as Anna."]
    assert (1, "Anna", None, None) in room.account.saves


def test_chat_commands(room):
    join(room, "a", 1, "ann")
    join(room, "b", 2, "bob")
    room.outbox.sent.clear()
    room.proxy.handle("a", "chat_message", {"message": "hello"}).get()
    for cid in ("a", "b"):
        assert packets(room.outbox, cid, "chat_message") == [{"type": "chat_message", "message": "hello", "senderId": "a",
                                                             "senderNickname": "ann", "system": False, "action": False}]
    room.outbox.sent.clear()
    room.proxy.handle("a", "chat_message", {"message": "/Me waves"}).get()
    assert packets(room.outbox, "b")[0]["message"] == "ann waves" and packets(room.outbox, "b")[0]["action"] is True
    room.outbox.sent.clear()
    for text, reply in [("/me ", "Usage: /me <action>"), ("/version", "Server version: 0.1.0"),
                        ("/nope x", "Unknown command: /nope"), ("/reboot", "Not authorized to reboot server.")]:
        room.proxy.handle("a", "chat_message", {"message": text}).get()
        assert packets(room.outbox, "a")[-1]["message"] == reply
    room.clock.advance(3723)
    room.proxy.handle("a", "chat_message", {"message": "/UP"}).get()
    assert packets(room.outbox, "a")[-1]["message"] == "Server uptime: 1h 2m 3s"
    assert packets(room.outbox, "b") == []


def test_reboot_needs_permission_and_runs_once(room):
    join(room, "r", 1, "root", permissions=USER_PERMS + ("server.allow_reboot",))
    room.proxy.handle("r", "chat_message", {"message": "/reboot back soon"}).get()
    assert packets(room.outbox, "r")[-1]["message"] == "Server rebooting in 5 seconds. back soon"
    room.proxy.handle("r", "chat_message", {"message": "/reboot"}).get()
    assert packets(room.outbox, "r")[-1]["message"] == "Server reboot already in progress."
    assert len(room.scheduler.calls) == 1 and room.scheduler.calls[0][0] == 5.0
    room.scheduler.calls[0][1]()
    assert room.reboots == [True]


def test_chat_denied_without_permission(room):
    join(room, "g", 1, "guest", permissions=("item.use",))
    room.proxy.handle("g", "chat_message", {"message": "hi"}).get()
    assert packets(room.outbox, "g", "chat_message")[-1]["message"] == "You are not allowed to send chat messages."


def test_signal_forwarded_with_sender_fields_only_with_voice(room):
    join(room, "a", 1, "ann", last_x=1, last_y=2)
    join(room, "b", 2, "bob")
    room.outbox.sent.clear()
    room.proxy.handle("a", "signal", {"targetId": "b", "sdp": {"type": "offer", "sdp": "v=0"}, "ice": None}).get()
    assert packets(room.outbox, "b") == [{"type": "signal", "senderId": "a", "senderNickname": "ann", "x": 1, "y": 2,
                                          "sdp": {"type": "offer", "sdp": "v=0"}}]
    room.proxy.handle("a", "signal", {"targetId": "nobody", "ice": {"candidate": "c"}}).get()
    room.proxy.apply_authority(1, "guest", ("chat.send",), "active").get()
    room.outbox.sent.clear()
    room.proxy.handle("a", "signal", {"targetId": "b", "ice": {"candidate": "c"}}).get()
    assert packets(room.outbox, "b") == []


def test_leave_sequence(room):
    join(room, "a", 1, "ann")
    join(room, "b", 2, "bob")
    room.outbox.sent.clear()
    room.proxy.leave("a").get()
    room.proxy.leave("a").get()  # idempotent
    assert packets(room.outbox, "b") == [
        {"type": "user_left", "id": "a"},
        {"type": "chat_message", "message": "ann has logged out.", "system": True, "action": False},
    ]


def test_authority_push_and_ban(room):
    join(room, "a", 1, "ann")
    join(room, "a2", 1, "ann")
    join(room, "b", 2, "bob")
    room.outbox.sent.clear()
    room.proxy.apply_authority(1, "admin", ("role.manage", "user.ban_unban"), "active").get()
    push = packets(room.outbox, "a", "auth_permissions")[0]
    assert push["adminMenuActions"] == [
        {"id": "manage_roles", "label": "Role management", "tooltip": "Manage roles and their permission sets."},
        {"id": "ban_user", "label": "Ban user", "tooltip": "Disable a user account."},
        {"id": "unban_user", "label": "Unban user", "tooltip": "Re-enable a disabled user account."}]
    assert packets(room.outbox, "a2", "auth_permissions")
    room.outbox.sent.clear()
    room.proxy.apply_authority(2, "user", USER_PERMS, "disabled").get()
    assert [p["type"] for p in packets(room.outbox, "b")] == ["auth_permissions", "auth_result"]
    assert room.outbox.closed == [("b", 1000, "Account is disabled.")]
    assert [p["type"] for p in packets(room.outbox, "a")] == ["user_left", "chat_message"]
    assert [p["id"] for p in room.proxy.snapshot().get().players] == ["a", "a2"]
