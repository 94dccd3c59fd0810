"""Widget parameter validation, in the order of items.md §10.6."""
from __future__ import annotations

from typing import Any

from chgrid.items.base import ItemValidationError
from chgrid.items.fields import decimal_in_range, int_in_range, one_of_message
from chgrid.items.model import ItemState
from chgrid.items.numbers import parse_on_off, round_half_even, round_tenth
from chgrid.items.sounds import normalize_sound_ref
from chgrid.items.types.widget.definition import DEFAULTS, EFFECTS


def _decimal(params: dict[str, Any], key: str, high: int) -> float | int:
    return decimal_in_range(
        params, key, DEFAULTS[key], 0, high,
        not_number=f"{key} must be a number between 0 and {high}.",
        out_of_range=f"{key} must be between 0 and {high}.",
        normalise=round_tenth,
    )


def validate(params: dict[str, Any], item: ItemState | None) -> dict[str, Any]:
    out = dict(params)
    # The widget never refuses its switches: unreadable text falls back to the default.
    enabled = parse_on_off(params.get("enabled", DEFAULTS["enabled"]))
    out["enabled"] = True if enabled is None else enabled
    directional = parse_on_off(params.get("directional", DEFAULTS["directional"]))
    out["directional"] = False if directional is None else directional
    out["facing"] = decimal_in_range(
        params, "facing", DEFAULTS["facing"], 0, 360,
        not_number="facing must be a number between 0 and 360.",
        out_of_range="facing must be between 0 and 360.",
        normalise=round_half_even,
    )
    out["emitRange"] = int_in_range(
        params, "emitRange", DEFAULTS["emitRange"], 1, 20,
        not_number="emitRange must be an integer between 1 and 20.",
        out_of_range="emitRange must be between 1 and 20.",
    )
    out["emitVolume"] = int_in_range(
        params, "emitVolume", DEFAULTS["emitVolume"], 0, 100,
        not_number="emitVolume must be an integer between 0 and 100.",
        out_of_range="emitVolume must be between 0 and 100.",
    )
    out["emitSoundSpeed"] = _decimal(params, "emitSoundSpeed", 100)
    out["emitSoundTempo"] = _decimal(params, "emitSoundTempo", 100)
    out["emitInitialDelay"] = _decimal(params, "emitInitialDelay", 300)
    out["emitLoopDelay"] = _decimal(params, "emitLoopDelay", 300)
    effect = params.get("emitEffect", DEFAULTS["emitEffect"])
    effect = effect.strip().lower() if isinstance(effect, str) else None
    if effect not in EFFECTS:
        raise ItemValidationError(one_of_message("emitEffect", EFFECTS))
    out["emitEffect"] = effect
    out["emitEffectValue"] = decimal_in_range(
        params, "emitEffectValue", DEFAULTS["emitEffectValue"], 0, 100,
        not_number="emitEffectValue must be a number.",
        out_of_range="emitEffectValue must be between 0 and 100.",
        normalise=round_tenth,
    )
    out["useSound"] = normalize_sound_ref(params.get("useSound", ""), "useSound")
    out["emitSound"] = normalize_sound_ref(params.get("emitSound", ""), "emitSound")
    return out
