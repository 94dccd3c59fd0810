"""Dice use: roll and report the values."""
from __future__ import annotations

from chgrid.items.base import UseContext, UseOutcome
from chgrid.items.numbers import clamp_int
from chgrid.items.types.dice.definition import DEFAULTS, MAX_VALUE, MIN_VALUE


def use(ctx: UseContext) -> UseOutcome:
    params = ctx.item.params
    sides = clamp_int(params.get("sides"), MIN_VALUE, MAX_VALUE, DEFAULTS["sides"])
    number = clamp_int(params.get("number"), MIN_VALUE, MAX_VALUE, DEFAULTS["number"])
    values = [ctx.rng.randint(1, sides) for _ in range(number)]
    title = ctx.item.title
    if len(values) == 1:
        summary = f"{title}: {values[0]}."
    else:
        listed = ", ".join(str(value) for value in values)
        summary = f"{title}: {listed} (total {sum(values)})."
    return UseOutcome(
        self_message=f"You rolled {summary}",
        others_message=f"{ctx.actor_nickname} rolled {summary}",
    )
