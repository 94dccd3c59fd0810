"""Use actions more than one type shares (the radio and the widget toggle)."""
from __future__ import annotations

from chgrid.items.base import UseContext, UseOutcome
from chgrid.items.numbers import parse_on_off


def toggle_enabled(ctx: UseContext) -> UseOutcome:
    """Flip ``params.enabled``; a missing or unreadable value counts as on."""
    currently_on = parse_on_off(ctx.item.params.get("enabled", True))
    turn_on = currently_on is False
    word = "on" if turn_on else "off"
    title = ctx.item.title
    return UseOutcome(
        self_message=f"You turn {word} {title}.",
        others_message=f"{ctx.actor_nickname} turns {word} {title}.",
        params_patch={"enabled": turn_on},
    )
