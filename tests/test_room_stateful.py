"""The stateful items host and its supervisors, with a probe plug-in, and the built-in
plug-ins' report handling, all through their interfaces on a room without the actor."""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pykka
import pytest
from pykka.typing import ActorMemberMixin, proxy_method

from chgrid.actors import item_supervisor
from chgrid.actors.item_actor import ItemActor, ItemReport, RoomLink, item_message
from chgrid.actors.item_plugin import PluginHost, StatefulPart, StatefulPlugins
from chgrid.actors.room_item_book import ItemBook
from chgrid.actors.room_stateful import StatefulItems
from chgrid.items.model import ItemState
from chgrid.items.registry import ItemRegistry, default_registry
from chgrid.items.types.clock.actor import ClockAnnounced
from chgrid.items.types.radio_station.actor import RadioMetadata, RadioPollDue
from tests.plugin_types.metronome import ITEM_TYPE as PROBED
from tests.room_parts import Parts
from tests.stateful_support import barrier, plugins_for
from tests.test_room_items import MemoryStore


class ProbeActor(ItemActor):
    """Records what it is told; ``crash`` makes it fail (and report the failure)."""

    def __init__(self, item_id, room, clock, scheduler, heard):
        super().__init__(item_id, room, clock, scheduler)
        self._heard = heard

    @item_message
    def poke(self, word: str) -> None:
        self._heard.append((self.item_id, self.actor_urn, word))

    @item_message
    def crash(self) -> None:
        raise RuntimeError("probe crash")


class ProbeProxy(ActorMemberMixin, pykka.ActorProxy[ProbeActor]):
    poke = proxy_method(ProbeActor.poke)
    crash = proxy_method(ProbeActor.crash)


@dataclass(frozen=True)
class Probed(ItemReport):
    word: str


class ProbePart(StatefulPart):
    def __init__(self, host: PluginHost, events: list, heard: list) -> None:
        self.host, self.events, self.heard = host, events, heard
        self.actors = host.supervise(self._start)

    def _start(self, item: ItemState, link: RoomLink) -> ProbeProxy:
        ref = ProbeActor.start(item.id, link, self.host.clock, self.host.scheduler, self.heard)
        return cast(ProbeProxy, ref.proxy())

    def load(self):
        self.events.append(("load",))

    def item_changed(self, old, new, action):
        self.events.append(("changed", new.id, action))
        self.actors.tell(new.id, lambda probe: probe.poke(action))

    def item_removed(self, item):
        self.events.append(("removed", item.id))

    def player_left(self, player):
        self.events.append(("left", player.client_id))
        raise RuntimeError("part bug")

    def on_report(self, item, report):
        self.events.append(("report", item.id, report))


class ProbeType:
    type_id = PROBED.type_id

    def __init__(self):
        self.events, self.heard, self.parts = [], [], []

    def bind(self, host):
        part = ProbePart(host, self.events, self.heard)
        self.parts.append(part)
        return part


def item(item_id, type_id=PROBED.type_id, **params):
    return ItemState(item_id, type_id, "t", 1, 1, "1", "ann", "1", "ann", 1, 1, params=params)


@pytest.fixture
def host():
    parts = Parts()
    probe = ProbeType()
    store = MemoryStore([item("m1"), item("m2"), item("d1", "dice")])
    registry = ItemRegistry([PROBED, default_registry().get("dice")])
    book = ItemBook(parts.ctx, registry, store)
    stateful = StatefulItems(parts.ctx, book, StatefulPlugins([probe]))
    parts.step(book.load)
    parts.step(stateful.start)
    yield parts, stateful, book, probe
    stateful.stop()
    pykka.ActorRegistry.stop_all()


def probes():
    """Item ids of the live probe actors (one told to stop is dead to a later question)."""
    alive = []
    for ref in pykka.ActorRegistry.get_by_class(ProbeActor):
        try:
            alive.append(ref.proxy().item_id.get(timeout=5))
        except pykka.ActorDeadError:
            pass
    return sorted(alive)


def settle():
    for ref in pykka.ActorRegistry.get_by_class(ProbeActor):
        barrier(ref)


def test_loaded_items_of_the_type_get_an_actor_each(host):
    parts, stateful, book, probe = host
    assert probe.events == [("load",)]
    assert probes() == ["m1", "m2"]
    assert stateful.running_actors() == {"m1": "metronome", "m2": "metronome"}


def test_an_added_item_gets_its_actor_only_when_the_step_commits(host):
    parts, stateful, book, probe = host

    def add_then_fail():
        book.keep(item("m3"))
        stateful.item_added(item("m3"))
        raise RuntimeError("boom")

    parts.step(add_then_fail)
    assert probes() == ["m1", "m2"]
    parts.step(lambda: (book.keep(item("m3")), stateful.item_added(item("m3"))))
    assert probes() == ["m1", "m2", "m3"]


def test_tells_wait_for_the_commit_and_a_dead_actor_is_replaced(host):
    parts, stateful, book, probe = host

    def change_then_fail():
        stateful.item_changed(item("m1"), item("m1", x=1), "update")
        raise RuntimeError("boom")

    parts.step(change_then_fail)
    settle()
    assert probe.heard == []
    (old,) = [r for r in pykka.ActorRegistry.get_by_class(ProbeActor) if r.proxy().item_id.get() == "m1"]
    old.stop()
    parts.step(lambda: stateful.item_changed(item("m1"), item("m1", x=1), "pickup"))
    settle()
    ((item_id, urn, word),) = probe.heard
    assert (item_id, word) == ("m1", "pickup") and urn != old.actor_urn


def test_a_failed_actor_is_restarted_then_backs_off(host):
    parts, stateful, book, probe = host
    actors = probe.parts[0].actors
    for attempt in range(item_supervisor.MAX_QUICK_RESTARTS + 1):
        (ref,) = [r for r in pykka.ActorRegistry.get_by_class(ProbeActor) if r.proxy().item_id.get() == "m1"]
        ref.proxy().crash().get()
        ref.actor_stopped.wait(5)
        (failure,) = parts.link.named("item_actor_failed")[attempt:]
        assert failure == ("m1", ref.actor_urn)
        parts.step(lambda: stateful.actor_failed("m1", "an older actor"))  # stale: ignored
        parts.step(lambda: stateful.actor_failed(*failure))
    assert probes() == ["m2"] and not actors.running("m1")
    assert parts.scheduler.delays() == [int(item_supervisor.RESTART_BACKOFF_S * 1000)]
    parts.clock.advance(item_supervisor.RESTART_BACKOFF_S)
    parts.scheduler.run_due()
    assert parts.link.named("restart_item_actor") == [("m1",)]
    parts.step(lambda: stateful.resume("m1"))
    assert probes() == ["m1", "m2"]


def test_a_change_finding_no_actor_starts_one_instead_of_telling(host):
    parts, stateful, book, probe = host
    actors = probe.parts[0].actors
    actors.stop("m2")
    parts.step(lambda: stateful.item_changed(item("m2"), item("m2", x=2), "update"))
    assert probes() == ["m1", "m2"]
    assert probe.events[-1] == ("load",)  # the part was not asked to tell anything


def test_removal_stops_the_actor_after_the_commit_and_tells_the_part(host):
    parts, stateful, book, probe = host
    parts.step(lambda: (book.forget("m1"), stateful.item_removed(item("m1"))))
    assert probes() == ["m2"] and probe.events[-1] == ("removed", "m1")


def test_reports_reach_the_part_with_the_current_item_and_gone_items_are_dropped(host):
    parts, stateful, book, probe = host
    parts.step(lambda: stateful.on_report(Probed("m2", "hi")))
    parts.step(lambda: stateful.on_report(Probed("gone", "hi")))
    parts.step(lambda: stateful.on_report(Probed("d1", "hi")))  # a dice has no part
    assert probe.events[1:] == [("report", "m2", Probed("m2", "hi"))]


def test_a_failing_part_does_not_fail_the_leave(host):
    parts, stateful, book, probe = host
    ann = parts.add_player("a", 1, "ann")
    parts.clear()
    parts.step(lambda: (stateful.player_left(ann), parts.ctx.system_all("after")))
    assert probe.events[-1] == ("left", "a")
    assert [p["message"] for p in parts.packets()] == ["after"]


# -- the built-in plug-ins' reports ----------------------------------------------------------


@pytest.fixture
def builtin():
    parts = Parts()
    store = MemoryStore([item("c1", "clock"), item("r1", "radio_station", streamUrl="http://x/", enabled=True)])
    registry = default_registry()
    book = ItemBook(parts.ctx, registry, store)
    stateful = StatefulItems(parts.ctx, book, plugins_for(registry, fetcher=lambda url: None))
    parts.step(book.load)
    parts.add_player("a", 1, "ann", x=1, y=1)
    yield parts, stateful, book, store
    pykka.ActorRegistry.stop_all()


def test_the_clock_part_announces_each_report_from_where_the_clock_sounds(builtin):
    parts, stateful, *_ = builtin
    parts.step(lambda: stateful.on_report(ClockAnnounced("c1", (("a.ogg",), ("b.ogg",)))))
    assert parts.packets("a") == [
        {"type": "item_clock_announce", "itemId": "c1", "sounds": [s], "x": 1, "y": 1, "range": 10}
        for s in ("a.ogg", "b.ogg")]


def test_the_radio_part_saves_and_sends_new_metadata_for_the_current_url_only(builtin):
    parts, stateful, book, store = builtin
    parts.step(lambda: stateful.on_report(RadioMetadata("r1", "http://other/", "FM", "Song")))
    assert parts.packets() == [] and store.transactions == []
    parts.step(lambda: stateful.on_report(RadioMetadata("r1", "http://x/", "FM", "Song")))
    (upsert,) = parts.packets("a", "item_upsert")
    assert upsert["item"]["params"]["nowPlaying"] == "Song" and store.transactions == [(["r1"], [])]
    assert book.get("r1").params["stationName"] == "FM"


def test_the_radio_part_answers_a_poll_even_without_an_actor(builtin):
    parts, stateful, *_ = builtin
    # No actor runs (the host was not started): the answer cannot be told, nothing breaks.
    parts.step(lambda: stateful.on_report(RadioPollDue("r1", 7)))
    assert parts.packets() == []
