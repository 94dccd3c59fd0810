"""Relayed payloads over real sockets: what the room could not encode is refused at the edge.

A ``signal`` whose ``sdp``/``ice`` held a non-finite number (``1e999``), nested past 64
levels or was megabytes long used to pass inbound validation and then fail (or be
relayed whole) in the room: a traceback per packet and no reply to the sender.  Now the
sender gets ``protocol_error`` naming the field, the target gets nothing, and the limits'
edge cases (a 64-level frame, an sdp of exactly 64 KiB) are still relayed.

Both tests share one server (``shared_server``, unique names); each checks that the
module's server log has no traceback, so neither may cause one for the other.
"""
from __future__ import annotations

import json

from chgrid.protocol.inbound import MAX_RELAYED_OBJECT_BYTES
from tests.support import register, settle, unique


def _full_log(server) -> str:
    # ServerProcess.log() keeps only the tail; a traceback may be anywhere.
    return server.log_path.read_text(errors="replace")


def _nested_sdp(levels: int) -> str:
    """JSON text of an sdp object ``levels`` objects deep (the sdp itself included)."""
    head = '{"type":"offer","sdp":"v=0","n":' * (levels - 1)
    return head + '{"type":"offer","sdp":"v=0"}' + "}" * (levels - 1)


def _signal(target: str, sdp_text: str, field: str = "sdp") -> str:
    return '{"type":"signal","targetId":%s,"%s":%s}' % (json.dumps(target), field, sdp_text)


def _pair(server):
    a, _, wa = register(server, unique("anna"))
    ben = unique("ben")
    b, _, wb = register(server, ben)
    a.expect("chat_message", message=f"{ben} has logged in.")
    return a, wa, b, wb


def test_bad_signals_get_protocol_error_and_reach_nobody(shared_server):
    server = shared_server
    a, wa, b, wb = _pair(server)
    target = wb["id"]
    bad = [
        (_signal(target, '{"type":"offer","sdp":"v=0","x":1e999}'),
         "signal.sdp: Not a finite number."),
        (_signal(target, '{"candidate":"c","sdpMLineIndex":-1e999}', "ice"),
         "signal.ice: Not a finite number."),
        (_signal(target, '{"candidate":"c","sdpMLineIndex":NaN}', "ice"),
         "signal.ice: Not a finite number."),
        # sdp 64 deep = the frame 65 deep; sdp 65 deep is what the room failed to encode.
        (_signal(target, _nested_sdp(64)), "signal.sdp: Objects and arrays nest more than 64 levels deep."),
        (_signal(target, _nested_sdp(65)), "signal.sdp: Objects and arrays nest more than 64 levels deep."),
        (_signal(target, json.dumps({"type": "offer", "sdp": "v=0 " + "a" * MAX_RELAYED_OBJECT_BYTES})),
         f"signal.sdp: Encoded size must be at most {MAX_RELAYED_OBJECT_BYTES} bytes."),
        (_signal(target, json.dumps({"candidate": "c" * 200_000}), "ice"),
         f"signal.ice: Encoded size must be at most {MAX_RELAYED_OBJECT_BYTES} bytes."),
    ]
    for frame, message in bad:
        a.send(frame)
        assert a.expect("protocol_error") == {"type": "protocol_error", "message": message,
                                              "packetType": "signal"}
    # The limits themselves still pass: a frame exactly 64 levels deep, an sdp of
    # exactly 64 KiB.  Had any bad signal been relayed, ben would see it first.
    deepest = _nested_sdp(63)
    a.send(_signal(target, deepest))
    relayed = b.next()
    assert relayed == {"type": "signal", "senderId": wa["id"], "senderNickname": wa["player"]["nickname"],
                       "x": wa["player"]["x"], "y": wa["player"]["y"], "sdp": json.loads(deepest)}
    filler = MAX_RELAYED_OBJECT_BYTES - len('{"type":"offer","sdp":""}')
    largest = {"type": "offer", "sdp": "é" * (filler // 2) + "a" * (filler % 2)}
    a.send({"type": "signal", "targetId": target, "sdp": largest})
    assert b.next()["sdp"] == largest
    assert settle(a) == [] and settle(b) == []
    log = _full_log(server)
    assert "Traceback" not in log and " ERROR " not in log


def test_non_finite_and_deep_frames_of_other_types(shared_server):
    server = shared_server
    a, wa, b, wb = _pair(server)
    a.send('{"type":"ping","clientSentAt":1e999}')
    assert a.expect("protocol_error") == {"type": "protocol_error", "packetType": "ping",
                                          "message": "ping.clientSentAt: Not a finite number."}
    a.send('{"type":"item_update","itemId":"x","params":{"sides":Infinity}}')
    assert a.expect("protocol_error")["message"] == "item_update.params: Not a finite number."
    a.send('{"type":"chat_message","message":"hi","junk":[[-1e400]]}')
    assert a.expect("protocol_error")["message"] == "chat_message.junk: Not a finite number."
    a.send("[" * 100_000 + "]" * 100_000)
    assert a.expect("protocol_error") == {
        "type": "protocol_error", "message": "Frame: Objects and arrays nest more than 64 levels deep."}
    # Nothing reached ben, and both are still served.
    a.send({"type": "chat_message", "message": "still here"})
    assert b.expect("chat_message")["message"] == "still here"
    log = _full_log(server)
    assert "Traceback" not in log and " ERROR " not in log
