"""Radio use (toggle), secondary use (what is playing) and metadata updates."""
from __future__ import annotations

from chgrid.items.base import UseContext, UseOutcome
from chgrid.items.model import SYSTEM_ACTOR, ItemState
from chgrid.items.shared_actions import toggle_enabled
from chgrid.items.types.radio_station.definition import (
    NOW_PLAYING_MAX,
    STATION_NAME_MAX,
    clean_metadata_text,
)


def use(ctx: UseContext) -> UseOutcome:
    return toggle_enabled(ctx)


def secondary_use(ctx: UseContext) -> UseOutcome:
    """Tell the actor only what is playing; no chat line, no param change."""
    params = ctx.item.params
    title = ctx.item.title
    if params.get("enabled") is False:
        return UseOutcome(self_message=f"{title} is off.")
    playing = params.get("nowPlaying")
    station = params.get("stationName")
    playing = playing.strip() if isinstance(playing, str) else ""
    station = station.strip() if isinstance(station, str) else ""
    if playing and station:
        message = f"Playing {playing} from {station}."
    elif playing:
        message = f"Playing {playing}."
    elif station:
        message = f"Playing from {station}."
    else:
        message = "No now playing data."
    return UseOutcome(self_message=message)


def apply_station_metadata(item: ItemState, station: str, title: str, now_ms: int) -> ItemState | None:
    """The poller's result applied to a copy, or None when nothing changed.

    A failed fetch arrives as two empty strings and so clears known metadata, as the
    reference does.
    """
    station = clean_metadata_text(station, STATION_NAME_MAX)
    title = clean_metadata_text(title, NOW_PLAYING_MAX)
    stored_station = clean_metadata_text(item.params.get("stationName"), STATION_NAME_MAX)
    stored_title = clean_metadata_text(item.params.get("nowPlaying"), NOW_PLAYING_MAX)
    if (station, title) == (stored_station, stored_title):
        return None
    updated = item.copy()
    updated.params["stationName"] = station
    updated.params["nowPlaying"] = title
    updated.stamp(SYSTEM_ACTOR, SYSTEM_ACTOR, now_ms)
    updated.version += 1
    return updated
