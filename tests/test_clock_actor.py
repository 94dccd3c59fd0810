"""ClockSchedulerActor with injected time, alone and inside a real room."""
from __future__ import annotations

from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

import pykka
import pytest

from chgrid.actors import item_supervisor
from chgrid.items.types.clock import schedule
from chgrid.items.types.clock.actor import ClockAnnounced, ClockProxy, ClockSchedulerActor
from chgrid.items.types.clock.phrase import parse_alarm_time, sample_paths
from tests.fake_clock import FakeClock
from tests.stateful_support import FakeRoom, StatefulRoom, TimedScheduler, barrier

DETROIT = ZoneInfo("America/Detroit")


def local_ms(hour, minute, second=0, ms=0, zone=DETROIT, day=24) -> int:
    moment = datetime(2025, 11, day, hour, minute, second, ms * 1000, tzinfo=zone)
    return int(moment.timestamp() * 1000)


def announced(room: FakeRoom) -> list[list[str]]:
    return [list(sounds) for report in room.of(ClockAnnounced) for sounds in report.announcements]


def paths(*names):
    return sample_paths(list(names))


@pytest.fixture
def solo():
    clock = FakeClock(now_ms=local_ms(12, 59, 58, 500))
    scheduler = TimedScheduler(clock)
    room = FakeRoom()

    def start(params):
        ref = ClockSchedulerActor.start("c1", room.link(), clock, scheduler, params)
        barrier(ref)
        return ref

    def step(seconds):
        """Advance in 250 ms steps, firing timers like the IOLoop would."""
        for _ in range(int(round(seconds * 4))):
            clock.advance(0.25)
            scheduler.run_due()
            for ref in pykka.ActorRegistry.get_by_class(ClockSchedulerActor):
                barrier(ref)

    yield clock, scheduler, room, start, step
    pykka.ActorRegistry.stop_all()


@pytest.mark.parametrize("text, parsed", [
    ("7:05 pm", (19, 5)), ("12:00 AM", (0, 0)), ("12:30 pm", (12, 30)), ("00:30", (0, 30)),
    ("7:05", (7, 5)), ("07:05PM", (19, 5)), (" 9:15  am ", (9, 15)), ("24:00", None),
    ("13:00 PM", None), ("0:30 AM", None), ("7:5", None), ("noon", None), ("", None), (None, None),
])
def test_alarm_time_parsing(text, parsed):
    assert parse_alarm_time(text) == parsed


def test_first_check_waits_for_the_next_whole_second(solo):
    clock, scheduler, room, start, step = solo
    start({"timeZone": "America/Detroit"})
    assert scheduler.delays() == [500]


def test_top_of_hour_once_with_intro_and_outro(solo):
    clock, scheduler, room, start, step = solo
    start({"timeZone": "America/Detroit", "use24Hour": False, "topOfHourAnnounce": True})
    step(1.0)
    assert announced(room) == []
    step(1.0)  # 13:00:00.5 local
    assert announced(room) == [paths("hour1", "its", "1", "PM", "hour2")]
    step(3.0)  # second 1 qualifies too, but the hour was announced
    assert len(announced(room)) == 1


def test_top_of_hour_off_and_24_hour_mode(solo):
    clock, scheduler, room, start, step = solo
    ref = start({"timeZone": "America/Detroit", "use24Hour": True, "topOfHourAnnounce": False})
    step(3.0)
    assert announced(room) == []
    cast(ClockProxy, ref.proxy()).update_params({"timeZone": "UTC", "use24Hour": True, "topOfHourAnnounce": True}).get()
    clock.set_ms(local_ms(20, 59, 59, 500, zone=ZoneInfo("UTC")))
    step(1.0)
    assert announced(room) == [paths("hour1", "its", "20", "1", "hour2")]  # 21:00


def test_alarm_fires_once_and_both_events_keep_their_order(solo):
    clock, scheduler, room, start, step = solo
    ref = start({"timeZone": "America/Detroit", "alarmEnabled": True, "alarmTime": "1:00 PM"})
    step(2.0)
    assert announced(room) == [paths("hour1", "its", "1", "PM", "hour2"),
                                paths("announcement", "its", "1", "PM", "alarm")]
    # Alarm moved to a later minute: it fires once there, the scheduler keeps running.
    cast(ClockProxy, ref.proxy()).update_params({"timeZone": "America/Detroit", "alarmEnabled": True,
                               "alarmTime": "13:07", "topOfHourAnnounce": True}).get()
    clock.set_ms(local_ms(13, 6, 59))
    step(3.0)
    assert announced(room)[-1] == paths("announcement", "its", "1", "o", "7", "PM", "alarm")
    assert len(announced(room)) == 3


def test_time_zone_edit_is_used_by_the_running_scheduler(solo):
    clock, scheduler, room, start, step = solo
    ref = start({"timeZone": "America/Detroit", "topOfHourAnnounce": True})
    # 12:59:58.5 in Detroit is 18:59:58.5 in Berlin; switch before the hour.
    cast(ClockProxy, ref.proxy()).update_params({"timeZone": "Europe/Berlin", "use24Hour": True}).get()
    step(2.0)
    assert announced(room) == [paths("hour1", "its", "19", "hour2")]


def test_alarm_disabled_or_unparseable_never_fires(solo):
    clock, scheduler, room, start, step = solo
    start({"timeZone": "America/Detroit", "topOfHourAnnounce": False,
           "alarmEnabled": True, "alarmTime": "soon"})
    step(3.0)
    assert announced(room) == []


def test_a_crashing_check_restarts_through_the_room(solo, monkeypatch):
    clock, scheduler, room, start, step = solo
    ref = start({"timeZone": "America/Detroit"})
    monkeypatch.setattr(schedule.ClockWatch, "check", lambda *a: 1 / 0)
    step(1.0)
    assert room.failures == [("c1", ref.actor_urn)]
    ref.actor_stopped.wait(5)
    assert not ref.is_alive()


# -- inside a room -------------------------------------------------------------------------


@pytest.fixture
def room(tmp_path):
    r = StatefulRoom(tmp_path / "data", clock=FakeClock(now_ms=local_ms(12, 58, 0)))
    r.join("a", 1, "ann")
    r.join("b", 2, "bob")
    yield r
    r.close()


def test_use_announces_the_time_to_everyone(room):
    clock_item = room.add("a", "clock")
    room.set_time(local_ms(15, 41, 12))
    room.clear()
    room.send("a", "item_use", itemId=clock_item["id"])
    expected = {"type": "item_clock_announce", "itemId": clock_item["id"],
                "sounds": paths("its", "3", "40", "1", "PM"), "x": 10, "y": 10, "range": 10}
    for cid in ("a", "b"):
        assert room.packets(cid, "item_clock_announce") == [expected]
    assert room.packets("a", "item_action_result")[-1] == {
        "type": "item_action_result", "ok": True, "action": "use", "message": "", "itemId": clock_item["id"]}


def test_room_clock_announces_at_the_hour_and_alarm_and_stops_when_deleted(room):
    clock_item = room.add("a", "clock")
    room.send("a", "item_update", itemId=clock_item["id"],
              params={"alarmEnabled": True, "alarmTime": "13:02", "use24Hour": True})
    room.set_time(local_ms(12, 59, 59, 100))
    room.clear()
    room.advance(1.5)
    announces = room.packets("b", "item_clock_announce")
    assert [p["sounds"] for p in announces] == [paths("hour1", "its", "13", "hour2")]
    assert announces[0]["range"] == 10 and (announces[0]["x"], announces[0]["y"]) == (10, 10)
    room.set_time(local_ms(13, 1, 59, 500))
    room.advance(2.0)
    assert room.packets("a", "item_clock_announce")[-1]["sounds"] == \
        paths("announcement", "its", "13", "o", "2", "alarm")
    assert room.proxy.snapshot().get().item_actors == {clock_item["id"]: "clock"}
    room.send("a", "item_delete", itemId=clock_item["id"])
    assert room.proxy.snapshot().get().item_actors == {}
    room.clear()
    room.set_time(local_ms(13, 59, 59, 500))
    room.advance(2.0)
    assert room.packets(None, "item_clock_announce") == []


def test_carried_clock_announces_from_the_carrier(room):
    clock_item = room.add("a", "clock")
    room.send("a", "item_pickup", itemId=clock_item["id"])
    room.send("a", "teleport_complete", x=3, y=30)
    room.set_time(local_ms(12, 59, 59, 500))
    room.clear()
    room.advance(1.0)
    packet = room.packets("b", "item_clock_announce")[0]
    assert (packet["x"], packet["y"]) == (3, 30)


def test_room_restarts_a_crashed_clock_and_keeps_announcing(room, monkeypatch):
    clock_item = room.add("a", "clock")
    before = pykka.ActorRegistry.get_by_class(ClockSchedulerActor)
    original = schedule.ClockWatch.check
    crashes = []

    def once(self, *args):
        if not crashes:
            crashes.append(True)
            raise RuntimeError("boom")
        return original(self, *args)

    monkeypatch.setattr(schedule.ClockWatch, "check", once)
    room.advance(1.0)
    after = pykka.ActorRegistry.get_by_class(ClockSchedulerActor)
    assert crashes and len(after) == 1 and after[0].actor_urn != before[0].actor_urn
    room.set_time(local_ms(12, 59, 59, 500))
    room.clear()
    room.advance(1.0)
    assert room.packets("a", "item_clock_announce")[0]["sounds"][0].endswith("hour1.ogg")
    assert room.proxy.snapshot().get().item_actors == {clock_item["id"]: "clock"}


def test_clocks_are_back_after_a_room_restart(room):
    clock_item = room.add("a", "clock")
    room.stop()
    room.ref.actor_stopped.wait(5)
    assert pykka.ActorRegistry.get_by_class(ClockSchedulerActor) == []
    room.start()
    room.join("b", 2, "bob")
    room.set_time(local_ms(12, 59, 59, 500))
    room.clear()
    room.advance(1.0)
    assert room.packets("b", "item_clock_announce")[0]["itemId"] == clock_item["id"]


def test_a_clock_that_keeps_crashing_backs_off_and_the_room_lives_on(room, monkeypatch):
    clock_item = room.add("a", "clock")
    monkeypatch.setattr(schedule.ClockWatch, "check", lambda *a: 1 / 0)
    room.advance(1.0 * (item_supervisor.MAX_QUICK_RESTARTS + 2))
    assert pykka.ActorRegistry.get_by_class(ClockSchedulerActor) == []
    room.send("a", "chat_message", message="still here")
    assert room.packets("b", "chat_message")[-1]["message"] == "still here"
    monkeypatch.undo()
    room.advance(item_supervisor.RESTART_BACKOFF_S)
    assert room.proxy.snapshot().get().item_actors == {clock_item["id"]: "clock"}
