"""Piano defaults, the instrument table and property metadata."""
from __future__ import annotations

from typing import NamedTuple

DEMO_SONG_ID = "unterlandersheimweh"
VOICE_MODES = ("poly", "mono")


class InstrumentPreset(NamedTuple):
    """Parameters applied when a piano switches to this instrument."""

    attack: int
    decay: int
    release: int
    brightness: int
    voice_mode: str
    octave: int


# Order matters: it is the order of the instrument list in the property editor.
INSTRUMENTS: dict[str, InstrumentPreset] = {
    "piano": InstrumentPreset(15, 45, 35, 55, "poly", 0),
    "electric_piano": InstrumentPreset(12, 40, 30, 62, "poly", 0),
    "guitar": InstrumentPreset(8, 35, 25, 50, "poly", 0),
    "organ": InstrumentPreset(25, 70, 45, 48, "poly", 0),
    "bass": InstrumentPreset(2, 24, 18, 34, "mono", -1),
    "violin": InstrumentPreset(22, 75, 55, 58, "mono", 0),
    "synth_lead": InstrumentPreset(6, 30, 22, 72, "poly", 0),
    "brass": InstrumentPreset(10, 45, 30, 60, "mono", 0),
    "nintendo": InstrumentPreset(1, 24, 15, 85, "poly", 0),
    "drum_kit": InstrumentPreset(1, 22, 12, 68, "poly", 0),
}
INSTRUMENT_NAMES = tuple(INSTRUMENTS)
ENVELOPE_KEYS = ("attack", "decay", "release", "brightness")

DEFAULTS = {
    "instrument": "piano",
    "voiceMode": "poly",
    "octave": 0,
    "attack": 15,
    "decay": 45,
    "release": 35,
    "brightness": 55,
    "emitRange": 15,
    "songId": DEMO_SONG_ID,
}

EDITABLE = ("title", "instrument", "voiceMode", "octave", "attack", "decay", "release",
            "brightness", "emitRange")


def _range(tooltip: str, low: int, high: int, value_type: str = "number") -> dict:
    return {"valueType": value_type, "tooltip": tooltip,
            "range": {"min": low, "max": high, "step": 1}}


METADATA = {
    "instrument": {"valueType": "list", "tooltip": "Instrument voice used when playing this piano.",
                   "options": list(INSTRUMENT_NAMES)},
    "voiceMode": {"valueType": "list", "tooltip": "Mono plays one note at a time; poly allows chords.",
                  "options": list(VOICE_MODES)},
    "octave": _range("Shifts played notes in octaves. -1 is one octave down.", -2, 2),
    "attack": _range("How quickly notes ramp in. Lower is sharper; higher is softer.", 0, 100),
    "decay": _range("How long notes ring out after the initial hit.", 0, 100),
    "release": _range("How long notes continue after key release.", 0, 100),
    "brightness": _range("Tone brightness; higher values sound brighter.", 0, 100),
    "emitRange": _range("Maximum distance in squares where this piano can be heard.", 5, 20),
}
