"""MetronomeActor: one metronome's beat timer (the actor layer of the example)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pykka
from pykka.typing import ActorMemberMixin, proxy_method

from chgrid.actors.item_actor import ItemActor, ItemReport, RoomLink, item_message
from chgrid.actors.timers import Clock, Scheduler


@dataclass(frozen=True)
class Beat(ItemReport):
    """The metronome ticked (``count`` beats since it was last switched on)."""

    count: int


class MetronomeActor(ItemActor):
    """Reports a :class:`Beat` every 60/bpm seconds while on."""

    kind = "metronome"

    def __init__(self, item_id: str, room: RoomLink, clock: Clock, scheduler: Scheduler,
                 enabled: bool, bpm: int) -> None:
        super().__init__(item_id, room, clock, scheduler)
        self._enabled, self._bpm = enabled, bpm
        self._generation = 0  # bumping it voids the pending timer
        self._count = 0

    def _me(self) -> MetronomeProxy:
        return cast(MetronomeProxy, self._own_proxy)

    def begin(self) -> None:
        self._arm()

    def _arm(self) -> None:
        if self._enabled:
            self.later(60.0 / self._bpm, self._me().beat, self._generation)

    @item_message
    def beat(self, generation: int) -> None:
        if generation != self._generation:
            return
        self._count += 1
        self.report(Beat(self.item_id, self._count))
        self._arm()

    @item_message
    def configure(self, enabled: bool, bpm: int) -> None:
        """Switched or re-tuned: start counting again at the new tempo."""
        self._enabled, self._bpm = enabled, bpm
        self._generation += 1
        self._count = 0
        self._arm()


class MetronomeProxy(ActorMemberMixin, pykka.ActorProxy[MetronomeActor]):
    """The metronome actor's messages, typed."""

    beat = proxy_method(MetronomeActor.beat)
    configure = proxy_method(MetronomeActor.configure)
