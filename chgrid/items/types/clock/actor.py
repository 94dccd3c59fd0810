"""ClockSchedulerActor: the automatic announcements of one speaking clock (items.md §10.1).

The decisions (is it the top of the hour, the alarm minute, was it announced already)
are the pure :class:`chgrid.items.types.clock.schedule.ClockWatch`; this actor owns the
clock's current parameters and the timer. It checks at every whole second of the
injected clock — seconds 0 and 1 of a minute both qualify and the watch's markers make
each event fire once — and reports :class:`ClockAnnounced`; the clock's plug-in adds the
position and range and sends ``item_clock_announce`` to everyone. Manual use is not
handled here: it is a pure use action with an ``AnnounceTime`` effect.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, cast

import pykka
from pykka.typing import ActorMemberMixin, proxy_method

from chgrid.actors.item_actor import ItemActor, ItemReport, RoomLink, item_message
from chgrid.actors.timers import Clock, Scheduler
from chgrid.items.types.clock.schedule import ClockWatch, ms_until_next_check


@dataclass(frozen=True)
class ClockAnnounced(ItemReport):
    """Announcements due now, in order: each is the sample list of one announcement."""

    announcements: tuple[tuple[str, ...], ...]


class ClockSchedulerActor(ItemActor):
    """One clock's timer. Start with ``ClockSchedulerActor.start(item_id, room, clock,
    scheduler, params)``; feed edits with ``update_params``."""

    kind = "clock"

    def __init__(self, item_id: str, room: RoomLink, clock: Clock, scheduler: Scheduler,
                 params: dict[str, Any]) -> None:
        super().__init__(item_id, room, clock, scheduler)
        self._params = copy.deepcopy(params)
        self._watch = ClockWatch()

    def _me(self) -> ClockProxy:
        return cast(ClockProxy, self._own_proxy)

    def begin(self) -> None:
        self._schedule_next()

    def _schedule_next(self) -> None:
        self.later(ms_until_next_check(self._clock.now_ms()) / 1000.0, self._me().tick)

    @item_message
    def tick(self) -> None:
        """One check, then the next timer: a single chain per actor (a failure
        restarts the actor, whose own chain takes over)."""
        due = self._watch.check(self._params, self._clock.now_ms())
        if due:
            self.report(ClockAnnounced(self.item_id, tuple(tuple(a.sounds) for a in due)))
        self._schedule_next()

    @item_message
    def update_params(self, params: dict[str, Any]) -> None:
        """The clock was edited (zone, 12/24 h, top of hour, alarm): use the new values.

        The markers stay, so an edit within seconds 0–1 never repeats an announcement
        that was already made for the same local hour or minute.
        """
        self._params = copy.deepcopy(params)


class ClockProxy(ActorMemberMixin, pykka.ActorProxy[ClockSchedulerActor]):
    """The clock actor's messages, typed."""

    tick = proxy_method(ClockSchedulerActor.tick)
    update_params = proxy_method(ClockSchedulerActor.update_params)
