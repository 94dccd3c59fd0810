"""Server→client packets: one schema per type, ``dump``, ``encode``, ``validate_outbound``.

Each schema states the reference client's drop rules (protocol.md §6) plus what the
spec says the server always sends (protocol.md §5, world.md §10, items.md §1,
permissions.md §4.9/§7).  Value ranges are enforced where the *client* checks them
(e.g. ``midi`` 0–127, ``octave`` −2…2); ranges that are only item-validation policy
(a piano's ``emitRange`` 5–20) are left to the item code, so a legacy value never turns
a broadcast into an exception.

``dump`` loads the payload through the schema: that validates every field and, through
``omit_none`` fields, removes optional keys whose value is ``None`` at every level.
The result is built in schema declaration order, i.e. the reference key order, with
``type`` first.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from marshmallow import Schema, ValidationError, missing
from marshmallow.validate import Length, OneOf, Range

from . import fastpath
from .errors import OutboundPacketError, format_errors
from .fields import (
    NULL_MESSAGE,
    JsonObject,
    Obj,
    StrictBoolean,
    StrictList,
    StringMap,
)
from .items import (
    AdminMenuActionSchema,
    Bool,
    Int,
    ItemSchema,
    OptStr,
    OutboundSchema,
    PosInt,
    Str,
    StrList,
    UiDefinitionsSchema,
)

__all__ = [
    "OUTBOUND_SCHEMAS",
    "OUTBOUND_TYPES",
    "dump",
    "encode",
    "validate_outbound",
    "dump_with_schema",
]

ADMIN_ACTIONS = (
    "role_create", "role_update_permissions", "role_delete",
    "user_set_role", "user_ban", "user_unban", "user_delete",
)
ITEM_ACTIONS = ("add", "pickup", "drop", "delete", "transfer", "use", "secondary_use", "update")
PIANO_EVENTS = (
    "use_mode_entered", "record_started", "record_paused", "record_resumed",
    "record_stopped", "playback_started", "playback_stopped",
)
PIANO_RECORDING_STATES = ("idle", "recording", "paused", "playback")
USER_STATUSES = ("active", "disabled")
VOICE_MODES = ("poly", "mono")

_PERCENT = Range(min=0, max=100)
_NON_EMPTY_TEXT = Length(min=1)


# --- shared pieces --------------------------------------------------------------------

class AuthPolicySchema(OutboundSchema):
    usernameMinLength = PosInt()
    usernameMaxLength = PosInt()
    passwordMinLength = PosInt()
    passwordMaxLength = PosInt()


def _admin_menu_actions(**kw: Any) -> Obj:
    kw.setdefault("required", True)
    return Obj(AdminMenuActionSchema, many=True, **kw)


class PresenceSchema(OutboundSchema):
    """``welcome.player`` and ``welcome.users[]`` (``userId``: upstream-0.1.md §5.1)."""

    id = Str()
    userId = Str()
    nickname = Str()
    x = Int()
    y = Int()


# --- auth and admin -------------------------------------------------------------------

class AuthRequiredOut(OutboundSchema):
    """upstream-0.1.md §4: the version strings that may be empty are omitted then."""

    message = Str()
    authPolicy = Obj(AuthPolicySchema, required=True)
    gridName = Str()
    welcomeMessage = Str()
    releaseVersion = OptStr(validate=_NON_EMPTY_TEXT)
    expectedClientRevision = OptStr(validate=_NON_EMPTY_TEXT)
    serverVersion = Str()


class AuthResultOut(OutboundSchema):
    ok = Bool()
    message = Str()
    # Present on success only; the auth gate and ban notice also omit authPolicy.
    sessionToken = OptStr()
    username = OptStr()
    role = OptStr()
    permissions = StrList(required=False, omit_none=True)
    adminMenuActions = _admin_menu_actions(required=False, omit_none=True)
    nickname = OptStr()
    authPolicy = Obj(AuthPolicySchema, omit_none=True)


class AuthPermissionsOut(OutboundSchema):
    role = Str()
    permissions = StrList()
    adminMenuActions = _admin_menu_actions()


class AdminRoleSchema(OutboundSchema):
    id = Int()
    name = Str()
    isSystem = Bool()
    userCount = Int(validate=Range(min=0))
    permissions = StrList()


class AdminRolesListOut(OutboundSchema):
    roles = Obj(AdminRoleSchema, many=True, required=True)
    permissionKeys = StrList()
    permissionTooltips = StringMap(Str(), required=True)


class AdminUserSchema(OutboundSchema):
    id = Str()
    username = Str()
    role = Str()
    status = Str(validate=OneOf(USER_STATUSES))


class AdminUsersListOut(OutboundSchema):
    users = Obj(AdminUserSchema, many=True, required=True)


class AdminActionResultOut(OutboundSchema):
    ok = Bool()
    action = Str(validate=OneOf(ADMIN_ACTIONS))
    message = Str()


# --- welcome (world.md §10) -----------------------------------------------------------

class WorldConfigSchema(OutboundSchema):
    gridSize = PosInt()
    movementTickMs = PosInt()
    movementMaxStepsPerTick = PosInt()


class ServerInfoSchema(OutboundSchema):
    """``version`` for the 2026-02-28 client beside the six v0.1.0 fields (§27.4)."""

    instanceId = Str()
    version = Str()
    releaseVersion = Str()
    serverVersion = Str()
    expectedClientRevision = Str()
    gridName = Str()
    welcomeMessage = Str()


class WelcomeAuthSchema(OutboundSchema):
    authenticated = Bool()
    # The client accepts null for these three; the server still omits them when
    # empty, so dump drops None and validate_outbound tolerates null.
    userId = OptStr(wire_null_ok=True)
    username = OptStr(wire_null_ok=True)
    role = OptStr(wire_null_ok=True)
    permissions = StrList()
    policy = Obj(AuthPolicySchema, required=True)


class WelcomeOut(OutboundSchema):
    id = Str()
    player = Obj(PresenceSchema, required=True)
    users = Obj(PresenceSchema, many=True, required=True)
    items = Obj(ItemSchema, many=True, required=True)
    worldConfig = Obj(WorldConfigSchema, required=True)
    uiDefinitions = Obj(UiDefinitionsSchema, required=True)
    serverInfo = Obj(ServerInfoSchema, required=True)
    auth = Obj(WelcomeAuthSchema, required=True)


class _WelcomeBodyOut(WelcomeOut):
    """``welcome`` without ``uiDefinitions``, for the cached path in :func:`dump`."""

    class Meta:
        exclude = ("uiDefinitions",)


# --- world ----------------------------------------------------------------------------

class SignalOut(OutboundSchema):
    senderId = Str()
    senderNickname = Str()
    x = Int()
    y = Int()
    sdp = JsonObject(omit_none=True, deep=True)
    ice = JsonObject(omit_none=True, deep=True)


class UpdatePositionOut(OutboundSchema):
    id = Str()
    x = Int()
    y = Int()


class TeleportCompleteOut(OutboundSchema):
    id = Str()
    x = Int()
    y = Int()


class UpdateNicknameOut(OutboundSchema):
    id = Str()
    nickname = Str(validate=Length(min=1, max=32))


class UserLeftOut(OutboundSchema):
    id = Str()


class ChatMessageOut(OutboundSchema):
    message = Str()
    senderId = OptStr()
    senderNickname = OptStr()
    # Always on the wire (protocol.md §1.5); load_default fills them in.
    system = StrictBoolean(load_default=False)
    action = StrictBoolean(load_default=False)


class PongOut(OutboundSchema):
    clientSentAt = Int()


class NicknameResultOut(OutboundSchema):
    accepted = Bool()
    requestedNickname = Str()
    effectiveNickname = Str()
    reason = OptStr()


# --- items ----------------------------------------------------------------------------

class ItemUpsertOut(OutboundSchema):
    item = Obj(ItemSchema, required=True)


class ItemRemoveOut(OutboundSchema):
    itemId = Str()


class ItemActionResultOut(OutboundSchema):
    ok = Bool()
    action = Str(validate=OneOf(ITEM_ACTIONS))
    message = Str()
    itemId = OptStr()


class TransferTargetSchema(OutboundSchema):
    userId = Str()
    username = Str()
    online = Bool()


class ItemTransferTargetsOut(OutboundSchema):
    """Accounts an item may be given to (upstream-0.1 §6.2)."""

    itemId = Str()
    targets = Obj(TransferTargetSchema, many=True, required=True)


class ItemUseSoundOut(OutboundSchema):
    itemId = Str()
    sound = Str()
    x = Int()
    y = Int()
    range = PosInt()


class ItemClockAnnounceOut(OutboundSchema):
    itemId = Str()
    sounds = StrList()
    x = Int()
    y = Int()
    range = PosInt()


class ItemPianoNoteOut(OutboundSchema):
    itemId = Str()
    senderId = Str()
    keyId = Str()
    midi = Int(validate=Range(min=0, max=127))
    on = Bool()
    instrument = Str()
    voiceMode = Str(validate=OneOf(VOICE_MODES))
    octave = Int(validate=Range(min=-2, max=2))
    attack = Int(validate=_PERCENT)
    decay = Int(validate=_PERCENT)
    release = Int(validate=_PERCENT)
    brightness = Int(validate=_PERCENT)
    x = Int()
    y = Int()
    emitRange = PosInt()


class ItemPianoStatusOut(OutboundSchema):
    itemId = Str()
    event = Str(validate=OneOf(PIANO_EVENTS))
    recordingState = Str(validate=OneOf(PIANO_RECORDING_STATES))


# --- chgrid extension -----------------------------------------------------------------

class ProtocolErrorOut(OutboundSchema):
    """Reply to an invalid inbound frame (not in the reference; its client ignores it)."""

    message = Str()
    packetType = OptStr()


OUTBOUND_SCHEMAS: dict[str, Schema] = {
    "auth_required": AuthRequiredOut(),
    "auth_result": AuthResultOut(),
    "auth_permissions": AuthPermissionsOut(),
    "admin_roles_list": AdminRolesListOut(),
    "admin_users_list": AdminUsersListOut(),
    "admin_action_result": AdminActionResultOut(),
    "welcome": WelcomeOut(),
    "signal": SignalOut(),
    "update_position": UpdatePositionOut(),
    "teleport_complete": TeleportCompleteOut(),
    "update_nickname": UpdateNicknameOut(),
    "user_left": UserLeftOut(),
    "chat_message": ChatMessageOut(),
    "pong": PongOut(),
    "nickname_result": NicknameResultOut(),
    "item_upsert": ItemUpsertOut(),
    "item_remove": ItemRemoveOut(),
    "item_action_result": ItemActionResultOut(),
    "item_transfer_targets": ItemTransferTargetsOut(),
    "item_use_sound": ItemUseSoundOut(),
    "item_clock_announce": ItemClockAnnounceOut(),
    "item_piano_note": ItemPianoNoteOut(),
    "item_piano_status": ItemPianoStatusOut(),
    "protocol_error": ProtocolErrorOut(),
}

OUTBOUND_TYPES: frozenset[str] = frozenset(OUTBOUND_SCHEMAS)


def _warm(schema: Schema, seen: set[int]) -> None:
    """Instantiate every nested schema now.

    ``Nested.schema`` is built lazily on first use; doing it at import time means
    concurrent first calls from several actor threads never race on it.
    """
    if id(schema) in seen:
        return
    seen.add(id(schema))
    for field in schema.fields.values():
        for sub in _sub_fields(field):
            if isinstance(sub, Obj):
                _warm(sub.schema, seen)


def _sub_fields(field: Any) -> list[Any]:
    out = [field]
    if isinstance(field, StrictList):
        out.extend(_sub_fields(field.inner))
    elif isinstance(field, StringMap):
        out.extend(_sub_fields(field.value_field))
    return out


_seen: set[int] = set()
for _schema in OUTBOUND_SCHEMAS.values():
    _warm(_schema, _seen)
del _seen


# --- dump / encode --------------------------------------------------------------------

def dump_with_schema(packet_type: str, payload: dict) -> dict:
    """The marshmallow path of :func:`dump` (no fast path); public for tests."""
    schema = OUTBOUND_SCHEMAS.get(packet_type)
    if schema is None:
        raise OutboundPacketError(str(packet_type), [f"unknown packet type {packet_type!r}"])
    if not isinstance(payload, dict):
        raise OutboundPacketError(packet_type, [f"{packet_type}: payload is not a dict"])
    if "type" in payload:
        # Callers pass the payload without "type"; a stray one would be duplicated.
        payload = {k: v for k, v in payload.items() if k != "type"}
    try:
        loaded = schema.load(payload)
    except ValidationError as exc:
        raise OutboundPacketError(packet_type, format_errors(packet_type, exc.messages)) from None
    packet = {"type": packet_type}
    packet.update(loaded)
    return packet


_UI_SCHEMA = UiDefinitionsSchema()
_WELCOME_BODY = _WelcomeBodyOut()
_UI_CACHE: OrderedDict[str, dict] = OrderedDict()
_UI_CACHE_SIZE = 32
_UI_CACHE_LOCK = threading.Lock()


def _dump_welcome(payload: dict) -> dict | None:
    """``welcome`` with its ``uiDefinitions`` validated once per distinct value.

    uiDefinitions is most of a welcome and the same for everyone (it varies only with
    the admin menu), so validating it for every login cost milliseconds of the room's
    time. The rest of the packet is validated every time. Returns None to let the full
    schema path decide (and explain) anything unusual.
    """
    ui = payload.get("uiDefinitions")
    try:
        key = _encode_json(ui)
    except (TypeError, ValueError):
        return None
    with _UI_CACHE_LOCK:
        validated = _UI_CACHE.get(key)
    if validated is None:
        try:
            validated = _UI_SCHEMA.load(ui)
        except ValidationError:
            return None
        with _UI_CACHE_LOCK:
            _UI_CACHE[key] = validated
            while len(_UI_CACHE) > _UI_CACHE_SIZE:
                _UI_CACHE.popitem(last=False)
    body = {k: v for k, v in payload.items() if k not in ("uiDefinitions", "type")}
    try:
        loaded = _WELCOME_BODY.load(body)
    except ValidationError:
        return None
    packet: dict = {"type": "welcome"}
    for name in WelcomeOut._declared_fields:
        if name == "uiDefinitions":
            packet[name] = validated
        elif name in loaded:
            packet[name] = loaded[name]
    return packet


def dump(packet_type: str, payload: dict) -> dict:
    """Validate a server→client payload and return the wire packet (``type`` first).

    Raises :class:`OutboundPacketError` on any wire-rule violation.
    """
    if packet_type == "welcome" and isinstance(payload, dict):
        packet = _dump_welcome(payload)
        if packet is not None:
            return packet
    fast = fastpath.FAST_DUMPERS.get(packet_type)
    if fast is not None:
        packet = fast(payload)
        if packet is not None:
            return packet
        # Anything the fast check does not accept outright is decided (and, if bad,
        # explained) by the schema.
    return dump_with_schema(packet_type, payload)


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_encode_json = _ENCODER.encode


def encode(packet_type: str, payload: dict) -> str:
    """``dump`` and serialise compactly; the string is written to every recipient."""
    packet = dump(packet_type, payload)
    try:
        frame = _encode_json(packet)
        # The websocket write encodes to UTF-8 later, for every recipient; an unpaired
        # surrogate would fail there, so fail here instead.  isascii() is O(1) on
        # CPython, so ASCII-only frames (all the hot ones) pay nothing.
        if not frame.isascii():
            frame.encode("utf-8")
    except (TypeError, ValueError) as exc:
        # dump's checks should make this unreachable; keep the error type promised.
        raise OutboundPacketError(packet_type, [f"{packet_type}: not encodable ({exc})"]) from None
    return frame


# --- validate_outbound (for tests) ----------------------------------------------------

def _walk_nulls(value: Any, field: Any, path: str, out: list[str]) -> None:
    """Report ``null``s the client would reject, following the schema structure.

    Free-form objects (params, sdp, ...) are opaque to the client and not entered.
    """
    if value is None:
        if field is None or not getattr(field, "wire_null_ok", False):
            out.append(f"null value at field {path}")
        return
    if isinstance(field, Obj):
        if field.many:
            if isinstance(value, (list, tuple)):
                for index, item in enumerate(value):
                    _walk_schema(item, field.schema, f"{path}.{index}", out)
        else:
            _walk_schema(value, field.schema, path, out)
    elif isinstance(field, StrictList) and isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _walk_nulls(item, field.inner, f"{path}.{index}", out)
    elif isinstance(field, StringMap) and isinstance(value, dict):
        for key, item in value.items():
            _walk_nulls(item, field.value_field, f"{path}.{key}", out)


def _walk_schema(value: Any, schema: Schema, path: str, out: list[str]) -> None:
    if not isinstance(value, dict):
        return
    fields = schema.fields
    for key, item in value.items():
        _walk_nulls(item, fields.get(key), f"{path}.{key}", out)
    for name, field in fields.items():
        # Defaulted booleans (chat_message.system/action) must be on the wire.
        if field.load_default is not missing and name not in value:
            out.append(f"missing field {path}.{name}")


def validate_outbound(packet: Any) -> list[str]:
    """List every wire-rule violation in a packet as received (``type`` included).

    Empty when the reference client would accept the packet and it follows chgrid's
    serialisation rules (no stray ``null``, always-sent booleans present).
    """
    if not isinstance(packet, dict):
        return ["packet is not a JSON object"]
    packet_type = packet.get("type")
    if not isinstance(packet_type, str):
        return ["missing or non-string type"]
    schema = OUTBOUND_SCHEMAS.get(packet_type)
    if schema is None:
        return [f"unknown packet type {packet_type!r}"]
    payload = {k: v for k, v in packet.items() if k != "type"}
    problems: list[str] = []
    _walk_schema(payload, schema, packet_type, problems)
    try:
        schema.load(payload)
    except ValidationError as exc:
        # Nulls were already reported by the walk, in its own wording.
        problems.extend(
            line for line in format_errors(packet_type, exc.messages)
            if not line.endswith(": " + NULL_MESSAGE)
        )
    return problems
