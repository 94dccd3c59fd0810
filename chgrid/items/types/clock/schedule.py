"""Automatic clock announcements as a pure state machine (items.md §10.1).

Each clock's actor (``chgrid.items.types.clock.actor``) owns one ``ClockWatch`` and
calls ``check`` about once a second; the markers here make each top-of-hour and alarm
fire once even though seconds 0 and 1 both qualify.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chgrid.items.types.clock.phrase import (
    alarm_phrase,
    local_time,
    parse_alarm_time,
    sample_paths,
    top_of_hour_phrase,
    uses_24_hour,
)

CHECK_INTERVAL_MS = 1000
TOP_OF_HOUR = "top_of_hour"
ALARM = "alarm"


@dataclass(frozen=True)
class ClockAnnouncement:
    """One ``item_clock_announce`` to send to everyone."""

    kind: str
    sounds: list[str]


class ClockWatch:
    """One clock's markers of the last announced local hour and alarm minute."""

    def __init__(self) -> None:
        self._hour_mark: tuple | None = None
        self._alarm_mark: tuple | None = None

    def check(self, params: dict[str, Any], now_ms: int) -> list[ClockAnnouncement]:
        """Announcements due for the clock; top of hour first when both fire."""
        moment = local_time(now_ms, params.get("timeZone"))
        if moment.second > 1:
            return []
        use24 = uses_24_hour(params)
        due: list[ClockAnnouncement] = []
        # "Exactly true": only a stored boolean counts; a missing value means on.
        if params.get("topOfHourAnnounce", True) is True and moment.minute == 0:
            mark = (moment.date(), moment.hour)
            if self._hour_mark != mark:
                self._hour_mark = mark
                names = top_of_hour_phrase(moment.hour, moment.minute, use24)
                due.append(ClockAnnouncement(TOP_OF_HOUR, sample_paths(names)))
        if params.get("alarmEnabled") is True:
            alarm = parse_alarm_time(params.get("alarmTime"))
            if alarm == (moment.hour, moment.minute):
                mark = (moment.date(), moment.hour, moment.minute)
                if self._alarm_mark != mark:
                    self._alarm_mark = mark
                    names = alarm_phrase(moment.hour, moment.minute, use24)
                    due.append(ClockAnnouncement(ALARM, sample_paths(names)))
        return due


def ms_until_next_check(now_ms: int) -> int:
    """Delay to the next whole second, so checks land early in seconds 0 and 1."""
    return CHECK_INTERVAL_MS - now_ms % CHECK_INTERVAL_MS
