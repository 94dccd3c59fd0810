"""Widget defaults, editable keys and property metadata."""
from __future__ import annotations

EFFECTS = ("reverb", "echo", "flanger", "high_pass", "low_pass", "off")

DEFAULTS = {
    "enabled": True,
    "directional": False,
    "facing": 0,
    "emitRange": 15,
    "emitVolume": 100,
    "emitSoundSpeed": 50,
    "emitSoundTempo": 50,
    "emitInitialDelay": 0,
    "emitLoopDelay": 0,
    "emitEffect": "off",
    "emitEffectValue": 50,
    "useSound": "",
    "emitSound": "",
}

EDITABLE = (
    "title", "enabled", "directional", "facing", "emitRange", "emitVolume",
    "emitSoundSpeed", "emitSoundTempo", "emitInitialDelay", "emitLoopDelay",
    "emitEffect", "emitEffectValue", "useSound", "emitSound",
)

_SPEED_NOTE = "50 is normal, 0 is half, 100 is double. Using speed and tempo together may sound weird."


def _number(tooltip: str, low: float, high: float, step: float, **extra: object) -> dict:
    return {"valueType": "number", "tooltip": tooltip,
            "range": {"min": low, "max": high, "step": step}, **extra}


METADATA = {
    "enabled": {"valueType": "boolean", "tooltip": "Turns this widget on or off."},
    "directional": {"valueType": "boolean",
                    "tooltip": "If on, emitted sound favors the facing direction."},
    "facing": _number("Facing direction in degrees used when directional is on.", 0, 360, 1,
                      visibleWhen={"directional": True}),
    "emitRange": _number("Maximum distance in squares for emitted sound.", 1, 20, 1),
    "emitVolume": _number("Emitted sound volume percent.", 0, 100, 1),
    "emitSoundSpeed": _number(f"Playback speed/pitch percent for emitted sound. {_SPEED_NOTE}",
                              0, 100, 0.1),
    "emitSoundTempo": _number(f"Playback tempo percent for emitted sound. {_SPEED_NOTE}",
                              0, 100, 0.1),
    "emitInitialDelay": _number(
        "Delay in seconds before emitted audio starts after this sound is enabled.", 0, 300, 0.1),
    "emitLoopDelay": _number("Delay in seconds between each playing of this audio.", 0, 300, 0.1),
    "emitEffect": {"valueType": "list", "tooltip": "Effect applied to emitted sound.",
                   "options": list(EFFECTS)},
    "emitEffectValue": _number("Amount for emit effect.", 0, 100, 0.1),
    "useSound": {"valueType": "sound",
                 "tooltip": "Sound played on use. Filename assumes sounds folder, or use full URL.",
                 "maxLength": 2048},
    "emitSound": {"valueType": "sound",
                  "tooltip": "Looping emitted sound. Filename assumes sounds folder, or use full URL.",
                  "maxLength": 2048},
}
