"""Number parsing (items.md §8), on/off text and sound/media normalisation (§6)."""
from __future__ import annotations

import pytest

from chgrid.items.base import ItemValidationError
from chgrid.items.model import ItemState
from chgrid.items.numbers import (
    clamp_int,
    parse_decimal,
    parse_int,
    parse_on_off,
    round_half_even,
    round_tenth,
)
from chgrid.items.registry import default_registry
from chgrid.items.sounds import (
    effective_emit_range,
    normalize_media_url,
    normalize_sound_ref,
    resolve_use_sound,
    sound_display_name,
)

REGISTRY = default_registry()


@pytest.mark.parametrize("value, parsed", [
    (12, 12), (12.9, 12), (-12.9, -12), ("20", 20), (" 20 ", 20), ("+3", 3), ("-2", -2),
    (True, 1), ("12.5", None), ("1_000", None), ("", None), ("abc", None), (None, None),
    ([1], None), (float("inf"), None), (float("nan"), None), ("٢٠", None),
])
def test_parse_int(value, parsed):
    assert parse_int(value) == parsed


@pytest.mark.parametrize("value, parsed", [
    (12, 12), (12.5, 12.5), ("12.5", 12.5), (" .5 ", 0.5), ("1e2", 100.0), ("-3", -3.0),
    ("12.", 12.0), ("nan", None), ("inf", None), (float("nan"), None), ("1_0", None),
    ("", None), (None, None), ("x", None), ({}, None),
])
def test_parse_decimal(value, parsed):
    assert parse_decimal(value) == parsed


@pytest.mark.parametrize("value, parsed", [
    (True, True), (False, False), (1, True), (0, False), (2.5, True), (0.0, False),
    ("on", True), (" TRUE ", True), ("1", True), ("Yes", True),
    ("off", False), ("False", False), ("0", False), ("NO", False),
    ("maybe", None), ("", None), (None, None), ([], None), (float("nan"), None),
])
def test_parse_on_off(value, parsed):
    assert parse_on_off(value) == parsed


def test_rounding_helpers():
    assert [round_half_even(v) for v in (0.5, 1.5, 2.5, 2.6, 359.5)] == [0, 2, 2, 3, 360]
    assert round_tenth(33.33) == 33.3 and round_tenth(50.0) == 50 and isinstance(round_tenth(50.0), int)
    assert clamp_int("x", 1, 100, 6) == 6 and clamp_int(500, 1, 100, 6) == 100


@pytest.mark.parametrize("raw, normalised", [
    ("", ""), ("   ", ""), (None, ""), ("none", ""), ("NONE", ""), ("Off", ""),
    ("http://x.test/a.ogg", "http://x.test/a.ogg"),
    ("HTTPS://x.test/a.ogg", "HTTPS://x.test/a.ogg"),
    ("data:audio/ogg;base64,AAAA", "data:audio/ogg;base64,AAAA"),
    ("blob:https://x.test/1", "blob:https://x.test/1"),
    ("/sounds/ping.ogg", "sounds/ping.ogg"),
    ("sounds/ping.ogg", "sounds/ping.ogg"),
    ("ping.ogg", "sounds/ping.ogg"),
    ("  ping.ogg  ", "sounds/ping.ogg"),
    ("other/ping.ogg", "other/ping.ogg"),
    ("/abs/ping.ogg", "/abs/ping.ogg"),
    (42, "sounds/42"),
])
def test_normalize_sound_ref(raw, normalised):
    assert normalize_sound_ref(raw, "useSound") == normalised


def test_sound_ref_length_limit_applies_after_normalising():
    assert len(normalize_sound_ref("a" * 2041, "emitSound")) == 2048  # "sounds/" + 2041
    with pytest.raises(ItemValidationError, match=r"^emitSound must be 2048 characters or less\.$"):
        normalize_sound_ref("a" * 2042, "emitSound")


@pytest.mark.parametrize("raw, normalised", [
    ("", ""), (" off ", ""), ("NONE", ""),
    (" https://radio.test/live?x=1 ", "https://radio.test/live?x=1"),
    ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/"),
])
def test_normalize_media_url(raw, normalised):
    assert normalize_media_url(raw) == normalised


@pytest.mark.parametrize("raw, message", [
    ("javascript:alert(1)", "streamUrl must be an http or https URL."),
    ("data:audio/mp3,xx", "streamUrl must be an http or https URL."),
    ("http://", "streamUrl must be an http or https URL."),
    ("https://x.test/" + "a" * 2040, "streamUrl must be 2048 characters or less."),
])
def test_normalize_media_url_refuses(raw, message):
    with pytest.raises(ItemValidationError) as caught:
        normalize_media_url(raw)
    assert caught.value.message == message


@pytest.mark.parametrize("value, display", [
    ("sounds/roll.ogg", "roll.ogg"), ("", "none"), ("none", "none"), (None, "none"),
    ("https://x.test/a/b.mp3?sig=1#t=2", "b.mp3"), ("ping.ogg", "ping.ogg"),
    ("https://x.test/dir/", "dir"),
])
def test_sound_display_name(value, display):
    assert sound_display_name(value) == display


def item(type_id: str, **params) -> ItemState:
    return ItemState(id="i", type=type_id, title="t", x=0, y=0, created_by="1",
                     created_by_name="a", updated_by="1", updated_by_name="a",
                     created_at=0, updated_at=0, params=params)


@pytest.mark.parametrize("type_id, params, sound", [
    ("dice", {}, "sounds/roll.ogg"),
    ("wheel", {}, "sounds/spin.ogg"),
    ("clock", {}, None),
    ("radio_station", {}, None),
    ("piano", {}, None),
    ("widget", {"useSound": " sounds/ping.ogg "}, "sounds/ping.ogg"),
    ("widget", {"useSound": ""}, None),
    ("widget", {}, None),
    ("dice", {"useSound": ""}, None),          # a string param wins over the type default
    ("dice", {"useSound": 5}, "sounds/roll.ogg"),  # a non-string param is ignored
])
def test_resolve_use_sound(type_id, params, sound):
    assert resolve_use_sound(item(type_id, **params), REGISTRY.get(type_id)) == sound


@pytest.mark.parametrize("type_id, params, expected", [
    ("dice", {}, 15), ("wheel", {}, 15), ("clock", {}, 10), ("radio_station", {}, 10),
    ("widget", {"emitRange": 7}, 7), ("widget", {"emitRange": 7.9}, 7),
    ("widget", {"emitRange": 0}, 15), ("widget", {"emitRange": -3}, 15),
    ("widget", {"emitRange": "x"}, 15), ("widget", {"emitRange": True}, 15),
    ("piano", {"emitRange": 20}, 20),
])
def test_effective_emit_range(type_id, params, expected):
    assert effective_emit_range(item(type_id, **params), REGISTRY.get(type_id)) == expected
    assert effective_emit_range(item(type_id, **params), None) in (expected, 15)
