"""Piano parameter validation, in the order of items.md §10.3."""
from __future__ import annotations

from typing import Any

from chgrid.items.base import stored_params
from chgrid.items.fields import int_in_range, lowered_choice, one_of_message
from chgrid.items.model import ItemState
from chgrid.items.types.piano.definition import (
    DEFAULTS,
    DEMO_SONG_ID,
    ENVELOPE_KEYS,
    INSTRUMENT_NAMES,
    INSTRUMENTS,
    VOICE_MODES,
)


def validate(params: dict[str, Any], item: ItemState | None) -> dict[str, Any]:
    out = dict(params)
    stored = stored_params(item)
    # songId is server-managed (set when a recording finishes); requests cannot move it.
    stored_song = stored.get("songId")
    out["songId"] = stored_song if isinstance(stored_song, str) else DEMO_SONG_ID
    instrument = lowered_choice(
        params, "instrument", DEFAULTS["instrument"], INSTRUMENT_NAMES,
        message=one_of_message("instrument", INSTRUMENT_NAMES, colon=True),
    )
    out["instrument"] = instrument
    out["voiceMode"] = lowered_choice(
        params, "voiceMode", DEFAULTS["voiceMode"], VOICE_MODES,
        message=one_of_message("voiceMode", VOICE_MODES, colon=True),
    )
    out["octave"] = int_in_range(
        params, "octave", DEFAULTS["octave"], -2, 2,
        not_number="octave must be an integer between -2 and 2.",
        out_of_range="octave must be between -2 and 2.",
    )
    for key in ENVELOPE_KEYS:
        out[key] = int_in_range(
            params, key, DEFAULTS[key], 0, 100,
            not_number=f"{key} must be an integer between 0 and 100.",
            out_of_range=f"{key} must be between 0 and 100.",
        )
    stored_instrument = stored.get("instrument")
    if isinstance(stored_instrument, str):
        stored_instrument = stored_instrument.strip().lower()
    if instrument != stored_instrument:
        # A new instrument brings its own voice, even over values sent in the same request.
        preset = INSTRUMENTS[instrument]
        out.update(attack=preset.attack, decay=preset.decay, release=preset.release,
                   brightness=preset.brightness, voiceMode=preset.voice_mode,
                   octave=preset.octave)
    out["emitRange"] = int_in_range(
        params, "emitRange", DEFAULTS["emitRange"], 5, 20,
        not_number="emitRange must be an integer between 5 and 20.",
        out_of_range="emitRange must be between 5 and 20.",
    )
    return out
