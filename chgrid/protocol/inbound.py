"""Client→server packets: one marshmallow schema per type and ``parse_frame``.

Limits come from protocol.md §4.  Rules shared by every inbound schema:

* unknown fields are dropped (``unknown = EXCLUDE``), ``type`` is not part of ``data``;
* integers accept JSON integers and integral floats, nothing else (see fields.py);
* strings accept only strings, booleans only ``true``/``false``;
* nullable optional fields load as ``None`` when null or absent;
* lengths count code points (Python ``len``), as the spec asks;
* the frame as a whole holds only finite numbers and nests at most 64 levels
  (framejson.py), and free-form objects relayed to others (``signal.sdp``/``ice``,
  ``item_update.params``) encode to at most 64 KiB each: whatever is derived from a
  valid frame can always be encoded and relayed.

A frame that fails any rule raises :class:`ProtocolError` with a message naming the
packet type and field; the caller answers with ``protocol_error`` and changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError
from marshmallow.validate import Length, OneOf, Range

from .errors import ProtocolError, format_errors
from .fields import JsonObject, StrictBoolean, StrictInteger, StrictList, StrictString
from .framejson import decode_text, load_frame, safe_text, short_text

__all__ = [
    "Inbound", "parse_frame", "INBOUND_SCHEMAS", "INBOUND_TYPES", "MAX_RELAYED_OBJECT_BYTES",
]

ADMIN_USERS_LIST_ACTIONS = ("set_role", "ban", "unban", "delete_account")
PIANO_RECORDING_ACTIONS = ("toggle_record", "stop_record", "playback", "stop_playback")


@dataclass(frozen=True, slots=True)
class Inbound:
    """A validated client packet: ``type`` and its loaded fields."""

    type: str
    data: dict[str, Any]


class InboundSchema(Schema):
    class Meta:
        unknown = EXCLUDE


def _str(*validators: Any, required: bool = True) -> StrictString:
    return StrictString(required=required, validate=list(validators))


def _nullable_str(*validators: Any) -> StrictString:
    return StrictString(load_default=None, validate=list(validators))


def _int(*validators: Any) -> StrictInteger:
    return StrictInteger(required=True, integral_float=True, validate=list(validators))


# Free-form objects relayed to other users (signal sdp/ice, item params): bounded in
# encoded size.  A real session description, even with many media sections and all
# candidates inline, stays well under 20 KB; item params are a handful of scalars.
MAX_RELAYED_OBJECT_BYTES = 64 * 1024


def _relayed_object() -> JsonObject:
    return JsonObject(load_default=None, max_bytes=MAX_RELAYED_OBJECT_BYTES)


_USERNAME = Length(min=1, max=128)
_PASSWORD = Length(min=1, max=256)
_ROLE_NAME = Length(min=1, max=32)


# --- auth (auth.md) -------------------------------------------------------------------

class AuthRegisterIn(InboundSchema):
    username = _str(_USERNAME)
    password = _str(_PASSWORD)
    # Blank means "no email"; that is policy, so only the upper bound lives here.
    email = _nullable_str(Length(max=320))


class AuthLoginIn(InboundSchema):
    username = _str(_USERNAME)
    password = _str(_PASSWORD)


class AuthResumeIn(InboundSchema):
    sessionToken = _str(Length(min=1, max=512))


class AuthLogoutIn(InboundSchema):
    pass


class WelcomeReadyIn(InboundSchema):
    """v0.1.0's ``welcome_ready`` (upstream-0.1.md §1.1): no fields, extras ignored."""


# --- admin (permissions.md §4) --------------------------------------------------------

class AdminRolesListIn(InboundSchema):
    pass


class AdminRoleCreateIn(InboundSchema):
    name = _str(_ROLE_NAME)


class AdminRoleUpdatePermissionsIn(InboundSchema):
    role = _str(_ROLE_NAME)
    # Unknown keys get a specific admin reply ("Unknown permission: …"), so only the
    # shape is checked here.
    permissions = StrictList(StrictString(), required=True)


class AdminRoleDeleteIn(InboundSchema):
    role = _str(_ROLE_NAME)
    replacementRole = _str(_ROLE_NAME)


class AdminUsersListIn(InboundSchema):
    action = _nullable_str(OneOf(ADMIN_USERS_LIST_ACTIONS))


class AdminUserSetRoleIn(InboundSchema):
    username = _str(_USERNAME)
    role = _str(_ROLE_NAME)


class AdminUserBanIn(InboundSchema):
    username = _str(_USERNAME)


class AdminUserUnbanIn(InboundSchema):
    username = _str(_USERNAME)


# --- world (world.md) -----------------------------------------------------------------

class SignalIn(InboundSchema):
    targetId = _str()
    # Opaque WebRTC descriptions; the server relays them without looking inside.
    sdp = _relayed_object()
    ice = _relayed_object()


class UpdatePositionIn(InboundSchema):
    x = _int()
    y = _int()


class TeleportCompleteIn(InboundSchema):
    x = _int()
    y = _int()


class UpdateNicknameIn(InboundSchema):
    # Counted before trimming, as the reference does.
    nickname = _str(Length(min=1, max=32))


class ChatMessageIn(InboundSchema):
    message = _str(Length(min=1, max=500))


class PingIn(InboundSchema):
    clientSentAt = _int()


# --- items (items.md §4) --------------------------------------------------------------

class ItemAddIn(InboundSchema):
    itemType = _str(Length(min=1))


class ItemIdIn(InboundSchema):
    """Shared shape of item_pickup / item_delete / item_use / item_secondary_use."""

    itemId = _str()


class ItemPickupIn(ItemIdIn):
    pass


class ItemDeleteIn(ItemIdIn):
    pass


class ItemUseIn(ItemIdIn):
    pass


class ItemSecondaryUseIn(ItemIdIn):
    pass


class ItemDropIn(InboundSchema):
    itemId = _str()
    x = _int()
    y = _int()


class ItemUpdateIn(InboundSchema):
    itemId = _str()
    # 81+ characters drops the packet; blank is a handler-level error reply.
    title = _nullable_str(Length(max=80))
    params = _relayed_object()


class ItemTransferTargetsIn(InboundSchema):
    itemId = _str()


class ItemTransferIn(InboundSchema):
    itemId = _str()
    targetUserId = _str()


class AdminUserDeleteIn(InboundSchema):
    username = _str(_USERNAME)


class ItemPianoNoteIn(InboundSchema):
    itemId = _str()
    keyId = _str(Length(min=1, max=32))
    midi = _int(Range(min=0, max=127))
    on = StrictBoolean(required=True)


class ItemPianoRecordingIn(InboundSchema):
    itemId = _str()
    action = _str(OneOf(PIANO_RECORDING_ACTIONS))


INBOUND_SCHEMAS: dict[str, Schema] = {
    "auth_register": AuthRegisterIn(),
    "auth_login": AuthLoginIn(),
    "auth_resume": AuthResumeIn(),
    "auth_logout": AuthLogoutIn(),
    "welcome_ready": WelcomeReadyIn(),
    "admin_roles_list": AdminRolesListIn(),
    "admin_role_create": AdminRoleCreateIn(),
    "admin_role_update_permissions": AdminRoleUpdatePermissionsIn(),
    "admin_role_delete": AdminRoleDeleteIn(),
    "admin_users_list": AdminUsersListIn(),
    "admin_user_set_role": AdminUserSetRoleIn(),
    "admin_user_ban": AdminUserBanIn(),
    "admin_user_unban": AdminUserUnbanIn(),
    "admin_user_delete": AdminUserDeleteIn(),
    "signal": SignalIn(),
    "update_position": UpdatePositionIn(),
    "teleport_complete": TeleportCompleteIn(),
    "update_nickname": UpdateNicknameIn(),
    "chat_message": ChatMessageIn(),
    "ping": PingIn(),
    "item_add": ItemAddIn(),
    "item_pickup": ItemPickupIn(),
    "item_delete": ItemDeleteIn(),
    "item_use": ItemUseIn(),
    "item_secondary_use": ItemSecondaryUseIn(),
    "item_drop": ItemDropIn(),
    "item_update": ItemUpdateIn(),
    "item_transfer_targets": ItemTransferTargetsIn(),
    "item_transfer": ItemTransferIn(),
    "item_piano_note": ItemPianoNoteIn(),
    "item_piano_recording": ItemPianoRecordingIn(),
}

INBOUND_TYPES: frozenset[str] = frozenset(INBOUND_SCHEMAS)


# --- frame parsing --------------------------------------------------------------------

# A lone UTF-16 surrogate (from a "\udXXX" escape) survives json.loads but makes the
# later UTF-8 encode of any frame that echoes it raise -- for every recipient of a
# broadcast.  Such strings are rejected here, at the edge.  Only frames that contain
# a surrogate escape (or a raw surrogate, possible for str input) pay for the walk.
_SURROGATE_HINT = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}|[\ud800-\udfff]")


def _find_surrogate(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _find_surrogate(key, f"{path}.<key>") or _find_surrogate(
                item, f"{path}.{_short(_safe(key))}"
            )
            if found:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _find_surrogate(item, f"{path}.{index}")
            if found:
                return found
    return None


# Kept as names of this module: the surrogate check and error texts use them.
_safe = safe_text
_short = short_text


def decode_json(raw: str | bytes) -> tuple[Any, str]:
    """Decode one frame to ``(JSON value, text)`` or raise :class:`ProtocolError`.

    Non-finite numbers and nesting deeper than ``framejson.MAX_DEPTH`` are refused
    here, so nothing relayed from a valid frame can fail to encode later.
    """
    text = decode_text(raw)
    return load_frame(text), text


def parse_frame(raw: str | bytes) -> Inbound:
    """Parse and validate one client frame.

    Returns the packet type and its loaded fields; raises :class:`ProtocolError` for
    anything protocol.md §2 says must be ignored.
    """
    value, text = decode_json(raw)
    if not isinstance(value, dict):
        raise ProtocolError("Frame must be a JSON object.")
    if "type" not in value:
        raise ProtocolError("Missing packet type.")
    packet_type = value["type"]
    if not isinstance(packet_type, str):
        raise ProtocolError("Packet type must be a string.")
    schema = INBOUND_SCHEMAS.get(packet_type)
    if schema is None:
        # Echoed shortened in both places: a 2 MB bogus type must not cost a 4 MB reply.
        packet_type = _short(_safe(packet_type))
        raise ProtocolError(f"Unknown packet type: {packet_type}", packet_type)
    try:
        data = schema.load(value)
    except ValidationError as exc:
        raise ProtocolError(" ".join(format_errors(packet_type, exc.messages)),
                            packet_type) from None
    # Checked on the loaded data so a surrogate in an ignored extra field is harmless.
    if _SURROGATE_HINT.search(text):
        bad = _find_surrogate(data, packet_type)
        if bad is not None:
            raise ProtocolError(f"{bad}: Contains an unpaired surrogate.", packet_type)
    return Inbound(packet_type, data)
