"""Widget use: toggle ``enabled``; the room then plays ``params.useSound`` if set."""
from __future__ import annotations

from chgrid.items.base import UseContext, UseOutcome
from chgrid.items.shared_actions import toggle_enabled


def use(ctx: UseContext) -> UseOutcome:
    return toggle_enabled(ctx)
