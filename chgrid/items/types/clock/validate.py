"""Clock parameter validation, in the order of items.md §10.1."""
from __future__ import annotations

from typing import Any

from chgrid.items.base import ItemValidationError, stored_params
from chgrid.items.model import ItemState
from chgrid.items.numbers import parse_on_off
from chgrid.items.types.clock.definition import DEFAULTS, TIME_ZONES
from chgrid.items.types.clock.phrase import format_alarm_time, parse_alarm_time

_ZONE_MESSAGE = f"timeZone must be one of {', '.join(TIME_ZONES)}."
_ALARM_MESSAGE = "alarmTime must be a valid time (HH:MM or H:MM AM/PM)."


def _switch(params: dict[str, Any], key: str) -> bool:
    value = parse_on_off(params.get(key, DEFAULTS[key]))
    if value is None:
        raise ItemValidationError(f"{key} must be on/off.")
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value)).strip()


def validate(params: dict[str, Any], item: ItemState | None) -> dict[str, Any]:
    out = dict(params)
    zone = params.get("timeZone", DEFAULTS["timeZone"])
    zone = zone.strip() if isinstance(zone, str) else None
    if zone not in TIME_ZONES:
        raise ItemValidationError(_ZONE_MESSAGE)
    out["timeZone"] = zone
    use24 = _switch(params, "use24Hour")
    out["use24Hour"] = use24
    out["topOfHourAnnounce"] = _switch(params, "topOfHourAnnounce")
    out["alarmEnabled"] = _switch(params, "alarmEnabled")

    stored = stored_params(item)
    alarm = _text(params.get("alarmTime", DEFAULTS["alarmTime"]))
    stored_alarm = _text(stored.get("alarmTime")) if "alarmTime" in stored else None
    stored_use24 = parse_on_off(stored.get("use24Hour", DEFAULTS["use24Hour"])) is True
    # Only a changed value (or mode) is checked, so legacy text nobody touches survives.
    checked = alarm != stored_alarm or use24 != stored_use24
    parsed = parse_alarm_time(alarm) if alarm else None
    if checked and alarm and parsed is None:
        raise ItemValidationError(_ALARM_MESSAGE)
    out["alarmTime"] = format_alarm_time(*parsed, use24) if parsed else alarm
    return out
