"""Inbound (client→server) packets: parse_frame over every type of protocol.md §4."""

from __future__ import annotations

import dataclasses
import json

import pytest

from chgrid.protocol import INBOUND_TYPES, Inbound, ProtocolError, parse_frame

# (frame, expected data) -- frames are the spec examples where the spec gives one.
VALID = [
    ('{"type":"auth_register","username":"maria_k","password":"hunter2hunter2","email":"maria@example.org"}',
     {"username": "maria_k", "password": "hunter2hunter2", "email": "maria@example.org"}),
    ('{"type":"auth_login","username":"maria_k","password":"hunter2hunter2"}',
     {"username": "maria_k", "password": "hunter2hunter2"}),
    ('{"type":"auth_resume","sessionToken":"Vq3Yw"}', {"sessionToken": "Vq3Yw"}),
    ('{"type":"auth_logout"}', {}),
    ('{"type":"welcome_ready","extra":1}', {}),
    ('{"type":"admin_roles_list"}', {}),
    ('{"type":"admin_role_create","name":"moderator"}', {"name": "moderator"}),
    ('{"type":"admin_role_update_permissions","role":"moderator","permissions":["chat.send","user.ban_unban"]}',
     {"role": "moderator", "permissions": ["chat.send", "user.ban_unban"]}),
    ('{"type":"admin_role_delete","role":"moderator","replacementRole":"user"}',
     {"role": "moderator", "replacementRole": "user"}),
    ('{"type":"admin_users_list","action":"ban"}', {"action": "ban"}),
    ('{"type":"admin_user_set_role","username":"maria_k","role":"editor"}',
     {"username": "maria_k", "role": "editor"}),
    ('{"type":"admin_user_ban","username":"spammer42"}', {"username": "spammer42"}),
    ('{"type":"admin_user_unban","username":"spammer42"}', {"username": "spammer42"}),
    ('{"type":"admin_users_list","action":"delete_account"}', {"action": "delete_account"}),
    ('{"type":"admin_user_delete","username":"spammer42"}', {"username": "spammer42"}),
    ('{"type":"item_transfer_targets","itemId":"0c9e"}', {"itemId": "0c9e"}),
    ('{"type":"item_transfer","itemId":"0c9e","targetUserId":"3"}', {"itemId": "0c9e", "targetUserId": "3"}),
    ('{"type":"signal","targetId":"5f1d","sdp":{"type":"offer","sdp":"v=0\\r\\n"}}',
     {"targetId": "5f1d", "sdp": {"type": "offer", "sdp": "v=0\r\n"}, "ice": None}),
    ('{"type":"update_position","x":12,"y":30}', {"x": 12, "y": 30}),
    ('{"type":"teleport_complete","x":4,"y":17}', {"x": 4, "y": 17}),
    ('{"type":"update_nickname","nickname":"Maria"}', {"nickname": "Maria"}),
    ('{"type":"chat_message","message":"hello all"}', {"message": "hello all"}),
    ('{"type":"ping","clientSentAt":1764000000000}', {"clientSentAt": 1764000000000}),
    ('{"type":"item_add","itemType":"dice"}', {"itemType": "dice"}),
    ('{"type":"item_pickup","itemId":"0c9e"}', {"itemId": "0c9e"}),
    ('{"type":"item_delete","itemId":"0c9e"}', {"itemId": "0c9e"}),
    ('{"type":"item_use","itemId":"0c9e"}', {"itemId": "0c9e"}),
    ('{"type":"item_secondary_use","itemId":"0c9e"}', {"itemId": "0c9e"}),
    ('{"type":"item_drop","itemId":"0c9e","x":12,"y":30}', {"itemId": "0c9e", "x": 12, "y": 30}),
    ('{"type":"item_update","itemId":"0c9e","params":{"sides":20}}',
     {"itemId": "0c9e", "title": None, "params": {"sides": 20}}),
    ('{"type":"item_piano_note","itemId":"77ab","keyId":"KeyA","midi":60,"on":true}',
     {"itemId": "77ab", "keyId": "KeyA", "midi": 60, "on": True}),
    ('{"type":"item_piano_recording","itemId":"77ab","action":"toggle_record"}',
     {"itemId": "77ab", "action": "toggle_record"}),
]

# (frame, field path that the message must name)
BAD = [
    ('{"type":"auth_register","username":"","password":"x"}', "auth_register.username"),
    ('{"type":"auth_register","username":"a","password":"' + "p" * 257 + '"}', "auth_register.password"),
    ('{"type":"auth_register","username":"a","password":"p","email":"' + "e" * 321 + '"}',
     "auth_register.email"),
    ('{"type":"auth_login","username":"' + "u" * 129 + '","password":"p"}', "auth_login.username"),
    ('{"type":"auth_login","username":"u"}', "auth_login.password"),
    ('{"type":"auth_resume","sessionToken":""}', "auth_resume.sessionToken"),
    ('{"type":"auth_resume","sessionToken":"' + "t" * 513 + '"}', "auth_resume.sessionToken"),
    ('{"type":"admin_role_create","name":"' + "r" * 33 + '"}', "admin_role_create.name"),
    ('{"type":"admin_role_update_permissions","role":"mod","permissions":["a",1]}',
     "admin_role_update_permissions.permissions.1"),
    ('{"type":"admin_role_update_permissions","role":"mod","permissions":"chat.send"}',
     "admin_role_update_permissions.permissions"),
    ('{"type":"admin_role_delete","role":"mod"}', "admin_role_delete.replacementRole"),
    ('{"type":"admin_users_list","action":"kick"}', "admin_users_list.action"),
    ('{"type":"admin_user_set_role","username":"maria_k","role":""}', "admin_user_set_role.role"),
    ('{"type":"admin_user_ban","username":5}', "admin_user_ban.username"),
    ('{"type":"admin_user_unban"}', "admin_user_unban.username"),
    ('{"type":"admin_user_delete","username":""}', "admin_user_delete.username"),
    ('{"type":"admin_user_delete","username":"' + "u" * 129 + '"}', "admin_user_delete.username"),
    ('{"type":"item_transfer_targets","itemId":7}', "item_transfer_targets.itemId"),
    ('{"type":"item_transfer","itemId":"0c9e","targetUserId":3}', "item_transfer.targetUserId"),
    ('{"type":"item_transfer","itemId":"0c9e"}', "item_transfer.targetUserId"),
    ('{"type":"signal","targetId":"5f1d","sdp":"v=0"}', "signal.sdp"),
    ('{"type":"signal","targetId":"5f1d","ice":[1]}', "signal.ice"),
    ('{"type":"signal","sdp":null}', "signal.targetId"),
    ('{"type":"update_position","x":1.5,"y":3}', "update_position.x"),
    ('{"type":"update_position","x":"12","y":3}', "update_position.x"),
    ('{"type":"update_position","x":true,"y":3}', "update_position.x"),
    ('{"type":"update_position","x":1,"y":null}', "update_position.y"),
    ('{"type":"teleport_complete","x":4}', "teleport_complete.y"),
    ('{"type":"update_nickname","nickname":"' + "n" * 33 + '"}', "update_nickname.nickname"),
    ('{"type":"update_nickname","nickname":""}', "update_nickname.nickname"),
    ('{"type":"chat_message","message":""}', "chat_message.message"),
    ('{"type":"chat_message","message":"' + "m" * 501 + '"}', "chat_message.message"),
    ('{"type":"ping","clientSentAt":"1"}', "ping.clientSentAt"),
    ('{"type":"item_add","itemType":""}', "item_add.itemType"),
    ('{"type":"item_pickup","itemId":5}', "item_pickup.itemId"),
    ('{"type":"item_delete"}', "item_delete.itemId"),
    ('{"type":"item_use","itemId":null}', "item_use.itemId"),
    ('{"type":"item_secondary_use","itemId":["x"]}', "item_secondary_use.itemId"),
    ('{"type":"item_drop","itemId":"0c9e","x":12,"y":"30"}', "item_drop.y"),
    ('{"type":"item_update","itemId":"0c9e","title":"' + "t" * 81 + '"}', "item_update.title"),
    ('{"type":"item_update","itemId":"0c9e","params":[1]}', "item_update.params"),
    ('{"type":"item_piano_note","itemId":"77ab","keyId":"KeyA","midi":128,"on":true}',
     "item_piano_note.midi"),
    ('{"type":"item_piano_note","itemId":"77ab","keyId":"KeyA","midi":-1,"on":true}',
     "item_piano_note.midi"),
    ('{"type":"item_piano_note","itemId":"77ab","keyId":"","midi":60,"on":true}',
     "item_piano_note.keyId"),
    ('{"type":"item_piano_note","itemId":"77ab","keyId":"' + "k" * 33 + '","midi":60,"on":true}',
     "item_piano_note.keyId"),
    ('{"type":"item_piano_note","itemId":"77ab","keyId":"KeyA","midi":60,"on":1}',
     "item_piano_note.on"),
    ('{"type":"item_piano_recording","itemId":"77ab","action":"record"}',
     "item_piano_recording.action"),
]


# Packets without fields cannot fail at field level (extras are ignored); their bad
# examples are frame-level, see test_fieldless_packets.
FIELDLESS = {"auth_logout", "admin_roles_list", "welcome_ready"}


def test_every_inbound_type_has_valid_and_bad_examples():
    assert len(INBOUND_TYPES) == 31  # upstream-0.1.md §0: 27 + four v0.1.0 packets
    assert {json.loads(raw)["type"] for raw, _ in VALID} == INBOUND_TYPES
    assert {json.loads(raw)["type"] for raw, _ in BAD} == INBOUND_TYPES - FIELDLESS


@pytest.mark.parametrize("packet_type", sorted(FIELDLESS))
def test_fieldless_packets(packet_type):
    assert parse_frame(json.dumps({"type": packet_type, "x": None, "y": [1]})).data == {}
    with pytest.raises(ProtocolError) as info:
        parse_frame(json.dumps({"type": packet_type})[:-1])
    assert info.value.packet_type is None
    with pytest.raises(ProtocolError) as info:
        parse_frame(json.dumps({"type": packet_type.upper()}))
    assert info.value.message == f"Unknown packet type: {packet_type.upper()}"


@pytest.mark.parametrize("raw,expected", VALID, ids=[json.loads(r)["type"] for r, _ in VALID])
def test_valid_examples(raw, expected):
    packet = parse_frame(raw)
    assert isinstance(packet, Inbound)
    assert packet.type == json.loads(raw)["type"]
    assert packet.data == expected
    # Same result from a binary frame.
    assert parse_frame(raw.encode("utf-8")) == packet


@pytest.mark.parametrize("raw,field", BAD, ids=[f for _, f in BAD])
def test_bad_examples_name_the_field(raw, field):
    with pytest.raises(ProtocolError) as info:
        parse_frame(raw)
    err = info.value
    assert err.packet_type == json.loads(raw)["type"]
    assert err.message.startswith(field + ": ")
    assert str(err) == err.message


def test_message_text_matches_spec_style():
    with pytest.raises(ProtocolError) as info:
        parse_frame(json.dumps({"type": "chat_message", "message": "x" * 501}))
    assert info.value.message == "chat_message.message: Length must be between 1 and 500."


@pytest.mark.parametrize(
    "raw,message",
    [
        ("not json", "Frame is not valid JSON"),
        ('{"type":"ping",', "Frame is not valid JSON"),
        ("", "Frame is not valid JSON"),
        (b"\xff\xfe{}", "Frame is not valid UTF-8."),
        ("[1,2]", "Frame must be a JSON object."),
        ('"ping"', "Frame must be a JSON object."),
        ("null", "Frame must be a JSON object."),
        ('{"clientSentAt":1}', "Missing packet type."),
        ('{"type":5}', "Packet type must be a string."),
        ('{"type":null}', "Packet type must be a string."),
        # NaN/Infinity literals and deep nesting: see test_protocol_frame_limits.py.
        ("[" * 100000 + "]" * 100000, "Frame: Objects and arrays nest more than 64 levels deep."),
    ],
)
def test_frame_level_errors_have_no_packet_type(raw, message):
    with pytest.raises(ProtocolError) as info:
        parse_frame(raw)
    assert info.value.message.startswith(message)
    assert info.value.packet_type is None


def test_unknown_type():
    with pytest.raises(ProtocolError) as info:
        parse_frame('{"type":"foo"}')
    assert info.value.message == "Unknown packet type: foo"
    assert info.value.packet_type == "foo"


def test_extra_fields_and_type_are_not_in_data():
    packet = parse_frame('{"type":"update_position","x":1,"y":2,"id":"spoof","extra":[1]}')
    assert packet.data == {"x": 1, "y": 2}


def test_integral_floats_become_ints():
    packet = parse_frame('{"type":"item_drop","itemId":"a","x":5.0,"y":-0.0}')
    assert packet.data == {"itemId": "a", "x": 5, "y": 0}
    assert type(packet.data["x"]) is int and type(packet.data["y"]) is int
    assert parse_frame('{"type":"item_piano_note","itemId":"p","keyId":"K","midi":127.0,"on":false}'
                       ).data["midi"] == 127


def test_huge_integers_are_accepted_where_any_integer_is():
    # protocol.md: clientSentAt is "any" integer; the client's heartbeat ids are negative.
    assert parse_frame('{"type":"ping","clientSentAt":-4}').data == {"clientSentAt": -4}
    assert parse_frame('{"type":"ping","clientSentAt":1e300}').data["clientSentAt"] == int(1e300)


@pytest.mark.parametrize("value", ['"true"', "1", "0", '"yes"', "null"])
def test_booleans_are_strict(value):
    with pytest.raises(ProtocolError) as info:
        parse_frame('{"type":"item_piano_note","itemId":"p","keyId":"K","midi":60,"on":%s}' % value)
    assert info.value.message.startswith("item_piano_note.on: ")


def test_boolean_true_accepted():
    assert parse_frame('{"type":"item_piano_note","itemId":"p","keyId":"K","midi":60,"on":true}'
                       ).data["on"] is True


def test_nullable_optionals_load_as_none():
    assert parse_frame('{"type":"auth_register","username":"a","password":"b"}').data["email"] is None
    assert parse_frame('{"type":"auth_register","username":"a","password":"b","email":null}'
                       ).data["email"] is None
    assert parse_frame('{"type":"auth_register","username":"a","password":"b","email":""}'
                       ).data["email"] == ""
    assert parse_frame('{"type":"admin_users_list"}').data == {"action": None}
    assert parse_frame('{"type":"admin_users_list","action":null}').data == {"action": None}
    assert parse_frame('{"type":"item_update","itemId":"i","title":null,"params":null}').data == {
        "itemId": "i", "title": None, "params": None}
    assert parse_frame('{"type":"signal","targetId":"t","sdp":null,"ice":{"candidate":"c","sdpMid":null}}'
                       ).data == {"targetId": "t", "sdp": None, "ice": {"candidate": "c", "sdpMid": None}}


def test_lengths_count_code_points():
    emoji = "\U0001F600"  # 2 UTF-16 units, 4 UTF-8 bytes, 1 code point
    assert parse_frame(json.dumps({"type": "chat_message", "message": emoji * 500})).data[
        "message"] == emoji * 500
    assert parse_frame(json.dumps({"type": "update_nickname", "nickname": "é" * 32}, ensure_ascii=False)
                       ).data["nickname"] == "é" * 32
    with pytest.raises(ProtocolError):
        parse_frame(json.dumps({"type": "chat_message", "message": emoji * 501}))


def test_strings_are_not_trimmed():
    assert parse_frame('{"type":"chat_message","message":"  hi  "}').data["message"] == "  hi  "


def test_unpaired_surrogate_rejected_paired_accepted():
    with pytest.raises(ProtocolError) as info:
        parse_frame('{"type":"chat_message","message":"a\\ud800b"}')
    assert info.value.message.startswith("chat_message.message: ")
    with pytest.raises(ProtocolError) as info:
        parse_frame('{"type":"item_update","itemId":"i","params":{"title":"\\udfff"}}')
    assert info.value.message.startswith("item_update.params.title: ")
    ok = parse_frame('{"type":"chat_message","message":"\\ud83d\\ude00"}')
    assert ok.data["message"] == "\U0001F600"
    # A surrogate in an ignored extra field is harmless.
    assert parse_frame('{"type":"ping","clientSentAt":1,"junk":"\\ud800"}').data == {"clientSentAt": 1}


def test_unknown_type_with_surrogate_is_echo_safe():
    with pytest.raises(ProtocolError) as info:
        parse_frame('{"type":"x\\ud800"}')
    info.value.message.encode("utf-8")
    info.value.packet_type.encode("utf-8")


def test_inbound_is_frozen():
    packet = parse_frame('{"type":"auth_logout"}')
    with pytest.raises(dataclasses.FrozenInstanceError):
        packet.type = "x"  # type: ignore[misc]


def test_all_errors_are_reported_together():
    with pytest.raises(ProtocolError) as info:
        parse_frame('{"type":"item_drop","x":"a"}')
    msg = info.value.message
    for field in ("item_drop.itemId", "item_drop.x", "item_drop.y"):
        assert field in msg


def test_unknown_type_echo_is_shortened_in_message_and_packet_type():
    # A huge bogus type must not make the reply twice the size of the request.
    with pytest.raises(ProtocolError) as info:
        parse_frame(json.dumps({"type": "z" * 100_000}))
    assert len(info.value.packet_type) < 100
    assert info.value.packet_type.startswith("zzz")
    assert info.value.message == f"Unknown packet type: {info.value.packet_type}"
