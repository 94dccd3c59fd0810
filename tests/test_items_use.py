"""Use and secondary-use actions of the six types (items.md §10), with seeded randomness."""
from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from chgrid.items.base import DelayedLine, UseContext
from chgrid.items.model import ItemState
from chgrid.items.registry import default_registry

REGISTRY = default_registry()
CLOCK_BASE = "/sounds/clock/el640/"


def make_item(type_id: str, title: str | None = None, **params) -> ItemState:
    item_type = REGISTRY.get(type_id)
    return ItemState(
        id="i1", type=type_id, title=title or item_type.default_title, x=3, y=4,
        created_by="1", created_by_name="ann", updated_by="1", updated_by_name="ann",
        created_at=0, updated_at=0, params={**item_type.default_params(), **params},
    )


def ctx(item: ItemState, seed: int = 7, now_ms: int = 1_764_000_000_000) -> UseContext:
    return UseContext(item=item, actor_nickname="Maria", actor_user_id="4",
                      rng=random.Random(seed), now_ms=now_ms)


def use(item: ItemState, **kwargs):
    return REGISTRY.get(item.type).use(ctx(item, **kwargs))


def secondary(item: ItemState, **kwargs):
    return REGISTRY.get(item.type).secondary_use(ctx(item, **kwargs))


def utc_ms(*args) -> int:
    return int(datetime(*args, tzinfo=timezone.utc).timestamp() * 1000)


# --- dice ---------------------------------------------------------------------------

def test_dice_several_rolls_with_total():
    rng = random.Random(7)
    values = [rng.randint(1, 6), rng.randint(1, 6)]
    outcome = use(make_item("dice"))
    listed = ", ".join(map(str, values))
    assert outcome.error is None
    assert outcome.self_message == f"You rolled Dice: {listed} (total {sum(values)})."
    assert outcome.others_message == f"Maria rolled Dice: {listed} (total {sum(values)})."
    assert outcome.params_patch is None and outcome.delayed == []


def test_dice_single_die():
    value = random.Random(3).randint(1, 20)
    outcome = use(make_item("dice", "d20", sides=20, number=1), seed=3)
    assert outcome.self_message == f"You rolled d20: {value}."
    assert outcome.others_message == f"Maria rolled d20: {value}."


@pytest.mark.parametrize("params, sides, number", [
    ({"sides": "junk", "number": None}, 6, 2),
    ({"sides": 500, "number": 0}, 100, 1),
])
def test_dice_reads_stored_values_leniently(params, sides, number):
    rng = random.Random(1)
    values = [rng.randint(1, sides) for _ in range(number)]
    outcome = use(make_item("dice", **params), seed=1)
    assert outcome.self_message.startswith(f"You rolled Dice: {values[0]}")
    assert outcome.self_message.count(",") == max(0, number - 1)


# --- wheel --------------------------------------------------------------------------

def test_wheel_spins_and_announces_later():
    spaces = ["pizza", "soup", "salad"]
    picked = random.Random(5).choice(spaces)
    outcome = use(make_item("wheel", "lunch", spaces="pizza, soup, salad"), seed=5)
    assert outcome.self_message == "You spin lunch."
    assert outcome.others_message == "Maria spins lunch."
    assert outcome.delayed == [DelayedLine(delay_ms=3000, message=picked, to_others=True,
                                           to_actor=True)]


def test_wheel_accepts_legacy_list():
    outcome = use(make_item("wheel", spaces=[" a ", "", 3]))
    assert outcome.delayed[0].message == "a"


@pytest.mark.parametrize("spaces", ["", " , ,", None, []])
def test_wheel_without_spaces_fails(spaces):
    outcome = use(make_item("wheel", spaces=spaces))
    assert outcome.error == "wheel spaces must contain at least one comma-delimited value."


# --- widget and radio toggles -------------------------------------------------------

@pytest.mark.parametrize("type_id", ["widget", "radio_station"])
@pytest.mark.parametrize("stored, word, now_on", [
    (True, "off", False), (False, "on", True), ("off", "on", True), ("garbage", "off", False),
])
def test_toggle(type_id, stored, word, now_on):
    outcome = use(make_item(type_id, "box", enabled=stored))
    assert outcome.self_message == f"You turn {word} box."
    assert outcome.others_message == f"Maria turns {word} box."
    assert outcome.params_patch == {"enabled": now_on}


@pytest.mark.parametrize("type_id", ["widget", "radio_station"])
def test_toggle_missing_enabled_counts_as_on(type_id):
    item = make_item(type_id)
    del item.params["enabled"]
    assert use(item).params_patch == {"enabled": False}


@pytest.mark.parametrize("params, message", [
    ({"enabled": False, "nowPlaying": "x", "stationName": "y"}, "FM is off."),
    ({"nowPlaying": " Artist - Song ", "stationName": " Test FM "},
     "Playing Artist - Song from Test FM."),
    ({"nowPlaying": "Artist - Song"}, "Playing Artist - Song."),
    ({"stationName": "Test FM"}, "Playing from Test FM."),
    ({}, "No now playing data."),
    ({"enabled": "off", "nowPlaying": "N"}, "Playing N."),  # only exactly false means off
])
def test_radio_secondary_use(params, message):
    outcome = secondary(make_item("radio_station", "FM", **params))
    assert outcome.self_message == message
    assert outcome.others_message == "" and outcome.params_patch is None


@pytest.mark.parametrize("type_id", ["clock", "dice", "piano", "wheel", "widget"])
def test_no_secondary_action(type_id):
    assert secondary(make_item(type_id)) is None
    assert REGISTRY.get(type_id).secondary_action is None


# --- clock --------------------------------------------------------------------------

def test_clock_use_announces_zone_time():
    # 2025-11-24 20:41 UTC = 15:41 in Detroit (EST).
    outcome = use(make_item("clock"), now_ms=utc_ms(2025, 11, 24, 20, 41, 30))
    assert outcome.self_message == "" and outcome.others_message == ""
    assert list(outcome.effects[0].sounds) == [CLOCK_BASE + n + ".ogg" for n in ("its", "3", "40", "1", "PM")]


def test_clock_use_24_hour_in_berlin():
    outcome = use(make_item("clock", timeZone="Europe/Berlin", use24Hour=True),
                  now_ms=utc_ms(2025, 11, 24, 20, 41))
    assert list(outcome.effects[0].sounds) == [CLOCK_BASE + n + ".ogg" for n in ("its", "20", "1", "40", "1")]


def test_clock_unknown_zone_speaks_detroit_time():
    outcome = use(make_item("clock", timeZone="Nowhere/Land"), now_ms=utc_ms(2025, 11, 24, 20, 5))
    assert list(outcome.effects[0].sounds) == [CLOCK_BASE + n + ".ogg" for n in ("its", "3", "o", "5", "PM")]


# --- piano --------------------------------------------------------------------------

def test_piano_use_enters_piano_mode():
    outcome = use(make_item("piano", "grand"))
    assert outcome.self_message == "You begin playing grand."
    assert outcome.others_message == "Maria begins playing grand."
    assert [type(e).__name__ for e in outcome.effects] == ["EnterPlayMode"]
