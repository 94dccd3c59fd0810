"""Dice parameter validation."""
from __future__ import annotations

from typing import Any

from chgrid.items.base import ItemValidationError
from chgrid.items.model import ItemState
from chgrid.items.numbers import parse_int
from chgrid.items.types.dice.definition import DEFAULTS, MAX_VALUE, MIN_VALUE


def validate(params: dict[str, Any], item: ItemState | None) -> dict[str, Any]:
    sides = parse_int(params.get("sides", DEFAULTS["sides"]))
    number = parse_int(params.get("number", DEFAULTS["number"]))
    # Both are parsed before either range is checked: one message covers both keys.
    if sides is None or number is None:
        raise ItemValidationError("Dice values must be numbers.")
    if not (MIN_VALUE <= sides <= MAX_VALUE and MIN_VALUE <= number <= MAX_VALUE):
        raise ItemValidationError("Dice sides and number must be between 1 and 100.")
    return {**params, "sides": sides, "number": number}
