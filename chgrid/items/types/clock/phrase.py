"""Clock speech: sample lists, alarm-time text and zone-local time (items.md §10.1).

Samples are the EL640 recordings named in items.md §11; ``compose_time_phrase`` returns
their names and ``sample_paths`` turns names into the paths sent in
``item_clock_announce``.
"""
from __future__ import annotations

import logging
import re
from datetime import datetime, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chgrid.items.numbers import parse_on_off
from chgrid.items.types.clock.definition import DEFAULT_TIME_ZONE, TIME_ZONES

log = logging.getLogger(__name__)

SAMPLE_BASE = "/sounds/clock/el640/"

_ALARM_24 = re.compile(r"([0-9]{1,2}):([0-9]{2})", re.ASCII)
_ALARM_12 = re.compile(r"([0-9]{1,2}):([0-9]{2}) *([AaPp][Mm])", re.ASCII)


def compose_time_phrase(hour: int, minute: int, use24: bool) -> list[str]:
    """``its`` + hour + minutes (+ ``AM``/``PM`` in 12-hour mode), as sample names."""
    names = ["its"]
    if use24:
        if hour < 20:
            names.append(str(hour))
        else:
            names.append("20")
            if hour % 10:
                names.append(str(hour % 10))
    else:
        names.append(str(hour % 12 or 12))
    if minute > 0:
        if minute < 10:
            names += ["o", str(minute)]
        elif minute < 20:
            names.append(str(minute))
        else:
            names.append(str(minute - minute % 10))
            if minute % 10:
                names.append(str(minute % 10))
    if not use24:
        names.append("AM" if hour < 12 else "PM")
    return names


def top_of_hour_phrase(hour: int, minute: int, use24: bool) -> list[str]:
    return ["hour1", *compose_time_phrase(hour, minute, use24), "hour2"]


def alarm_phrase(hour: int, minute: int, use24: bool) -> list[str]:
    return ["announcement", *compose_time_phrase(hour, minute, use24), "alarm"]


def sample_paths(names: list[str]) -> list[str]:
    return [f"{SAMPLE_BASE}{name}.ogg" for name in names]


def parse_alarm_time(value: Any) -> tuple[int, int] | None:
    """``(hour, minute)`` from 24-hour ``H:MM``/``HH:MM`` or 12-hour ``H:MM AM|PM``."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _ALARM_24.fullmatch(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour <= 23 and minute <= 59:
            return hour, minute
        return None
    match = _ALARM_12.fullmatch(text)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if not (1 <= hour <= 12 and minute <= 59):
            return None
        pm = match.group(3).upper() == "PM"
        if hour == 12:
            hour = 12 if pm else 0
        elif pm:
            hour += 12
        return hour, minute
    return None


def format_alarm_time(hour: int, minute: int, use24: bool) -> str:
    """Canonical text: ``07:05`` in 24-hour mode, ``7:05 PM`` in 12-hour mode."""
    if use24:
        return f"{hour:02d}:{minute:02d}"
    suffix = "AM" if hour < 12 else "PM"
    return f"{hour % 12 or 12}:{minute:02d} {suffix}"


def uses_24_hour(params: dict[str, Any]) -> bool:
    return parse_on_off(params.get("use24Hour", False)) is True


@lru_cache(maxsize=None)
def zone_for(name: str) -> tzinfo:
    """The zone of a clock; unknown names speak Detroit time (items.md §10.1).

    Without tz data on the machine (no system zoneinfo and no ``tzdata`` package) even
    Detroit is missing; UTC then keeps the clock talking rather than crashing the room.
    """
    candidates = (name, DEFAULT_TIME_ZONE) if name in TIME_ZONES else (DEFAULT_TIME_ZONE,)
    for candidate in candidates:
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("time zone %s is not available; install tzdata", candidate)
    return timezone.utc


def local_time(now_ms: int, zone_name: Any) -> datetime:
    name = zone_name.strip() if isinstance(zone_name, str) else DEFAULT_TIME_ZONE
    return datetime.fromtimestamp(now_ms / 1000, tz=zone_for(name))
