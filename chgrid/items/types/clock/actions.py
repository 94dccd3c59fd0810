"""Clock use: announce the current zone-local time to everyone; no text result."""
from __future__ import annotations

from chgrid.items.base import UseContext, UseOutcome
from chgrid.items.types.clock.phrase import compose_time_phrase, local_time, sample_paths, uses_24_hour


def announcement_for(params: dict, now_ms: int) -> list[str]:
    """The manual-use sample paths for ``params`` at ``now_ms``."""
    moment = local_time(now_ms, params.get("timeZone"))
    return sample_paths(compose_time_phrase(moment.hour, moment.minute, uses_24_hour(params)))


def use(ctx: UseContext) -> UseOutcome:
    return UseOutcome(self_message="", clock_sounds=announcement_for(ctx.item.params, ctx.now_ms))
