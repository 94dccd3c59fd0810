"""Piano use: the actor enters piano mode; notes then arrive as item_piano_note."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chgrid.items.base import Emit, SoundPlace, UseContext, UseOutcome


@dataclass(frozen=True)
class EnterPlayMode:
    """``item_piano_status use_mode_entered`` to the player who used the piano."""

    def emits(self, place: SoundPlace) -> Sequence[Emit]:
        return [Emit("item_piano_status",
                     {"itemId": place.item_id, "event": "use_mode_entered", "recordingState": "idle"},
                     actor_only=True)]


def use(ctx: UseContext) -> UseOutcome:
    title = ctx.item.title
    return UseOutcome(
        self_message=f"You begin playing {title}.",
        others_message=f"{ctx.actor_nickname} begins playing {title}.",
        effects=(EnterPlayMode(),),
    )
