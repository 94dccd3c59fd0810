"""Piano use: the actor enters piano mode; notes then arrive as item_piano_note."""
from __future__ import annotations

from chgrid.items.base import UseContext, UseOutcome


def use(ctx: UseContext) -> UseOutcome:
    title = ctx.item.title
    return UseOutcome(
        self_message=f"You begin playing {title}.",
        others_message=f"{ctx.actor_nickname} begins playing {title}.",
        enter_piano_mode=True,
    )
