"""Inbound frame limits that keep relaying safe: finite numbers, 64 levels, 64 KiB objects.

Each rule names the packet type and the top-level field, and whatever a valid frame
carries into an outbound packet always encodes (property tests at the end).
"""
from __future__ import annotations

import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chgrid.protocol import ProtocolError, encode, parse_frame
from chgrid.protocol.fields import encoded_size
from chgrid.protocol.framejson import MAX_DEPTH
from chgrid.protocol.inbound import MAX_RELAYED_OBJECT_BYTES
from tests.fuzz_frames import Raw, hostile_values, json_objects, to_json

NON_FINITE = ["1e999", "-1e999", "1E400", "1e+309", "NaN", "Infinity", "-Infinity",
              "1" + "0" * 400 + ".5"]


def _reject(raw) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        parse_frame(raw)
    return info.value


# --- non-finite numbers -----------------------------------------------------------------

@pytest.mark.parametrize("token", NON_FINITE)
@pytest.mark.parametrize("template,where", [
    ('{"type":"signal","targetId":"t","sdp":{"type":"offer","sdp":"v=0","x":%s}}', "signal.sdp"),
    ('{"type":"signal","targetId":"t","ice":{"candidate":"c","sdpMLineIndex":[0,{"a":%s}]}}', "signal.ice"),
    ('{"type":"item_update","itemId":"i","params":{"sides":%s}}', "item_update.params"),
    ('{"type":"ping","clientSentAt":%s}', "ping.clientSentAt"),
    ('{"type":"update_position","x":%s,"y":1}', "update_position.x"),
    # Anywhere in the frame, ignored extra fields included.
    ('{"type":"chat_message","message":"hi","junk":[%s]}', "chat_message.junk"),
    ('{"junk":%s,"type":"auth_logout"}', "auth_logout.junk"),
])
def test_non_finite_numbers_are_refused_naming_type_and_field(token, template, where):
    err = _reject(template % token)
    assert err.message == f"{where}: Not a finite number."
    assert err.packet_type == where.split(".")[0]


def test_non_finite_without_a_packet_type():
    assert _reject("1e999").message == "Frame: Not a finite number."
    assert _reject("[NaN]").message == "Frame: Not a finite number."
    err = _reject('{"type":1e999}')
    assert err.message == "Frame.type: Not a finite number." and err.packet_type is None
    # Broken as well: no type can be read.
    assert _reject('{"type":"ping","clientSentAt":1e999').message == (
        "Frame is not valid JSON (a number is not finite).")


def test_large_finite_numbers_still_pass():
    packet = parse_frame('{"type":"signal","targetId":"t",'
                         '"sdp":{"a":1e308,"b":-1.7976931348623157e308,"c":5e-324}}')
    assert packet.data["sdp"] == {"a": 1e308, "b": -1.7976931348623157e308, "c": 5e-324}
    assert parse_frame('{"type":"ping","clientSentAt":1e300}').data["clientSentAt"] == int(1e300)
    encode("signal", {"senderId": "s", "senderNickname": "n", "x": 0, "y": 0, "sdp": packet.data["sdp"]})


def test_non_finite_inside_strings_is_text():
    assert parse_frame('{"type":"chat_message","message":"1e999 NaN Infinity"}').data == {
        "message": "1e999 NaN Infinity"}


# --- nesting ----------------------------------------------------------------------------

def _nest(levels: int, kind: str) -> str:
    """JSON text ``levels`` containers deep."""
    if kind == "[":
        return "[" * levels + "]" * levels
    return '{"a":' * (levels - 1) + "{}" + "}" * (levels - 1)


@pytest.mark.parametrize("kind", ["[", "{"])
@pytest.mark.parametrize("field,template", [
    ("signal.sdp", '{"type":"signal","targetId":"t","sdp":{"n":%s}}'),
    ("signal.ice", '{"type":"signal","targetId":"t","ice":{"n":%s}}'),
    ("item_update.params", '{"type":"item_update","itemId":"i","params":{"n":%s}}'),
    ("ping.extra", '{"type":"ping","clientSentAt":1,"extra":{"n":%s}}'),
])
def test_depth_64_passes_and_65_is_refused(kind, field, template):
    # The frame is level 1 and the field's object level 2, so its value holds 62 more.
    inner = MAX_DEPTH - 2
    parse_frame(template % _nest(inner, kind))
    err = _reject(template % _nest(inner + 1, kind))
    assert err.message == f"{field}: Objects and arrays nest more than 64 levels deep."
    assert err.packet_type == field.split(".")[0]


@pytest.mark.parametrize("depth", [65, 200, 999, 5000, 100_000])
def test_very_deep_frames_are_protocol_errors_not_recursion_errors(depth):
    err = _reject("[" * depth + "]" * depth)
    assert err.message == "Frame: Objects and arrays nest more than 64 levels deep."
    assert err.packet_type is None
    err = _reject('{"type":"signal","targetId":"t","sdp":' + _nest(depth, "{") + "}")
    if depth <= 200:
        assert err.message == "signal.sdp: Objects and arrays nest more than 64 levels deep."
        assert err.packet_type == "signal"
    else:
        # Past the interpreter's recursion limit nothing was decoded to name.
        assert err.message.endswith(": Objects and arrays nest more than 64 levels deep.")


def test_deep_object_frame_without_type_names_the_key():
    err = _reject('{"a":' * 65 + "1" + "}" * 65)
    assert err.message == "Frame.a: Objects and arrays nest more than 64 levels deep."
    assert err.packet_type is None


def test_very_deep_frame_refused_with_little_stack_left():
    """The decoder's own recursion guard still ends in ProtocolError near the limit."""
    def descend(levels: int):
        if levels:
            return descend(levels - 1)
        return _reject("[" * 100_000 + "]" * 100_000)

    err = descend(sys.getrecursionlimit() - 250)
    assert err.message.startswith("Frame: Objects and arrays nest")


def test_brackets_inside_strings_do_not_count():
    text = "[{" * 200
    assert parse_frame(json.dumps({"type": "chat_message", "message": text})).data["message"] == text


def test_many_shallow_containers_pass():
    frame = '{"type":"item_update","itemId":"i","params":{"a":[' + ",".join(["[]"] * 2000) + "]}}"
    assert len(parse_frame(frame).data["params"]["a"]) == 2000


# --- encoded size of relayed objects -----------------------------------------------------

def _sized(total: int, char: str = "a") -> dict:
    """An sdp object whose compact UTF-8 encoding is exactly ``total`` bytes."""
    room = total - len('{"type":"offer","sdp":""}')
    width = len(char.encode("utf-8"))
    return {"type": "offer", "sdp": char * (room // width) + "a" * (room % width)}


@pytest.mark.parametrize("char", ["a", "é", "\U0001F600"])
@pytest.mark.parametrize("field", ["sdp", "ice"])
def test_signal_objects_up_to_64_kib(field, char):
    fits = _sized(MAX_RELAYED_OBJECT_BYTES, char)
    assert encoded_size(fits) == MAX_RELAYED_OBJECT_BYTES
    frame = {"type": "signal", "targetId": "t", field: fits}
    assert parse_frame(json.dumps(frame, ensure_ascii=False)).data[field] == fits
    # Escaped or not on the way in, the size is that of the outbound encoding.
    assert parse_frame(json.dumps(frame)).data[field] == fits
    frame[field] = _sized(MAX_RELAYED_OBJECT_BYTES + 1, char)
    err = _reject(json.dumps(frame))
    assert err.message == f"signal.{field}: Encoded size must be at most 65536 bytes."
    assert err.packet_type == "signal"


def test_item_params_up_to_64_kib():
    frame = {"type": "item_update", "itemId": "i", "params": _sized(MAX_RELAYED_OBJECT_BYTES)}
    parse_frame(json.dumps(frame))
    frame["params"] = _sized(MAX_RELAYED_OBJECT_BYTES + 1)
    assert _reject(json.dumps(frame)).message == (
        "item_update.params: Encoded size must be at most 65536 bytes.")


def test_size_of_objects_with_lone_surrogates_is_measured_not_raised():
    frame = '{"type":"signal","targetId":"t","sdp":{"sdp":"' + "\\ud800" * 30000 + '"}}'
    assert _reject(frame).message == "signal.sdp: Encoded size must be at most 65536 bytes."


# --- what a valid frame carries out always encodes -----------------------------------------

_objects = st.one_of(
    json_objects,
    hostile_values().map(lambda v: {"v": v}),
    st.builds(lambda depth: {"n": Raw(_nest(depth, "{"))}, st.integers(55, 70)),
    st.builds(lambda n: _sized(n), st.integers(MAX_RELAYED_OBJECT_BYTES - 3, MAX_RELAYED_OBJECT_BYTES + 3)),
)


@settings(max_examples=400, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(sdp=st.one_of(st.none(), _objects), ice=st.one_of(st.none(), _objects))
def test_relayed_signal_always_encodes(sdp, ice):
    try:
        packet = parse_frame(to_json({"type": "signal", "targetId": "t", "sdp": sdp, "ice": ice}))
    except ProtocolError as err:
        encode("protocol_error", {"message": err.message, "packetType": err.packet_type})
        return
    frame = encode("signal", {"senderId": "s", "senderNickname": "n", "x": 1, "y": 2,
                              "sdp": packet.data["sdp"], "ice": packet.data["ice"]})
    assert len(frame.encode("utf-8")) < 2 * MAX_RELAYED_OBJECT_BYTES + 200


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(params=_objects, clock=st.one_of(st.integers(), st.sampled_from([Raw(t) for t in NON_FINITE])))
def test_pong_and_item_params_always_encode(params, clock):
    try:
        ping = parse_frame(to_json({"type": "ping", "clientSentAt": clock}))
    except ProtocolError:
        pass
    else:
        encode("pong", {"clientSentAt": ping.data["clientSentAt"]})
    try:
        update = parse_frame(to_json({"type": "item_update", "itemId": "i", "params": params}))
    except ProtocolError:
        return
    json.dumps(update.data["params"], allow_nan=False).encode("utf-8")
