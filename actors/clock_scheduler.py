"""ClockSchedulerActor: the automatic announcements of one speaking clock (items.md §10.1).

The decisions (is it the top of the hour, the alarm minute, was it announced already)
are the pure :class:`chgrid.items.types.clock.schedule.ClockWatch`; this actor owns the
clock's current parameters and the timer. It checks at every whole second of the
injected clock — seconds 0 and 1 of a minute both qualify and the watch's markers make
each event fire once — and tells the room ``clock_announce(item_id, sounds_lists)``;
the room adds the position and range and sends ``item_clock_announce`` to everyone.
Manual use is not handled here: it is a pure use action answered by the room.
"""
from __future__ import annotations

import copy
import logging
from typing import Any

from chgrid.actors.item_actor import ItemActor, Scheduler, item_message
from chgrid.items.types.clock.schedule import ClockWatch, ms_until_next_check

log = logging.getLogger(__name__)


class ClockSchedulerActor(ItemActor):
    """One clock's timer. Start with ``ClockSchedulerActor.start(item_id, room, clock,
    scheduler, params)``; feed edits with ``update_params``."""

    kind = "clock"

    def __init__(self, item_id: str, room: Any, clock: Any, scheduler: Scheduler,
                 params: dict[str, Any]) -> None:
        super().__init__(item_id, room, clock, scheduler)
        self._params = copy.deepcopy(params)
        self._watch = ClockWatch()

    def begin(self) -> None:
        self._schedule_next()

    def _schedule_next(self) -> None:
        now = self._clock.now_ms()
        self._later(ms_until_next_check(now) / 1000.0, "tick")

    @item_message
    def tick(self) -> None:
        """One check, then the next timer: a single chain per actor (a failure
        restarts the actor, whose own chain takes over)."""
        due = self._watch.check(self.item_id, self._params, self._clock.now_ms())
        if due:
            self._room.clock_announce(self.item_id, [a.sounds for a in due])
        self._schedule_next()

    @item_message
    def update_params(self, params: dict[str, Any]) -> None:
        """The clock was edited (zone, 12/24 h, top of hour, alarm): use the new values.

        The markers stay, so an edit within seconds 0–1 never repeats an announcement
        that was already made for the same local hour or minute.
        """
        self._params = copy.deepcopy(params)

    def params(self) -> dict[str, Any]:
        """A copy of the parameters in use (tests)."""
        return copy.deepcopy(self._params)
