"""Metronome parameter validation."""
from __future__ import annotations

from typing import Any

from chgrid.items.base import ItemValidationError
from chgrid.items.fields import int_in_range
from chgrid.items.model import ItemState
from chgrid.items.numbers import parse_on_off
from tests.plugin_types.metronome.definition import DEFAULTS, MAX_BPM, MIN_BPM


def validate(params: dict[str, Any], item: ItemState | None) -> dict[str, Any]:
    enabled = parse_on_off(params.get("enabled", DEFAULTS["enabled"]))
    if enabled is None:
        raise ItemValidationError("enabled must be on/off.")
    bpm = int_in_range(params, "beatsPerMinute", DEFAULTS["beatsPerMinute"], MIN_BPM, MAX_BPM,
                       not_number="beatsPerMinute must be a number.",
                       out_of_range=f"beatsPerMinute must be between {MIN_BPM} and {MAX_BPM}.")
    return {**params, "enabled": enabled, "beatsPerMinute": bpm}
