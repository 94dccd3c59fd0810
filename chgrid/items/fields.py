"""Field checks shared by the type validators.

Each takes the merged params, the key, its default (used when the key is absent) and
the exact messages of the spec, and returns the normalised value or raises
``ItemValidationError``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from chgrid.items.base import ItemValidationError
from chgrid.items.numbers import parse_decimal, parse_int

_MISSING = object()


def int_in_range(
    params: dict[str, Any], key: str, default: int, low: int, high: int, *,
    not_number: str, out_of_range: str,
) -> int:
    number = parse_int(params.get(key, default))
    if number is None:
        raise ItemValidationError(not_number)
    if not low <= number <= high:
        raise ItemValidationError(out_of_range)
    return number


def decimal_in_range(
    params: dict[str, Any], key: str, default: float, low: float, high: float, *,
    not_number: str, out_of_range: str, normalise: Callable[[float], float | int],
) -> float | int:
    """Range-check the value as given, then round it for storage."""
    number = parse_decimal(params.get(key, default))
    if number is None:
        raise ItemValidationError(not_number)
    if not low <= number <= high:
        raise ItemValidationError(out_of_range)
    return normalise(number)


def lowered_choice(
    params: dict[str, Any], key: str, default: str, options: Sequence[str], *, message: str,
) -> str:
    """One of ``options`` after trimming and lower-casing; anything else is refused."""
    value = params.get(key, default)
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in options:
        raise ItemValidationError(message)
    return text


def one_of_message(key: str, options: Sequence[str], *, colon: bool = False) -> str:
    """``"{key} must be one of a, b."`` (the piano's lists use ``one of: a, b.``)."""
    joiner = ": " if colon else " "
    return f"{key} must be one of{joiner}{', '.join(options)}."
