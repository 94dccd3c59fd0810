"""Wheel use: pick a space now, announce it after the spin sound has played."""
from __future__ import annotations

from typing import Any

from chgrid.items.base import DelayedLine, UseContext, UseOutcome
from chgrid.items.types.wheel.definition import RESULT_DELAY_MS, split_spaces

NO_SPACES = "wheel spaces must contain at least one comma-delimited value."


def stored_spaces(value: Any) -> list[str]:
    """Spaces from stored params; legacy data may hold a list of strings."""
    if isinstance(value, str):
        return split_spaces(value)
    if isinstance(value, list):
        return [entry.strip() for entry in value if isinstance(entry, str) and entry.strip()]
    return []


def use(ctx: UseContext) -> UseOutcome:
    spaces = stored_spaces(ctx.item.params.get("spaces"))
    if not spaces:
        return UseOutcome.failure(NO_SPACES)
    picked = ctx.rng.choice(spaces)
    title = ctx.item.title
    return UseOutcome(
        self_message=f"You spin {title}.",
        others_message=f"{ctx.actor_nickname} spins {title}.",
        delayed=[DelayedLine(delay_ms=RESULT_DELAY_MS, message=picked)],
    )
