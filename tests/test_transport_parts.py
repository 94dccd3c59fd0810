"""The transport's pure parts: node-to-node codecs, the owner's split of a batch by
gateway, and the gateway's memory of where its players stand."""
from __future__ import annotations

import json

import pytest

from chgrid.auth.records import AuthGrant
from chgrid.transport import wire
from chgrid.transport.gateway import Seats
from chgrid.transport.owner import OwnedRoom
from chgrid.web.outbox import Close, Send

GRANT = AuthGrant(user_id=7, username="anna", role="user", permissions=("chat.send",),
                  nickname="Anna", last_x=3, last_y=4, token="secret-token")


def test_a_join_carries_the_account_but_never_the_token():
    text = wire.encode_join("c1", "node-b", GRANT, quiet=True)
    assert "secret-token" not in text
    join = wire.decode_inbound(text)
    assert join == wire.Join("c1", "node-b", AuthGrant(7, "anna", "user", ("chat.send",), "Anna", 3, 4, token=""), True)
    assert wire.decode_inbound(wire.encode_leave("c1")) == wire.Leave("c1")
    assert wire.decode_inbound(wire.encode_handle("c1", "chat_message", {"message": "hi"})) == \
        wire.Handle("c1", "chat_message", {"message": "hi"})


@pytest.mark.parametrize("payload", [b"", b"not json", b"[]", b'["h", 1, "t", {}]', b'["j", "c", "g", [1], true]',
                                     b'["x", "c"]', b'{"a": 1}', b'["h", "c", "t", []]'])
def test_malformed_room_messages_are_dropped(payload):
    assert wire.decode_inbound(payload) is None


def test_gateway_batches_keep_order_frames_and_closes():
    ops = [Send(("a", "b"), '{"type":"x","m":"é"}'), Close("a", 1000, "bye"), Send(("b",), "{}")]
    batch = wire.decode_gateway(wire.encode_ops("main", ops))
    assert batch.grid == "main" and batch.ops == ops and batch.presence is None
    presence = wire.decode_gateway(wire.encode_presence("main", {"a": (1, 2, "Anna")}))
    assert presence.presence == {"a": (1, 2, "Anna")} and presence.ops == []
    for bad in (b"{}", b'{"g": "main", "o": [[1]]}', b"[1]", b'{"g":"m","p":{"a":[1]}}'):
        assert wire.decode_gateway(bad) is None
    assert wire.decode_owner(wire.encode_owner("main", "n1", 4)) == ("main", "n1", 4)
    assert wire.decode_owner(b'{"g": "main"}') is None


class _Room:
    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        return lambda *args: self.calls.append((name, *args))


def _owned():
    local, published = [], []
    owned = OwnedRoom("main", 3, "node-a", local.extend, lambda ch, text: published.append((ch, text)))
    owned.running = type("Running", (), {"proxy": _Room()})()
    return owned, local, published


def test_the_owner_splits_each_batch_by_gateway_and_drops_strangers():
    owned, local, published = _owned()
    owned.join("a1", "node-a", GRANT, False)
    owned.join("b1", "node-b", GRANT, False)
    owned.join("b2", "node-b", GRANT, False)
    owned.join("b1", "node-c", GRANT, False)  # a repeated join changes nothing
    assert owned.running.proxy.calls == [("join", "a1", GRANT, False), ("join", "b1", GRANT, False),
                                         ("join", "b2", GRANT, False)]
    owned.sink([Send(("a1", "b1", "b2", "ghost"), "F1"), Close("b2", 1008, "no"), Send(("a1",), "F2")])
    assert local == [Send(("a1",), "F1"), Send(("a1",), "F2")]
    ((channel, text),) = published
    assert channel == wire.gateway_channel("node-b")
    assert wire.decode_gateway(text).ops == [Send(("b1", "b2"), "F1"), Close("b2", 1008, "no")]
    owned.handle("ghost", "chat_message", {})
    assert ("handle", "ghost", "chat_message", {}) not in owned.running.proxy.calls


def test_a_dead_gateway_s_players_leave(monkeypatch):
    owned, _, _ = _owned()
    left = []
    monkeypatch.setattr(owned, "leave", left.append)
    owned.members.update({"a1": "node-a", "b1": "node-b", "b2": "node-b"})
    assert owned.drop_gateway("node-b") == 2 and left == ["b1", "b2"]
    players = [{"id": "a1", "x": 1, "y": 2, "nickname": "A"}, {"id": "zz", "x": 0, "y": 0, "nickname": "Z"}]
    assert owned.presence_by_gateway(players) == {"node-a": {"a1": (1, 2, "A")}}


def test_seats_reseat_players_where_delivered_frames_last_put_them():
    seats = Seats()
    seats.add("main", "c1", GRANT)
    seats.add("main", "c2", GRANT)
    seats.observe([
        Send(("c1", "c2"), json.dumps({"type": "update_position", "id": "c1", "x": 9, "y": 8}, separators=(",", ":"))),
        Send(("c2",), json.dumps({"type": "nickname_result", "accepted": True, "requestedNickname": "Bo",
                                  "effectiveNickname": "Bo", "reason": ""}, separators=(",", ":"))),
        Send(("c1",), json.dumps({"type": "nickname_result", "accepted": False, "requestedNickname": "X",
                                  "effectiveNickname": "Anna", "reason": "taken"}, separators=(",", ":"))),
    ])
    grants = dict(seats.reseat_grants("main"))
    assert (grants["c1"].last_x, grants["c1"].last_y, grants["c1"].nickname) == (9, 8, "Anna")
    assert (grants["c2"].last_x, grants["c2"].last_y, grants["c2"].nickname) == (3, 4, "Bo")
    seats.update_presence({"c1": (1, 1, "Ann"), "stranger": (5, 5, "S")})
    assert dict(seats.reseat_grants("main"))["c1"].nickname == "Ann"
    assert seats.remove("main", "c1") and not seats.remove("main", "c1")
    assert [cid for cid, _ in seats.reseat_grants("main")] == ["c2"] and seats.count() == 1
