"""Dice defaults, editable keys and property metadata."""
from __future__ import annotations

MIN_VALUE = 1
MAX_VALUE = 100

DEFAULTS = {"sides": 6, "number": 2}
EDITABLE = ("title", "sides", "number")
METADATA = {
    "sides": {
        "valueType": "number",
        "tooltip": "Number of sides on each die.",
        "range": {"min": MIN_VALUE, "max": MAX_VALUE, "step": 1},
    },
    "number": {
        "valueType": "number",
        "tooltip": "How many dice to roll per use.",
        "range": {"min": MIN_VALUE, "max": MAX_VALUE, "step": 1},
    },
}
