"""Which component handles each packet type, and the flood control in front of them.

Each room component (and each stateful item plug-in) declares a :class:`Route` per
packet type it handles: the handler, the flood-control bucket the packet is charged to
(``chgrid.world.flood``) and how a refusal is answered. The room dispatches through one
table of routes; movement and signalling are ``Charge.FREE``, the hot path.
"""
from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from chgrid.actors.room_state import Player
from chgrid.actors.timers import Clock
from chgrid.settings import LimitsSettings
from chgrid.world.flood import Admission, RateLimit, UserBuckets

Handler = Callable[[Player, dict[str, Any]], None]
Refuse = Callable[[Player, dict[str, Any], Admission], None]
"""Answer a packet refused by flood control (``REFUSED_NOTIFY`` on the first of a run)."""


class Charge(enum.Enum):
    """The per-account bucket a packet is charged to."""

    FREE = "free"  # walking, signalling: never limited here
    CHAT = "chat"
    ACTION = "action"  # anything that makes others hear something


@dataclass(frozen=True)
class Route:
    """How one packet type is handled; ``refuse`` is required when ``charge`` is not FREE."""

    handler: Handler
    charge: Charge = Charge.FREE
    refuse: Refuse | None = None

    def __post_init__(self) -> None:
        if self.charge is not Charge.FREE and self.refuse is None:
            raise ValueError("a limited route needs a refusal answer")


class FloodControl:
    """Per-account chat and action buckets, timed by the room's clock."""

    def __init__(self, limits: LimitsSettings, clock: Clock) -> None:
        self._clock = clock
        self._buckets = {
            Charge.CHAT: UserBuckets(RateLimit(limits.chat_burst, limits.chat_per_second)),
            Charge.ACTION: UserBuckets(RateLimit(limits.actions_burst, limits.actions_per_second)),
        }

    def admit(self, player: Player, route: Route, data: dict[str, Any]) -> bool:
        """Charge the sender's bucket; a refusal is answered by the route."""
        if route.charge is Charge.FREE:
            return True
        verdict = self._buckets[route.charge].take(player.user_id, self._clock.monotonic())
        if verdict.admitted:
            return True
        assert route.refuse is not None
        route.refuse(player, data, verdict)
        return False

    def prune(self, connected_user_ids: Iterable[int]) -> None:
        """Forget the full buckets of accounts no longer connected."""
        connected = set(connected_user_ids)
        now = self._clock.monotonic()
        for buckets in self._buckets.values():
            buckets.prune(now, connected)


def merge_routes(*tables: dict[str, Route]) -> dict[str, Route]:
    """One dispatch table; a packet type claimed twice is a programming error."""
    merged: dict[str, Route] = {}
    for table in tables:
        for packet_type, route in table.items():
            if packet_type in merged:
                raise ValueError(f"two handlers for {packet_type!r}")
            merged[packet_type] = route
    return merged
