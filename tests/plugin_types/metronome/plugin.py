"""The metronome's stateful plug-in: an actor per metronome, a tick per beat."""
from __future__ import annotations

from typing import cast

from chgrid.actors.item_actor import ItemReport, RoomLink
from chgrid.actors.item_plugin import PluginHost, StatefulPart
from chgrid.items.model import ItemState
from chgrid.settings import Settings
from tests.plugin_types.metronome import ITEM_TYPE
from tests.plugin_types.metronome.actor import Beat, MetronomeActor, MetronomeProxy
from tests.plugin_types.metronome.definition import Tick


def _tempo(item: ItemState) -> tuple[bool, int]:
    return item.params["enabled"] is True, item.params["beatsPerMinute"]


class MetronomePart(StatefulPart):
    """The metronomes of one room."""

    def __init__(self, host: PluginHost) -> None:
        self._host = host
        self._actors = host.supervise(self._start)

    def _start(self, item: ItemState, link: RoomLink) -> MetronomeProxy:
        enabled, bpm = _tempo(item)
        ref = MetronomeActor.start(item.id, link, self._host.clock, self._host.scheduler, enabled, bpm)
        return cast(MetronomeProxy, ref.proxy())

    def item_changed(self, old: ItemState, new: ItemState, action: str) -> None:
        if _tempo(new) != _tempo(old):
            enabled, bpm = _tempo(new)
            self._actors.tell(new.id, lambda metronome: metronome.configure(enabled, bpm))

    def on_report(self, item: ItemState, report: ItemReport) -> None:
        if isinstance(report, Beat):
            self._host.emit(Tick(), self._host.place_of(item))


class MetronomeType:
    """The metronome's plug-in (one per server)."""

    type_id = ITEM_TYPE.type_id

    def bind(self, host: PluginHost) -> StatefulPart:
        return MetronomePart(host)


def create(settings: Settings) -> MetronomeType:
    return MetronomeType()
