"""Clock speech, alarm parsing, zones and automatic announcements (items.md §10.1)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chgrid.items.types.clock.definition import TIME_ZONES
from chgrid.items.types.clock.phrase import (
    alarm_phrase,
    compose_time_phrase,
    format_alarm_time,
    local_time,
    parse_alarm_time,
    sample_paths,
    top_of_hour_phrase,
)
from chgrid.items.types.clock.schedule import ALARM, TOP_OF_HOUR, ClockWatch, ms_until_next_check


def utc_ms(*args) -> int:
    return int(datetime(*args, tzinfo=timezone.utc).timestamp() * 1000)


@pytest.mark.parametrize("hour, minute, use24, names", [
    # 12-hour mode
    (15, 41, False, "its 3 40 1 PM"),
    (9, 5, False, "its 9 o 5 AM"),
    (13, 10, False, "its 1 10 PM"),
    (0, 0, False, "its 12 AM"),
    (12, 0, False, "its 12 PM"),
    (11, 59, False, "its 11 50 9 AM"),
    (7, 0, False, "its 7 AM"),
    (18, 19, False, "its 6 19 PM"),
    (23, 30, False, "its 11 30 PM"),
    (12, 1, False, "its 12 o 1 PM"),
    (0, 15, False, "its 12 15 AM"),
    # 24-hour mode
    (15, 41, True, "its 15 40 1"),
    (0, 7, True, "its 0 o 7"),
    (0, 0, True, "its 0"),
    (12, 0, True, "its 12"),
    (20, 0, True, "its 20"),
    (21, 0, True, "its 20 1"),
    (23, 59, True, "its 20 3 50 9"),
    (19, 10, True, "its 19 10"),
    (8, 20, True, "its 8 20"),
    (10, 13, True, "its 10 13"),
])
def test_compose_time_phrase(hour, minute, use24, names):
    assert compose_time_phrase(hour, minute, use24) == names.split()


def test_wrappers_and_paths():
    assert top_of_hour_phrase(15, 0, False) == ["hour1", "its", "3", "PM", "hour2"]
    assert alarm_phrase(7, 5, True) == ["announcement", "its", "7", "o", "5", "alarm"]
    assert sample_paths(["its", "AM"]) == ["/sounds/clock/el640/its.ogg", "/sounds/clock/el640/AM.ogg"]


@pytest.mark.parametrize("text, parsed", [
    ("7:05 pm", (19, 5)),
    ("7:05PM", (19, 5)),
    ("07:05  am", (7, 5)),
    ("12:00 AM", (0, 0)),
    ("12:30 pm", (12, 30)),
    ("00:30", (0, 30)),
    ("7:05", (7, 5)),
    ("19:05", (19, 5)),
    (" 23:59 ", (23, 59)),
    ("24:00", None),
    ("7:5", None),
    ("13:00 PM", None),
    ("0:30 AM", None),
    ("12:60", None),
    ("7.05", None),
    ("", None),
    (None, None),
    ("١٢:٠٠", None),
])
def test_parse_alarm_time(text, parsed):
    assert parse_alarm_time(text) == parsed


@pytest.mark.parametrize("hour, minute, use24, text", [
    (7, 5, True, "07:05"), (19, 5, True, "19:05"), (19, 5, False, "7:05 PM"),
    (0, 0, False, "12:00 AM"), (12, 0, False, "12:00 PM"), (0, 0, True, "00:00"),
])
def test_format_alarm_time(hour, minute, use24, text):
    assert format_alarm_time(hour, minute, use24) == text


def test_zone_list_is_complete_and_loadable():
    assert len(TIME_ZONES) == 40 and len(set(TIME_ZONES)) == 40
    instant = utc_ms(2025, 11, 24, 12, 0)
    for zone in TIME_ZONES:
        assert local_time(instant, zone).tzinfo is not None


@pytest.mark.parametrize("zone, local", [
    ("UTC", (12, 0)),
    ("America/Detroit", (7, 0)),
    ("America/St_Johns", (8, 30)),
    ("Asia/Kathmandu", (17, 45)),
    ("Asia/Kolkata", (17, 30)),
    ("Australia/Eucla", (20, 45)),
    ("Pacific/Chatham", (1, 45)),   # next day: UTC+13:45 in November (daylight time)
    ("Pacific/Kiritimati", (2, 0)),
    ("Pacific/Pago_Pago", (1, 0)),
    ("Nowhere/Land", (7, 0)),       # unknown zones fall back to America/Detroit
])
def test_local_time_in_zones(zone, local):
    moment = local_time(utc_ms(2025, 11, 24, 12, 0), zone)
    assert (moment.hour, moment.minute) == local


def params(**extra):
    return {"timeZone": "UTC", "use24Hour": False, "topOfHourAnnounce": True,
            "alarmEnabled": False, "alarmTime": "12:00 AM", **extra}


def test_top_of_hour_fires_once_in_seconds_zero_and_one():
    watch = ClockWatch()
    assert watch.check(params(), utc_ms(2025, 11, 24, 14, 59, 59)) == []
    fired = watch.check(params(), utc_ms(2025, 11, 24, 15, 0, 0))
    assert [a.kind for a in fired] == [TOP_OF_HOUR]
    assert fired[0].sounds == sample_paths(["hour1", "its", "3", "PM", "hour2"])
    assert watch.check(params(), utc_ms(2025, 11, 24, 15, 0, 1)) == []
    assert watch.check(params(), utc_ms(2025, 11, 24, 16, 0, 1))[0].kind == TOP_OF_HOUR


def test_top_of_hour_second_one_and_late_checks():
    watch = ClockWatch()
    assert watch.check(params(), utc_ms(2025, 11, 24, 15, 0, 1))[0].kind == TOP_OF_HOUR
    assert ClockWatch().check(params(), utc_ms(2025, 11, 24, 15, 0, 2)) == []


@pytest.mark.parametrize("value", [False, "on", 1])
def test_top_of_hour_needs_exactly_true(value):
    watch = ClockWatch()
    assert watch.check(params(topOfHourAnnounce=value), utc_ms(2025, 11, 24, 15, 0, 0)) == []


def test_top_of_hour_missing_counts_as_on():
    p = params()
    del p["topOfHourAnnounce"]
    assert ClockWatch().check(p, utc_ms(2025, 11, 24, 15, 0, 0))


def test_alarm_fires_once_per_minute_after_top_of_hour():
    watch = ClockWatch()
    p = params(alarmEnabled=True, alarmTime="3:00 PM", use24Hour=True)
    fired = watch.check(p, utc_ms(2025, 11, 24, 15, 0, 0))
    assert [a.kind for a in fired] == [TOP_OF_HOUR, ALARM]
    assert fired[1].sounds == sample_paths(["announcement", "its", "15", "alarm"])
    assert watch.check(p, utc_ms(2025, 11, 24, 15, 0, 1)) == []
    # Next day, same minute: fires again.
    assert [a.kind for a in watch.check(p, utc_ms(2025, 11, 25, 15, 0, 0))] == [
        TOP_OF_HOUR, ALARM]


def test_alarm_uses_zone_local_time_and_needs_true():
    p = params(timeZone="Asia/Kolkata", alarmEnabled=True, alarmTime="17:31", topOfHourAnnounce=False)
    assert ClockWatch().check(p, utc_ms(2025, 11, 24, 12, 1, 0))[0].kind == ALARM
    p["alarmEnabled"] = "on"
    assert ClockWatch().check(p, utc_ms(2025, 11, 24, 12, 1, 0)) == []
    p.update(alarmEnabled=True, alarmTime="garbage")
    assert ClockWatch().check(p, utc_ms(2025, 11, 24, 12, 1, 0)) == []


def test_markers_belong_to_one_watch():
    first, second = ClockWatch(), ClockWatch()
    at = utc_ms(2025, 11, 24, 15, 0, 0)
    assert first.check(params(), at) and second.check(params(), at)
    assert first.check(params(), at) == [] and second.check(params(), at) == []


def test_ms_until_next_check():
    assert ms_until_next_check(1_000_250) == 750
    assert ms_until_next_check(1_000_000) == 1000
