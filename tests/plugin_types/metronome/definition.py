"""Metronome defaults, metadata and its tick (a use effect the plug-in sends per beat)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chgrid.items.base import Emit, SoundPlace

TICK_SOUND = "sounds/notify.ogg"
TICK_RANGE = 10
MIN_BPM, MAX_BPM = 20, 240

DEFAULTS = {"enabled": False, "beatsPerMinute": 60}
EDITABLE = ("title", "enabled", "beatsPerMinute")
METADATA: dict[str, dict[str, Any]] = {
    "enabled": {"valueType": "boolean", "tooltip": "Ticks while on."},
    "beatsPerMinute": {"valueType": "number", "tooltip": "Tempo in beats per minute.",
                       "range": {"min": MIN_BPM, "max": MAX_BPM, "step": 1}},
}


@dataclass(frozen=True)
class Tick:
    """One beat: ``item_use_sound`` to everyone in range."""

    def emits(self, place: SoundPlace) -> Sequence[Emit]:
        return [Emit("item_use_sound", {"itemId": place.item_id, "sound": TICK_SOUND,
                                        "x": place.x, "y": place.y, "range": place.range})]
