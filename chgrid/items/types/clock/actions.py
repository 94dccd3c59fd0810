"""Clock use: announce the current zone-local time to everyone; no text result."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chgrid.items.base import Emit, SoundPlace, UseContext, UseOutcome
from chgrid.items.types.clock.phrase import compose_time_phrase, local_time, sample_paths, uses_24_hour


@dataclass(frozen=True)
class AnnounceTime:
    """``item_clock_announce`` to everyone: one spoken announcement (manual or automatic)."""

    sounds: tuple[str, ...]

    def emits(self, place: SoundPlace) -> Sequence[Emit]:
        return [Emit("item_clock_announce", {"itemId": place.item_id, "sounds": list(self.sounds),
                                             "x": place.x, "y": place.y, "range": place.range})]


def announcement_for(params: dict, now_ms: int) -> list[str]:
    """The manual-use sample paths for ``params`` at ``now_ms``."""
    moment = local_time(now_ms, params.get("timeZone"))
    return sample_paths(compose_time_phrase(moment.hour, moment.minute, uses_24_hour(params)))


def use(ctx: UseContext) -> UseOutcome:
    return UseOutcome(self_message="", effects=(AnnounceTime(tuple(announcement_for(ctx.item.params, ctx.now_ms))),))
