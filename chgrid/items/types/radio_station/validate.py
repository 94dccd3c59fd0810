"""Radio parameter validation, in the order of items.md §10.4 (``streamUrl`` per
upstream-0.1.md §13.1).

The stream URL rules need two things from the server's configuration, whether private
addresses are allowed and how long a DNS lookup may take; the radio's plug-in sets them
once at start-up with :func:`configure_stream_urls` (the validator itself stays a plain
function of the params). An unchanged ``streamUrl`` is checked again only when the radio
ends up on: turning a radio off, or editing its volume while it is off, never needs DNS,
and a legacy URL stored before the rules existed stays until someone turns it on.
"""
from __future__ import annotations

from typing import Any

from chgrid.items.base import ItemValidationError, stored_params
from chgrid.items.fields import decimal_in_range, int_in_range, lowered_choice, one_of_message
from chgrid.items.model import ItemState
from chgrid.items.numbers import parse_on_off, round_half_even, round_tenth
from chgrid.items.sounds import normalize_media_url
from chgrid.items.types.radio_station.definition import (
    CHANNELS,
    DEFAULTS,
    EFFECTS,
    NOW_PLAYING_MAX,
    STATION_NAME_MAX,
    clean_metadata_text,
)
from chgrid.net.stream_url import StreamUrlError, StreamUrlRules, check_stream_url


_rules = StreamUrlRules()


def configure_stream_urls(rules: StreamUrlRules) -> None:
    """Set the stream URL rules of this process (the radio plug-in does, from ``[radio]``)."""
    global _rules
    _rules = rules


def _stream_url(value: Any, stored: Any, enabled: bool | None) -> str:
    text = normalize_media_url(value, require_http=False)  # trim, none/off, length
    unchanged = text == str(stored or "").strip()
    if not text or (unchanged and enabled is False):
        return text
    try:
        return check_stream_url(text, _rules)
    except StreamUrlError as error:
        raise ItemValidationError(error.message) from None


def validate(params: dict[str, Any], item: ItemState | None) -> dict[str, Any]:
    out = dict(params)
    stored = stored_params(item)
    enabled = parse_on_off(params.get("enabled", DEFAULTS["enabled"]))
    # The URL's messages come first (items.md §10.4 order); ``enabled`` only decides
    # whether an unchanged URL is looked up again.
    out["streamUrl"] = _stream_url(params.get("streamUrl", DEFAULTS["streamUrl"]),
                                   stored.get("streamUrl"), enabled)
    if enabled is None:
        raise ItemValidationError("enabled must be true/false or on/off.")
    out["enabled"] = enabled
    out["mediaVolume"] = int_in_range(
        params, "mediaVolume", DEFAULTS["mediaVolume"], 0, 100,
        not_number="mediaVolume must be a number.",
        out_of_range="mediaVolume must be between 0 and 100.",
    )
    out["mediaEffect"] = lowered_choice(
        params, "mediaEffect", DEFAULTS["mediaEffect"], EFFECTS,
        message=one_of_message("mediaEffect", EFFECTS),
    )
    out["mediaChannel"] = lowered_choice(
        params, "mediaChannel", DEFAULTS["mediaChannel"], CHANNELS,
        message=one_of_message("mediaChannel", CHANNELS),
    )
    out["mediaEffectValue"] = decimal_in_range(
        params, "mediaEffectValue", DEFAULTS["mediaEffectValue"], 0, 100,
        not_number="mediaEffectValue must be a number.",
        out_of_range="mediaEffectValue must be between 0 and 100.",
        normalise=round_tenth,
    )
    # Server-managed: whatever the request says, the stored values stay.
    out["stationName"] = clean_metadata_text(stored.get("stationName"), STATION_NAME_MAX)
    out["nowPlaying"] = clean_metadata_text(stored.get("nowPlaying"), NOW_PLAYING_MAX)
    out["facing"] = decimal_in_range(
        params, "facing", DEFAULTS["facing"], 0, 360,
        not_number="facing must be a number between 0 and 360.",
        out_of_range="facing must be between 0 and 360.",
        normalise=round_half_even,
    )
    out["emitRange"] = int_in_range(
        params, "emitRange", DEFAULTS["emitRange"], 5, 20,
        not_number="emitRange must be an integer between 5 and 20.",
        out_of_range="emitRange must be between 5 and 20.",
    )
    return out
