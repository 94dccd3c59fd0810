"""Reference number and on/off parsing for item parameters (spec/items.md §8, §10).

The reference server is Python and converts with ``int()`` / ``float()``; these helpers
reproduce the observable rules ("integer" fields truncate 12.9 → 12, accept "20", reject
"12.5"; "decimal" fields accept numbers and numeric strings) while refusing the oddities
``int()``/``float()`` would let through (digit separators, non-ASCII digits, NaN and
infinities, which would slip past every range check because NaN compares false).

Every parser returns ``None`` for "not convertible" so each validator can choose its own
message.
"""
from __future__ import annotations

import math
import re
from typing import Any

_INT_TEXT = re.compile(r"\s*[+-]?[0-9]+\s*", re.ASCII)
_DECIMAL_TEXT = re.compile(r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*", re.ASCII)

_TRUE_WORDS = frozenset({"on", "true", "1", "yes"})
_FALSE_WORDS = frozenset({"off", "false", "0", "no"})


def parse_int(value: Any) -> int | None:
    """An "integer" field value: numbers truncate toward zero, integer text is accepted.

    Booleans count as 1/0 as they do for the reference's ``int()``.
    """
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return math.trunc(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    return None


def parse_decimal(value: Any) -> float | int | None:
    """A "decimal" field value: any finite number or numeric text."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and _DECIMAL_TEXT.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def parse_on_off(value: Any) -> bool | None:
    """On/off text of items.md §10.1: booleans as is, numbers non-zero → true, words."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        return value != 0
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def tidy_number(value: float | int) -> float | int:
    """Store integral decimals as ints so ``"50"`` and ``50`` persist identically."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def round_half_even(value: float | int) -> int:
    """Round to an integer, ties to even (Python ``round``; the reference's rule)."""
    return int(round(value))


def round_tenth(value: float | int) -> float | int:
    """Round to one decimal place (ties to even on the binary value, as ``round``)."""
    return tidy_number(round(float(value), 1))


def clamp_int(value: Any, low: int, high: int, default: int) -> int:
    """Lenient reading for runtime use (dice rolls, piano notes): unreadable → default."""
    number = parse_int(value)
    if number is None:
        return default
    return max(low, min(high, number))
