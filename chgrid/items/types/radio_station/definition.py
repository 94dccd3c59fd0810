"""Radio defaults, options, limits and property metadata."""
from __future__ import annotations

CHANNELS = ("stereo", "mono", "left", "right")
EFFECTS = ("reverb", "echo", "flanger", "high_pass", "low_pass", "off")
STATION_NAME_MAX = 160
NOW_PLAYING_MAX = 200
# Listener radius used by the metadata poller when params.emitRange is unreadable.
POLL_DEFAULT_RANGE = 10

DEFAULTS = {
    "streamUrl": "",
    "enabled": True,
    "mediaVolume": 50,
    "mediaChannel": "stereo",
    "mediaEffect": "off",
    "mediaEffectValue": 50,
    "stationName": "",
    "nowPlaying": "",
    "facing": 0,
    "emitRange": 10,
}

EDITABLE = (
    "title", "streamUrl", "enabled", "mediaVolume", "mediaChannel", "mediaEffect",
    "mediaEffectValue", "facing", "emitRange",
)

METADATA = {
    "streamUrl": {"valueType": "text", "tooltip": "Audio stream URL used by this radio.",
                  "maxLength": 2048},
    "enabled": {"valueType": "boolean", "tooltip": "Turns playback on or off for this radio."},
    "mediaVolume": {"valueType": "number",
                    "tooltip": "Playback media volume percent for this radio.",
                    "range": {"min": 0, "max": 100, "step": 1}},
    "mediaChannel": {"valueType": "list",
                     "tooltip": "Select how the station audio channels are rendered.",
                     "options": list(CHANNELS)},
    "mediaEffect": {"valueType": "list", "tooltip": "Select the active radio effect.",
                    "options": list(EFFECTS)},
    "mediaEffectValue": {"valueType": "number", "tooltip": "Amount for the selected effect.",
                         "range": {"min": 0, "max": 100, "step": 0.1},
                         "visibleWhen": {"mediaEffect": "!off"}},
    "stationName": {"valueType": "text",
                    "tooltip": "Detected station name from stream metadata."},
    "nowPlaying": {"valueType": "text",
                   "tooltip": "Detected current track/title from stream metadata."},
    "facing": {"valueType": "number",
               "tooltip": "Facing direction in degrees used for directional emit.",
               "range": {"min": 0, "max": 360, "step": 1},
               "visibleWhen": {"directional": True}},
    "emitRange": {"valueType": "number",
                  "tooltip": "Maximum distance in squares for this radio's emitted audio.",
                  "range": {"min": 5, "max": 20, "step": 1}},
}


def clean_metadata_text(value: object, limit: int) -> str:
    """Stored metadata text: trimmed and cut; anything not text counts as empty."""
    return value.strip()[:limit] if isinstance(value, str) else ""
