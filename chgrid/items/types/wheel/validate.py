"""Wheel parameter validation."""
from __future__ import annotations

from typing import Any

from chgrid.items.base import ItemValidationError
from chgrid.items.model import ItemState
from chgrid.items.types.wheel.definition import (
    DEFAULTS,
    MAX_SPACE_LENGTH,
    MAX_SPACES,
    MAX_TEXT_LENGTH,
    split_spaces,
)


def validate(params: dict[str, Any], item: ItemState | None) -> dict[str, Any]:
    raw = params.get("spaces", DEFAULTS["spaces"])
    if not isinstance(raw, str):
        raise ItemValidationError("spaces must be a comma-delimited string.")
    if len(raw) > MAX_TEXT_LENGTH:
        raise ItemValidationError(f"spaces must be {MAX_TEXT_LENGTH} characters or less.")
    spaces = split_spaces(raw)
    if not spaces:
        raise ItemValidationError("spaces must include at least one value, separated by commas.")
    if len(spaces) > MAX_SPACES:
        raise ItemValidationError(f"spaces supports up to {MAX_SPACES} values.")
    if any(len(space) > MAX_SPACE_LENGTH for space in spaces):
        raise ItemValidationError(f"each space must be {MAX_SPACE_LENGTH} chars or less.")
    return {**params, "spaces": ", ".join(spaces)}
