"""Wheel defaults, limits and property metadata."""
from __future__ import annotations

MAX_TEXT_LENGTH = 4000
MAX_SPACES = 100
MAX_SPACE_LENGTH = 80
RESULT_DELAY_MS = 3000

DEFAULTS = {"spaces": "yes, no"}
EDITABLE = ("title", "spaces")
METADATA = {
    "spaces": {
        "valueType": "text",
        "tooltip": "Comma-delimited list of wheel spaces. Example: yes, no, maybe.",
        "maxLength": MAX_TEXT_LENGTH,
    },
}


def split_spaces(text: str) -> list[str]:
    """Comma-separated, each trimmed, empty ones dropped: ``"a,b ,, c"`` → a, b, c."""
    return [part.strip() for part in text.split(",") if part.strip()]
