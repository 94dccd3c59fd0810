"""Outbound (server→client) packets: dump / encode / validate_outbound (protocol.md §5, §6)."""

from __future__ import annotations

import copy
import itertools
import json

import pytest

from chgrid.protocol import OUTBOUND_TYPES, OutboundPacketError, dump, encode, validate_outbound
from chgrid.protocol.fastpath import FAST_DUMPERS
from chgrid.protocol.outbound import dump_with_schema

POLICY = {"usernameMinLength": 2, "usernameMaxLength": 32, "passwordMinLength": 8,
          "passwordMaxLength": 32}
CAPS = ["editable", "carryable", "deletable", "usable"]


def make_item(**overrides):
    item = {
        "id": "0c9e5a4e-2b7d-4f0e-a1d3-7b2c5e8f9a01", "type": "wheel", "title": "lunch picker",
        "x": 14, "y": 9, "createdBy": "4", "createdByName": "maria_k", "updatedBy": "4",
        "updatedByName": "maria_k", "createdAt": 1764003600000, "updatedAt": 1764003725000,
        "version": 3, "capabilities": list(CAPS), "useSound": "sounds/spin.ogg",
        "params": {"spaces": "pizza, soup, salad", "speed": 50.0, "nested": {"a": [1, None]}},
        "display": {"type": "wheel", "x": "14", "y": "9", "carrierId": "none", "version": "3",
                    "createdBy": "maria_k", "updatedBy": "maria_k",
                    "createdAt": "2025-11-24 17:00", "updatedAt": "2025-11-24 17:02",
                    "capabilities": "editable, carryable, deletable, usable",
                    "useSound": "spin.ogg", "emitSound": "none"},
    }
    item.update(overrides)
    return item


def make_ui():
    return {
        "itemTypeOrder": ["clock", "dice", "piano", "radio_station", "wheel", "widget"],
        "itemTypes": [{
            "type": "dice", "label": "dice", "tooltip": "Great for drinking games or boredom.",
            "capabilities": list(CAPS), "editableProperties": ["title", "sides", "number"],
            "propertyMetadata": {
                "title": {"valueType": "text", "maxLength": 80,
                          "tooltip": "Display name spoken and shown for this item."},
                "x": {"valueType": "number", "label": "X", "tooltip": "Item X coordinate on the grid."},
                "sides": {"valueType": "number", "tooltip": "Number of sides on each die.",
                          "range": {"min": 1, "max": 100, "step": 1}},
                "emitSoundSpeed": {"valueType": "number", "range": {"min": 0, "max": 100, "step": 0.1}},
                "voiceMode": {"valueType": "list", "options": ["poly", "mono"]},
                "alarmTime": {"valueType": "text", "maxLength": 8, "visibleWhen": {"alarmEnabled": True}},
                "mediaEffectValue": {"valueType": "number", "visibleWhen": {"mediaEffect": "!off", "n": 2}},
                "useSound": {"valueType": "sound", "maxLength": 2048},
                "directional": {"valueType": "boolean"},
            },
            "globalProperties": {"useSound": "sounds/roll.ogg", "emitSound": "none",
                                 "useCooldownMs": 1000, "emitRange": 15, "directional": False,
                                 "emitSoundSpeed": 50, "emitSoundTempo": 50,
                                 "emitInitialDelay": 0, "emitLoopDelay": 0},
        }],
        "commandMetadata": {"mainModeActions": [
            {"id": "addItem", "label": "Add item", "tooltip": "Open the add-item menu."}]},
        "itemManagement": {"actions": [
            {"id": "delete", "label": "Delete item", "tooltip": "Delete this item from the world.",
             "anyPermission": "item.delete.any", "ownPermission": "item.delete.own"}]},
        "adminMenu": {"actions": [{"id": "manage_roles", "label": "Role management",
                                   "tooltip": "Manage roles and their permission sets."}]},
    }


def make_welcome():
    cid = "3b0f6c1e-6f5e-4c9a-9d52-2f1b9b8f4a10"
    return {
        "id": cid,
        "player": {"id": cid, "userId": "4", "nickname": "Maria", "x": 7, "y": 33},
        "users": [{"id": "a9e0d2c4", "userId": "9", "nickname": "tomas", "x": 12, "y": 30}],
        "items": [make_item(),
                  make_item(id="5d7c", type="clock", useSound=None, emitSound="sounds/clock.ogg",
                            carrierId="a9e0d2c4")],
        "worldConfig": {"gridSize": 41, "movementTickMs": 200, "movementMaxStepsPerTick": 1},
        "uiDefinitions": make_ui(),
        "serverInfo": {"instanceId": "e3c5a7d9", "version": "2026.02.28 R317", "releaseVersion": "",
                       "serverVersion": "0.1.0 S13", "expectedClientRevision": "", "gridName": "TT Grid",
                       "welcomeMessage": "Welcome to TT."},
        "auth": {"authenticated": True, "userId": "4", "username": "maria_k", "role": "user",
                 "permissions": ["chat.send", "item.use"], "policy": dict(POLICY)},
    }


PIANO_NOTE = {"itemId": "77ab", "senderId": "aea9", "keyId": "KeyA", "midi": 60, "on": True,
              "instrument": "piano", "voiceMode": "poly", "octave": 0, "attack": 15,
              "decay": 45, "release": 35, "brightness": 55, "x": 10, "y": 10, "emitRange": 15}

# (packet type, payload) -- spec examples, some with None-valued optional fields.
VALID = [
    ("auth_required", {"message": "Authentication required.", "authPolicy": dict(POLICY),
                       "gridName": "TT Grid", "welcomeMessage": "Welcome to TT.", "releaseVersion": "0.1.1",
                       "expectedClientRevision": "R352", "serverVersion": "0.1.1 S350"}),
    ("auth_required", {"message": "Authentication required.", "authPolicy": dict(POLICY),
                       "gridName": "Chat Grid", "welcomeMessage": "Hi.", "serverVersion": "S13"}),
    ("auth_result", {"ok": True, "message": "Authenticated.", "sessionToken": "Vq3Yw",
                     "username": "maria_k", "role": "user", "permissions": ["chat.send", "voice.send"],
                     "adminMenuActions": [], "nickname": "Maria", "authPolicy": dict(POLICY)}),
    ("auth_result", {"ok": False, "message": "Authenticate before sending gameplay actions.",
                     "sessionToken": None, "authPolicy": None}),
    ("auth_permissions", {"role": "guest", "permissions": ["chat.send", "item.use"],
                          "adminMenuActions": [{"id": "ban_user", "label": "Ban user",
                                                "tooltip": "Disable a user account."}]}),
    ("admin_roles_list", {"roles": [{"id": 1, "name": "admin", "isSystem": True, "userCount": 1,
                                     "permissions": ["account.delete.any", "chat.send"]}],
                          "permissionKeys": ["item.create", "item.edit.own"],
                          "permissionTooltips": {"item.create": "Allow creating new items."}}),
    ("admin_users_list", {"users": [{"id": "2", "username": "bob", "role": "user", "status": "active"}]}),
    ("admin_action_result", {"ok": True, "action": "user_ban", "message": "Banned spammer42."}),
    ("welcome", make_welcome()),
    ("signal", {"senderId": "aea9", "senderNickname": "Maria", "x": 10, "y": 10,
                "sdp": {"type": "offer", "sdp": "v=0\r\n"}, "ice": None}),
    ("signal", {"senderId": "aea9", "senderNickname": "Maria", "x": 10, "y": 10,
                "ice": {"candidate": "candidate:1", "sdpMid": None, "sdpMLineIndex": 0}}),
    ("update_position", {"id": "aea9", "x": 11, "y": 10}),
    ("teleport_complete", {"id": "aea9", "x": 4, "y": 17}),
    ("update_nickname", {"id": "aea9", "nickname": "Maria"}),
    ("user_left", {"id": "aea9"}),
    ("chat_message", {"message": "hello all", "senderId": "aea9", "senderNickname": "Maria",
                      "system": False, "action": False}),
    ("chat_message", {"message": "Maria has logged in.", "system": True, "action": False,
                      "senderId": None, "senderNickname": None}),
    ("pong", {"clientSentAt": -4}),
    ("nickname_result", {"accepted": False, "requestedNickname": "bob", "effectiveNickname": "Maria",
                         "reason": "Nickname already in use."}),
    ("nickname_result", {"accepted": True, "requestedNickname": "Maria", "effectiveNickname": "Maria",
                         "reason": None}),
    ("item_upsert", {"item": make_item(carrierId=None, emitSound=None)}),
    ("item_remove", {"itemId": "0c9e"}),
    ("item_action_result", {"ok": True, "action": "use", "message": "You rolled Dice: 4, 1 (total 5).",
                            "itemId": "0c9e"}),
    ("item_action_result", {"ok": False, "action": "add", "message": "Unknown item type.", "itemId": None}),
    ("item_action_result", {"ok": True, "action": "transfer", "message": "You transferred Dice (dice) to bob.",
                            "itemId": "0c9e"}),
    ("item_transfer_targets", {"itemId": "0c9e", "targets": [
        {"userId": "3", "username": "bob", "online": False}, {"userId": "1", "username": "boss", "online": True}]}),
    ("item_transfer_targets", {"itemId": "0c9e", "targets": []}),
    ("admin_action_result", {"ok": True, "action": "user_delete", "message": "Deleted account bob."}),
    ("item_use_sound", {"itemId": "0c9e", "sound": "sounds/roll.ogg", "x": 10, "y": 10, "range": 15}),
    ("item_clock_announce", {"itemId": "82f9", "sounds": ["/sounds/clock/el640/its.ogg",
                                                          "/sounds/clock/el640/3.ogg"],
                             "x": 10, "y": 10, "range": 10}),
    ("item_piano_note", dict(PIANO_NOTE)),
    ("item_piano_status", {"itemId": "77ab", "event": "record_started", "recordingState": "recording"}),
    ("protocol_error", {"message": "chat_message.message: Length must be between 1 and 500.",
                        "packetType": "chat_message"}),
    ("protocol_error", {"message": "Frame is not valid JSON.", "packetType": None}),
]


def strip_none(value, free=False):
    """Expected dump result: None-valued keys removed except inside free objects."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if item is None and not free:
                continue
            out[key] = strip_none(item, free or key in ("params", "sdp", "ice", "globalProperties"))
        return out
    if isinstance(value, list):
        return [strip_none(v, free) for v in value]
    return value


def test_every_outbound_type_has_examples():
    assert len(OUTBOUND_TYPES) == 24  # 23 + item_transfer_targets (upstream-0.1 §6)
    assert {t for t, _ in VALID} == OUTBOUND_TYPES
    assert {t for t, _, _ in BAD} == OUTBOUND_TYPES


@pytest.mark.parametrize("packet_type,payload", VALID, ids=[t for t, _ in VALID])
def test_valid_examples_dump_unchanged(packet_type, payload):
    original = copy.deepcopy(payload)
    packet = dump(packet_type, payload)
    assert payload == original  # dump never mutates its input
    assert list(packet)[0] == "type"
    assert packet == {"type": packet_type, **strip_none(payload)}
    assert validate_outbound(packet) == []
    frame = encode(packet_type, payload)
    assert json.loads(frame) == packet
    assert frame == json.dumps(packet, separators=(",", ":"), ensure_ascii=False)


def test_chat_message_booleans_default_false():
    packet = dump("chat_message", {"message": "hi"})
    assert packet == {"type": "chat_message", "message": "hi", "system": False, "action": False}


def test_key_order_is_reference_order():
    packet = dump("chat_message", {"action": False, "system": True, "message": "x"})
    assert list(packet) == ["type", "message", "system", "action"]
    item = dump("item_upsert", {"item": dict(reversed(list(make_item(carrierId="c").items())))})["item"]
    assert list(item) == ["id", "type", "title", "x", "y", "createdBy", "createdByName",
                          "updatedBy", "updatedByName", "createdAt", "updatedAt", "version",
                          "capabilities", "useSound", "params", "carrierId", "display"]


def test_encode_is_compact_and_keeps_non_ascii():
    frame = encode("chat_message", {"message": "héllo 😀", "system": True})
    assert frame == '{"type":"chat_message","message":"héllo 😀","system":true,"action":false}'


def test_none_removed_inside_welcome_items():
    packet = dump("welcome", make_welcome())
    clock = packet["items"][1]
    assert "useSound" not in clock and clock["emitSound"] == "sounds/clock.ogg"
    # Nulls inside free-form params are data, not optional fields: kept.
    assert packet["items"][0]["params"]["nested"] == {"a": [1, None]}


def _set(path, value):
    def mutate(payload):
        target = payload
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _delete(path):
    def mutate(payload):
        target = payload
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


def _payload(packet_type, index=0):
    return [p for t, p in VALID if t == packet_type][index]


# (packet type, mutation of its first VALID payload, field path the error must name)
BAD = [
    ("auth_required", _set(("authPolicy", "usernameMinLength"), 0), "auth_required.authPolicy.usernameMinLength"),
    ("auth_result", _set(("ok",), 1), "auth_result.ok"),
    ("auth_result", _set(("adminMenuActions",), [{"id": "x"}]), "auth_result.adminMenuActions.0.label"),
    ("auth_permissions", _delete(("adminMenuActions",)), "auth_permissions.adminMenuActions"),
    ("auth_permissions", _delete(("adminMenuActions", 0, "tooltip")), "auth_permissions.adminMenuActions.0.tooltip"),
    ("auth_required", _delete(("gridName",)), "auth_required.gridName"),
    ("auth_required", _set(("welcomeMessage",), None), "auth_required.welcomeMessage"),
    ("auth_required", _delete(("serverVersion",)), "auth_required.serverVersion"),
    ("auth_required", _set(("releaseVersion",), ""), "auth_required.releaseVersion"),
    ("auth_required", _set(("expectedClientRevision",), ""), "auth_required.expectedClientRevision"),
    ("welcome", _delete(("player", "userId")), "welcome.player.userId"),
    ("welcome", _set(("users", 0, "userId"), 9), "welcome.users.0.userId"),
    ("welcome", _delete(("serverInfo", "version")), "welcome.serverInfo.version"),
    ("welcome", _set(("serverInfo", "releaseVersion"), None), "welcome.serverInfo.releaseVersion"),
    ("welcome", _delete(("serverInfo", "gridName")), "welcome.serverInfo.gridName"),
    ("welcome", _delete(("uiDefinitions", "commandMetadata")), "welcome.uiDefinitions.commandMetadata"),
    ("welcome", _delete(("uiDefinitions", "itemManagement", "actions", 0, "ownPermission")),
     "welcome.uiDefinitions.itemManagement.actions.0.ownPermission"),
    ("welcome", _delete(("uiDefinitions", "adminMenu", "actions", 0, "tooltip")),
     "welcome.uiDefinitions.adminMenu.actions.0.tooltip"),
    ("admin_roles_list", _set(("roles", 0, "userCount"), -1), "admin_roles_list.roles.0.userCount"),
    ("admin_roles_list", _set(("roles", 0, "id"), "1"), "admin_roles_list.roles.0.id"),
    ("admin_roles_list", _set(("permissionTooltips", "k"), 1), "admin_roles_list.permissionTooltips.k"),
    ("admin_users_list", _set(("users", 0, "status"), "banned"), "admin_users_list.users.0.status"),
    ("admin_action_result", _set(("action",), "user_kick"), "admin_action_result.action"),
    ("welcome", _set(("items", 0, "useSound"), 5), "welcome.items.0.useSound"),
    ("welcome", _set(("items", 1, "display", "x"), 12), "welcome.items.1.display.x"),
    ("welcome", _set(("items", 0, "x"), True), "welcome.items.0.x"),
    ("welcome", _set(("items", 0, "version"), 3.0), "welcome.items.0.version"),
    ("welcome", _set(("items", 0, "params", "speed"), float("nan")), "welcome.items.0.params"),
    ("welcome", _set(("items", 0, "params", "s"), {1, 2}), "welcome.items.0.params"),
    ("welcome", _set(("items", 0, "type"), ""), "welcome.items.0.type"),
    ("welcome", _delete(("items", 0, "display")), "welcome.items.0.display"),
    ("welcome", _set(("items", 0, "internal"), 1), "welcome.items.0.internal"),
    ("welcome", _set(("worldConfig", "gridSize"), 0), "welcome.worldConfig.gridSize"),
    ("welcome", _set(("player", "y"), "33"), "welcome.player.y"),
    ("welcome", _set(("auth", "adminMenuActions"), []), "welcome.auth.adminMenuActions"),
    ("welcome", _set(("auth", "policy"), None), "welcome.auth.policy"),
    ("welcome", _set(("uiDefinitions", "itemTypeOrder", 2), ""), "welcome.uiDefinitions.itemTypeOrder.2"),
    ("welcome", _set(("uiDefinitions", "itemTypes", 0, "label"), 3), "welcome.uiDefinitions.itemTypes.0.label"),
    ("welcome", _set(("uiDefinitions", "itemTypes", 0, "propertyMetadata", "x", "valueType"), "int"),
     "welcome.uiDefinitions.itemTypes.0.propertyMetadata.x.valueType"),
    ("welcome", _set(("uiDefinitions", "itemTypes", 0, "propertyMetadata", "x", "maxLength"), 0),
     "welcome.uiDefinitions.itemTypes.0.propertyMetadata.x.maxLength"),
    ("welcome", _set(("uiDefinitions", "itemTypes", 0, "propertyMetadata", "x", "options"), "a,b"),
     "welcome.uiDefinitions.itemTypes.0.propertyMetadata.x.options"),
    ("welcome", _set(("uiDefinitions", "itemTypes", 0, "propertyMetadata", "x", "visibleWhen"), {"a": [1]}),
     "welcome.uiDefinitions.itemTypes.0.propertyMetadata.x.visibleWhen.a"),
    ("welcome", _set(("uiDefinitions", "itemTypes", 0, "propertyMetadata", "sides", "range"), {"min": 1}),
     "welcome.uiDefinitions.itemTypes.0.propertyMetadata.sides.range.max"),
    ("welcome", _set(("uiDefinitions", "itemTypes", 0, "propertyMetadata", "sides", "range", "step"), "1"),
     "welcome.uiDefinitions.itemTypes.0.propertyMetadata.sides.range.step"),
    ("welcome", _delete(("uiDefinitions", "itemTypes", 0, "editableProperties")),
     "welcome.uiDefinitions.itemTypes.0.editableProperties"),
    ("welcome", _set(("uiDefinitions", "adminMenu", "actions", 0, "label"), None),
     "welcome.uiDefinitions.adminMenu.actions.0.label"),
    ("signal", _set(("sdp",), "v=0"), "signal.sdp"),
    ("signal", _delete(("senderNickname",)), "signal.senderNickname"),
    ("update_position", _set(("x",), True), "update_position.x"),
    ("update_position", _set(("x",), 1.0), "update_position.x"),
    ("update_position", _set(("id",), None), "update_position.id"),
    ("teleport_complete", _delete(("y",)), "teleport_complete.y"),
    ("update_nickname", _set(("nickname",), "n" * 33), "update_nickname.nickname"),
    ("user_left", _set(("id",), 5), "user_left.id"),
    ("chat_message", _set(("system",), None), "chat_message.system"),
    ("chat_message", _set(("action",), 0), "chat_message.action"),
    ("pong", _set(("clientSentAt",), "1"), "pong.clientSentAt"),
    ("nickname_result", _delete(("effectiveNickname",)), "nickname_result.effectiveNickname"),
    ("item_upsert", _set(("item", "carrierId"), 7), "item_upsert.item.carrierId"),
    ("item_upsert", _set(("item", "capabilities"), "editable"), "item_upsert.item.capabilities"),
    ("item_remove", _set(("itemId",), None), "item_remove.itemId"),
    ("item_action_result", _set(("action",), "move"), "item_action_result.action"),
    ("item_transfer_targets", _set(("targets", 0, "userId"), 3), "item_transfer_targets.targets.0.userId"),
    ("item_transfer_targets", _set(("targets", 1, "online"), None), "item_transfer_targets.targets.1.online"),
    ("item_use_sound", _set(("range",), 0), "item_use_sound.range"),
    ("item_clock_announce", _set(("sounds", 1), None), "item_clock_announce.sounds.1"),
    ("item_piano_note", _set(("voiceMode",), "stereo"), "item_piano_note.voiceMode"),
    ("item_piano_note", _set(("octave",), 3), "item_piano_note.octave"),
    ("item_piano_note", _set(("attack",), 101), "item_piano_note.attack"),
    ("item_piano_note", _set(("midi",), 128), "item_piano_note.midi"),
    ("item_piano_note", _set(("emitRange",), 0), "item_piano_note.emitRange"),
    ("item_piano_note", _set(("on",), 1), "item_piano_note.on"),
    ("item_piano_status", _set(("recordingState",), "stopped"), "item_piano_status.recordingState"),
    ("item_piano_status", _set(("event",), "record"), "item_piano_status.event"),
    ("protocol_error", _delete(("message",)), "protocol_error.message"),
]


@pytest.mark.parametrize("packet_type,mutate,field", BAD, ids=[f for _, _, f in BAD])
def test_bad_examples_raise(packet_type, mutate, field):
    payload = copy.deepcopy(_payload(packet_type))
    mutate(payload)
    with pytest.raises(OutboundPacketError) as info:
        dump(packet_type, payload)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.packet_type == packet_type
    assert any(line.startswith(field + ": ") for line in err.errors), err.errors
    with pytest.raises(OutboundPacketError):
        encode(packet_type, payload)
    # The same payload as a wire packet is flagged by validate_outbound.
    assert validate_outbound({"type": packet_type, **payload})


def test_unknown_outbound_type_and_non_dict_payload():
    with pytest.raises(OutboundPacketError):
        dump("update_positions", {"id": "a", "x": 1, "y": 1})
    with pytest.raises(OutboundPacketError):
        dump("update_position", [("id", "a")])


def test_stray_type_key_in_payload_is_ignored():
    assert dump("user_left", {"type": "user_left", "id": "a"}) == {"type": "user_left", "id": "a"}


# --- validate_outbound ------------------------------------------------------------------

def test_validate_outbound_reports_nulls():
    raw = {"type": "welcome", **make_welcome()}
    # make_welcome's second item has useSound None, which dump would have removed.
    assert validate_outbound(raw) == ["null value at field welcome.items.1.useSound"]
    welcome = dump("welcome", make_welcome())
    welcome["items"][0]["useSound"] = None
    assert validate_outbound(welcome) == ["null value at field welcome.items.0.useSound"]
    assert validate_outbound({"type": "nickname_result", "accepted": True, "requestedNickname": "a",
                              "effectiveNickname": "a", "reason": None}) == [
        "null value at field nickname_result.reason"]
    problems = validate_outbound({"type": "chat_message", "message": "m", "system": None, "action": False})
    assert problems == ["null value at field chat_message.system"]


def test_validate_outbound_allows_the_client_accepted_nulls():
    welcome = dump("welcome", make_welcome())
    welcome["items"][0]["carrierId"] = None
    welcome["auth"].update(userId=None, username=None, role=None)
    assert validate_outbound(welcome) == []
    assert validate_outbound({"type": "item_upsert", "item": make_item(carrierId=None)}) == []


def test_validate_outbound_requires_always_sent_booleans():
    assert validate_outbound({"type": "chat_message", "message": "m"}) == [
        "missing field chat_message.system", "missing field chat_message.action"]


@pytest.mark.parametrize("packet,expected", [
    ([], "packet is not a JSON object"),
    ({"id": "a"}, "missing or non-string type"),
    ({"type": "pings"}, "unknown packet type 'pings'"),
])
def test_validate_outbound_shape(packet, expected):
    assert validate_outbound(packet) == [expected]


def test_validate_outbound_reports_wrong_types_and_extras():
    problems = validate_outbound({"type": "update_position", "id": "a", "x": True, "y": 1, "z": 1})
    assert "update_position.x: Not a valid integer." in problems
    assert "update_position.z: Unknown field." in problems


# --- fast path agrees with the schema --------------------------------------------------

def _variants(base):
    """Payload variants around ``base``: each field replaced by odd values, dropped,
    plus an extra key."""
    odd = [None, True, False, 0, 1, -1, 5.0, 1.5, "", "x", "poly", "mono", 127, 128, -2, 2, 3,
           100, 101, [], {}]
    yield dict(base)
    yield {**base, "extra": 1}
    for key in base:
        yield {k: v for k, v in base.items() if k != key}
        for value in odd:
            yield {**base, key: value}
    for a, b in itertools.combinations(list(base), 2):
        yield {**base, a: base[b], b: base[a]}


@pytest.mark.parametrize("packet_type,base", [
    ("update_position", {"id": "aea9", "x": 11, "y": 10}),
    ("teleport_complete", {"id": "aea9", "x": 4, "y": 17}),
    ("item_piano_note", PIANO_NOTE),
])
def test_fast_path_agrees_with_schema(packet_type, base):
    fast = FAST_DUMPERS[packet_type]
    accepted = 0
    for payload in _variants(base):
        try:
            slow = dump_with_schema(packet_type, payload)
        except OutboundPacketError:
            slow = None
        quick = fast(payload)
        if quick is not None:
            accepted += 1
            assert slow is not None, payload
            assert list(quick.items()) == list(slow.items())
        # Whatever the path, dump decides exactly like the schema.
        if slow is None:
            with pytest.raises(OutboundPacketError):
                dump(packet_type, payload)
        else:
            assert list(dump(packet_type, payload).items()) == list(slow.items())
    assert accepted > 10


def test_fast_path_defers_int_subclasses_to_schema():
    import enum

    class Col(enum.IntEnum):
        A = 3

    assert FAST_DUMPERS["update_position"]({"id": "a", "x": Col.A, "y": 1}) is None
    assert encode("update_position", {"id": "a", "x": Col.A, "y": 1}) == \
        '{"type":"update_position","id":"a","x":3,"y":1}'


def test_encode_rejects_unpaired_surrogates():
    with pytest.raises(OutboundPacketError):
        encode("chat_message", {"message": "bad \ud800", "system": True})


def test_welcome_cached_ui_path_matches_schema_path_and_still_rejects():
    from chgrid.protocol.outbound import dump_with_schema

    welcome = make_welcome()
    assert dump("welcome", welcome) == dump_with_schema("welcome", welcome)
    assert list(dump("welcome", welcome)) == list(dump_with_schema("welcome", welcome))
    # the ui part is now cached: a bad rest of the packet must still be refused
    bad_body = make_welcome()
    bad_body["player"]["x"] = "1"
    with pytest.raises(OutboundPacketError):
        dump("welcome", bad_body)
    bad_ui = make_welcome()
    bad_ui["uiDefinitions"]["itemTypes"][0]["label"] = None
    bad_ui["uiDefinitions"]["itemTypes"][0]["editableProperties"] = "title"
    with pytest.raises(OutboundPacketError):
        dump("welcome", bad_ui)
