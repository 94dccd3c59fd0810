"""Hand-written validators for the hot outbound packet types.

``update_position`` and ``item_piano_note`` are broadcast hundreds of times a second;
running them through marshmallow costs several times more than the JSON encoding.
Each function here applies the same rules as the packet's schema in outbound.py and
returns the finished wire packet, or ``None`` when it does not accept the payload
outright.  ``None`` is not a verdict: ``dump`` then runs the schema, which either
accepts the payload (e.g. an ``int`` subclass, which the fast check leaves to the
schema) or raises with the detailed message.  So the fast path can only ever be
*narrower* than the schema; tests check that whatever it accepts, the schema accepts
with an identical result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["FAST_DUMPERS"]

_VOICE_MODES = frozenset(("poly", "mono"))


def _position(packet_type: str) -> Callable[[Any], dict | None]:
    def fast(payload: Any) -> dict | None:
        # Exact types: ``type(x) is int`` also excludes bool, which subclasses int.
        if type(payload) is not dict or len(payload) != 3:
            return None
        ident = payload.get("id")
        x = payload.get("x")
        y = payload.get("y")
        if type(ident) is str and type(x) is int and type(y) is int:
            return {"type": packet_type, "id": ident, "x": x, "y": y}
        return None

    return fast


def _piano_note(p: Any) -> dict | None:
    if type(p) is not dict or len(p) != 15:
        return None
    g = p.get
    item_id, sender_id, key_id = g("itemId"), g("senderId"), g("keyId")
    midi, on, instrument, voice_mode = g("midi"), g("on"), g("instrument"), g("voiceMode")
    octave, attack, decay = g("octave"), g("attack"), g("decay")
    release, brightness, x, y, emit_range = (
        g("release"), g("brightness"), g("x"), g("y"), g("emitRange"))
    if not (
        type(item_id) is str and type(sender_id) is str and type(key_id) is str
        and type(instrument) is str and (on is True or on is False)
        and type(midi) is int and 0 <= midi <= 127
        and type(voice_mode) is str and voice_mode in _VOICE_MODES
        and type(octave) is int and -2 <= octave <= 2
        and type(attack) is int and 0 <= attack <= 100
        and type(decay) is int and 0 <= decay <= 100
        and type(release) is int and 0 <= release <= 100
        and type(brightness) is int and 0 <= brightness <= 100
        and type(x) is int and type(y) is int
        and type(emit_range) is int and emit_range >= 1
    ):
        return None
    # Reference key order, as the schema would produce it.
    return {
        "type": "item_piano_note", "itemId": item_id, "senderId": sender_id,
        "keyId": key_id, "midi": midi, "on": on, "instrument": instrument,
        "voiceMode": voice_mode, "octave": octave, "attack": attack, "decay": decay,
        "release": release, "brightness": brightness, "x": x, "y": y,
        "emitRange": emit_range,
    }


FAST_DUMPERS: dict[str, Callable[[Any], dict | None]] = {
    "update_position": _position("update_position"),
    "teleport_complete": _position("teleport_complete"),
    "item_piano_note": _piano_note,
}
