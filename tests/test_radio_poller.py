"""RadioMetadataPollerActor: alone with a fake room, and in a room against a real ICY stream."""
from __future__ import annotations

from typing import cast

import pykka
import pytest

from chgrid.items.store import ItemStore
from chgrid.items.types.radio_station.actor import (
    RadioMetadata,
    RadioMetadataPollerActor,
    RadioPollDue,
    RadioProxy,
)
from chgrid.net.icy_fetch import IcyResult
from chgrid.settings import RadioSettings
from tests.fake_clock import FakeClock
from tests.icy_stream import IcyStreamServer
from tests.stateful_support import FakeRoom, StatefulRoom, TimedScheduler, barrier


@pytest.fixture
def solo():
    clock = FakeClock()
    scheduler = TimedScheduler(clock)
    room = FakeRoom()
    fetched = []

    def fetcher(url):
        fetched.append(url)
        if "ok" in url:
            return IcyResult("Test FM", f"title {len(fetched)}")
        return IcyResult(error="x", skipped="skip" in url)

    ref = RadioMetadataPollerActor.start("r1", room.link(), clock, scheduler,
                                         settings=RadioSettings(poll_interval_s=10.0), fetcher=fetcher)
    actor = cast(RadioProxy, ref.proxy())
    barrier(ref)
    yield clock, scheduler, room, actor, fetched
    pykka.ActorRegistry.stop_all()


def settle(actor: RadioProxy) -> None:
    barrier(actor.actor_ref)


def due_tokens(room):
    return [report.token for report in room.of(RadioPollDue)]


def test_pass_asks_the_room_then_fetches_and_reports(solo):
    clock, scheduler, room, actor, fetched = solo
    assert scheduler.delays() == [0]
    scheduler.run_due()
    settle(actor)
    (token,) = due_tokens(room)
    actor.poll_answer(token, "http://ok/stream").get()
    assert fetched == ["http://ok/stream"]
    assert room.reports[-1] == RadioMetadata("r1", "http://ok/stream", "Test FM", "title 1")
    # Next pass after the interval, counted from the end of this one.
    assert scheduler.delays() == [10_000]
    clock.advance(10)
    scheduler.run_due()
    settle(actor)
    assert len(due_tokens(room)) == 2


def test_not_due_waits_an_interval_and_stale_answers_are_ignored(solo):
    clock, scheduler, room, actor, fetched = solo
    scheduler.run_due()
    settle(actor)
    (token,) = due_tokens(room)
    actor.poll_answer(token + 5, "http://ok/x").get()
    assert fetched == [] and scheduler.delays() == []
    actor.poll_answer(token, None).get()
    actor.poll_answer(token, "http://ok/again").get()  # answered already
    assert fetched == [] and scheduler.delays() == [10_000]


def test_failures_report_empty_but_a_skipped_fetch_reports_nothing(solo):
    clock, scheduler, room, actor, fetched = solo
    scheduler.run_due()
    settle(actor)
    actor.poll_answer(due_tokens(room)[-1], "http://bad/").get()
    assert room.reports[-1] == RadioMetadata("r1", "http://bad/", "", "")
    clock.advance(10)
    scheduler.run_due()
    settle(actor)
    reports = len(room.reports)
    actor.poll_answer(due_tokens(room)[-1], "http://skip/").get()
    assert len(room.reports) == reports


def test_poll_now_replaces_the_running_chain(solo):
    clock, scheduler, room, actor, fetched = solo
    scheduler.run_due()
    settle(actor)
    old = due_tokens(room)[-1]
    actor.poll_now().get()
    actor.poll_answer(old, "http://ok/old").get()  # belongs to the replaced chain
    assert fetched == []
    scheduler.run_due()
    settle(actor)
    assert len(due_tokens(room)) == 2 and due_tokens(room)[-1] != old


# -- in a room, against a real ICY stream ---------------------------------------------------


@pytest.fixture(scope="module")
def icy():
    with IcyStreamServer() as server:
        yield server


@pytest.fixture
def room(tmp_path, icy):
    icy.station_name, icy.title = "Test FM", "Artist - Song"
    r = StatefulRoom(tmp_path / "data",
                     radio_settings=RadioSettings(allow_private_networks=True, poll_interval_s=10.0,
                                                  fetch_timeout_s=3.0))
    r.join("a", 1, "ann")
    r.join("b", 2, "bob")
    yield r
    r.close()


def tune(room, url):
    radio = room.add("a", "radio_station")
    room.send("a", "item_update", itemId=radio["id"], params={"streamUrl": url})
    room.clear()
    room.fire()  # the edit starts a pass at once
    return radio


def test_metadata_reaches_the_item_and_follows_the_stream(room, icy):
    radio = tune(room, icy.url())
    upserts = room.packets("b", "item_upsert")
    assert len(upserts) == 1
    item = upserts[0]["item"]
    assert (item["params"]["stationName"], item["params"]["nowPlaying"]) == ("Test FM", "Artist - Song")
    assert item["updatedBy"] == "system" and item["version"] == 3
    room.send("a", "item_secondary_use", itemId=radio["id"])
    assert room.packets("a", "item_action_result")[-1]["message"] == "Playing Artist - Song from Test FM."
    # Same metadata on the next pass: nothing is sent.
    room.clear()
    room.advance(10)
    assert room.packets(None, "item_upsert") == []
    icy.title = "Other - Tune"
    room.advance(10)
    assert room.packets("a", "item_upsert")[-1]["item"]["params"]["nowPlaying"] == "Other - Tune"
    stored = {i.id: i for i in ItemStore().load_all()}[radio["id"]]
    assert stored.params["nowPlaying"] == "Other - Tune" and stored.version == 4


def test_no_listener_in_range_or_off_means_no_fetch(room, icy):
    radio = tune(room, icy.url())
    hits = icy.hits["/stream"]
    for cid in ("a", "b"):
        room.send(cid, "teleport_complete", x=40, y=40)  # 30 tiles away, range 10
    room.advance(20)
    assert icy.hits["/stream"] == hits
    room.send("a", "teleport_complete", x=10, y=10)
    room.send("a", "item_use", itemId=radio["id"])  # turns it off
    room.advance(20)
    assert icy.hits["/stream"] == hits
    room.send("a", "item_use", itemId=radio["id"])  # on again: polled at once
    room.clock.advance(1)  # past the use cooldown
    room.fire()
    assert icy.hits["/stream"] == hits + 1


def test_failing_url_clears_known_metadata(room, icy):
    radio = tune(room, icy.url())
    room.send("a", "item_update", itemId=radio["id"], params={"streamUrl": icy.url("/error")})
    room.clear()
    room.fire()
    params = room.packets("b", "item_upsert")[-1]["item"]["params"]
    assert (params["stationName"], params["nowPlaying"]) == ("", "")


def test_refused_address_is_a_failed_fetch_after_restart(room, icy):
    """Metadata known, then the server restarts without the LAN switch: the loopback
    stream is refused (never contacted) and the metadata is cleared, as for a failure."""
    radio = tune(room, icy.url())
    room.stop()
    room.ref.actor_stopped.wait(5)
    room.radio_settings = RadioSettings(allow_private_networks=False, fetch_timeout_s=3.0)
    hits = sum(icy.hits.values())
    room.start()
    room.join("b", 2, "bob")
    room.clear()
    room.fire()
    params = room.packets("b", "item_upsert")[-1]["item"]["params"]
    assert params["streamUrl"] == icy.url() and (params["stationName"], params["nowPlaying"]) == ("", "")
    assert sum(icy.hits.values()) == hits
    assert room.proxy.snapshot().get().item_actors == {radio["id"]: "radio_station"}


def test_stale_result_for_an_old_url_is_dropped(room, icy):
    radio = tune(room, icy.url())
    room.clear()
    room.proxy.item_report(RadioMetadata(radio["id"], "http://elsewhere/", "X", "Y")).get()
    assert room.packets(None, "item_upsert") == []


def test_deleting_the_radio_stops_its_poller(room, icy):
    radio = tune(room, icy.url())
    room.send("a", "item_delete", itemId=radio["id"])
    room.settle()
    assert pykka.ActorRegistry.get_by_class(RadioMetadataPollerActor) == []
    hits = icy.hits["/stream"]
    room.advance(20)
    assert icy.hits["/stream"] == hits
