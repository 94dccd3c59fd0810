"""The clock's stateful plug-in: one ClockSchedulerActor per clock.

An edited clock's actor gets the new parameters; its announcements are sent from where
the clock sounds (its carrier's square when carried) with its emit range, as the same
``AnnounceTime`` effect a manual use sends.
"""
from __future__ import annotations

import copy
from typing import cast

from chgrid.actors.item_actor import ItemReport, RoomLink
from chgrid.actors.item_plugin import PluginHost, StatefulPart
from chgrid.items.model import ItemState
from chgrid.items.types.clock import ITEM_TYPE
from chgrid.items.types.clock.actions import AnnounceTime
from chgrid.items.types.clock.actor import ClockAnnounced, ClockProxy, ClockSchedulerActor
from chgrid.settings import Settings


class ClockPart(StatefulPart):
    """The clocks of one room."""

    def __init__(self, host: PluginHost) -> None:
        self._host = host
        self._actors = host.supervise(self._start)

    def _start(self, item: ItemState, link: RoomLink) -> ClockProxy:
        host = self._host
        ref = ClockSchedulerActor.start(item.id, link, host.clock, host.scheduler, copy.deepcopy(item.params))
        return cast(ClockProxy, ref.proxy())

    def item_changed(self, old: ItemState, new: ItemState, action: str) -> None:
        if new.params != old.params:
            # A copy: the actor's thread must never share a dict with the room's.
            params = copy.deepcopy(new.params)
            self._actors.tell(new.id, lambda clock: clock.update_params(params))

    def on_report(self, item: ItemState, report: ItemReport) -> None:
        if not isinstance(report, ClockAnnounced):
            return
        place = self._host.place_of(item)
        for sounds in report.announcements:
            self._host.emit(AnnounceTime(sounds), place)


class ClockType:
    """The clock's plug-in (one per server)."""

    type_id = ITEM_TYPE.type_id

    def bind(self, host: PluginHost) -> StatefulPart:
        return ClockPart(host)


def create(settings: Settings) -> ClockType:
    return ClockType()
