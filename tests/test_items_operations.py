"""Generic item actions (items.md §4–5): checks in order, exact messages, outcomes."""
from __future__ import annotations

import random

import pytest

from chgrid.items.actions import check_reachable, cooldown_message
from chgrid.items.base import Emit, SoundPlace
from chgrid.items.model import ActingUser, ItemState
from chgrid.items.operations import (
    add_item,
    delete_item,
    disconnect_drop,
    drop_item,
    follow_carrier,
    pickup_item,
    secondary_use_item,
    update_item,
    use_item,
)
from chgrid.items.registry import default_registry
from chgrid.items.types.piano.checks import check_recording, note_allowed
from chgrid.permissions import DEFAULT_ROLES

REGISTRY = default_registry()
NOW = 1_764_000_000_000
USER = DEFAULT_ROLES["user"]
EDITOR = DEFAULT_ROLES["editor"]
GUEST = DEFAULT_ROLES["guest"]


def actor(perms=USER, *, client="c1", user="4", x=5, y=5) -> ActingUser:
    return ActingUser(client_id=client, user_id=user, username="maria_k", nickname="Maria",
                      x=x, y=y, permissions=frozenset(perms))


def item(type_id="dice", *, owner="4", x=5, y=5, carrier=None, title=None, **params) -> ItemState:
    item_type = REGISTRY.get(type_id)
    return ItemState(
        id="it-1", type=type_id, title=title or item_type.default_title, x=x, y=y,
        created_by=owner, created_by_name="owner", updated_by=owner, updated_by_name="owner",
        created_at=1, updated_at=1, version=2,
        params={**item_type.default_params(), **params}, carrier_id=carrier,
    )


RNG = random.Random(1)


# --- small rules --------------------------------------------------------------------

def test_chat_lines_name_the_types_label():
    assert [REGISTRY.get(t).label for t in REGISTRY.type_ids()] == [
        "clock", "dice", "piano", "radio", "wheel", "widget"]
    out = add_item(REGISTRY, "radio_station", actor(), "it-9", NOW)
    assert out.others_message == "Maria placed radio (radio) at 5, 5."


@pytest.mark.parametrize("cooldown, elapsed, message", [
    (1000, 400, "Dice is on cooldown for 0.6 s."),
    (1000, 999, "Dice is on cooldown for 0.1 s."),
    (1000, 990, "Dice is on cooldown for 0.1 s."),
    (1000, 0, "Dice is on cooldown for 1.0 s."),
    (4000, 1, "Dice is on cooldown for 4.0 s."),
    (4000, 1449, "Dice is on cooldown for 2.6 s."),
    (4000, 1450, "Dice is on cooldown for 2.6 s."),
    (4000, 1451, "Dice is on cooldown for 2.5 s."),
    (1000, 1000, None),
    (1000, 5000, None),
])
def test_cooldown_message(cooldown, elapsed, message):
    assert cooldown_message("Dice", cooldown, elapsed) == message


@pytest.mark.parametrize("action, carried_elsewhere", [
    ("pickup", "Item is already being carried."),
    ("delete", "Item is being carried by another user."),
    ("update", "Item is not available for editing."),
    ("use", "Item is not available."),
    ("secondary_use", "Item is not available."),
])
def test_check_reachable_messages(action, carried_elsewhere):
    away = "Item is not on your square."
    assert check_reachable(item(carrier="c2"), "c1", 5, 5, action) == carried_elsewhere
    assert check_reachable(item(x=6), "c1", 5, 5, action) == away
    assert check_reachable(item(x=6, carrier="c1"), "c1", 5, 5, action) is None
    assert check_reachable(item(), "c1", 5, 5, action) is None


def test_check_reachable_drop():
    assert check_reachable(item(), "c1", 5, 5, "drop") == "You are not carrying that item."
    assert check_reachable(item(carrier="c1"), "c1", 0, 0, "drop") is None


# --- add ----------------------------------------------------------------------------

def test_add_creates_default_item_on_actor_square():
    out = add_item(REGISTRY, "radio_station", actor(x=3, y=7), "new-id", NOW)
    assert out.result_payload() == {"ok": True, "action": "add",
                                    "message": "You placed radio (radio) at 3, 7.", "itemId": "new-id"}
    assert out.others_message == "Maria placed radio (radio) at 3, 7."
    assert out.upsert and out.save
    new = out.item
    assert (new.id, new.type, new.title, new.x, new.y, new.version, new.carrier_id) == (
        "new-id", "radio_station", "radio", 3, 7, 1, None)
    assert (new.created_by, new.created_by_name, new.updated_by, new.updated_by_name) == (
        "4", "maria_k", "4", "maria_k")
    assert new.created_at == new.updated_at == NOW
    assert new.params == REGISTRY.get("radio_station").default_params()


@pytest.mark.parametrize("perms, type_id, message", [
    (GUEST, "dice", "Not authorized to create items."),
    (GUEST, "nope", "Not authorized to create items."),
    (USER, "nope", "Unknown item type."),
])
def test_add_refusals_have_no_item_id(perms, type_id, message):
    out = add_item(REGISTRY, type_id, actor(perms), "x", NOW)
    assert out.result_payload() == {"ok": False, "action": "add", "message": message}
    assert out.item is None and not out.upsert


# --- pickup -------------------------------------------------------------------------

@pytest.mark.parametrize("target, carrying, perms, message, with_id", [
    (None, None, USER, "Item not found.", False),
    (item(carrier="c2"), None, USER, "Item is already being carried.", True),
    (item(), "other-item", USER, "You are already carrying an item.", True),
    (item(x=9), None, USER, "Item is not on your square.", True),
    (item(owner="7"), None, USER, "Not authorized to pick up this item.", True),
    (item(), None, GUEST, "Not authorized to pick up this item.", True),
    # order: carried elsewhere beats already-carrying
    (item(carrier="c2", x=9), "other-item", GUEST, "Item is already being carried.", True),
])
def test_pickup_refusals(target, carrying, perms, message, with_id):
    out = pickup_item(REGISTRY, target, actor(perms), carrying, NOW)
    assert not out.ok and out.message == message and out.action == "pickup"
    assert ("itemId" in out.result_payload()) is with_id


def test_pickup_success_and_repeat():
    out = pickup_item(REGISTRY, item(owner="7"), actor(EDITOR), None, NOW)
    assert out.ok and out.message == "Picked up Dice."
    assert out.others_message == "Maria picked up Dice (dice)."
    assert (out.item.carrier_id, out.item.version, out.item.updated_at) == ("c1", 2, NOW)
    assert out.item.updated_by_name == "maria_k"
    again = pickup_item(REGISTRY, item(carrier="c1", x=0, y=0), actor(), "it-1", NOW)
    assert again.ok and (again.item.x, again.item.y) == (5, 5)


# --- drop ---------------------------------------------------------------------------

@pytest.mark.parametrize("target, x, y, perms, message", [
    (None, 1, 1, USER, "Item not found."),
    (item(), 1, 1, USER, "You are not carrying that item."),
    (item(carrier="c2"), 1, 1, USER, "You are not carrying that item."),
    (item(carrier="c1"), 41, 1, USER, "Drop position is out of bounds."),
    (item(carrier="c1"), 0, -1, USER, "Drop position is out of bounds."),
    (item(carrier="c1", owner="9"), 1, 1, USER, "Not authorized to drop this item."),
])
def test_drop_refusals(target, x, y, perms, message):
    out = drop_item(REGISTRY, target, actor(perms), x, y, 41, NOW)
    assert not out.ok and out.message == message


def test_drop_success_uses_requested_tile():
    out = drop_item(REGISTRY, item(carrier="c1", type_id="radio_station", title="FM"), actor(), 12, 30, 41, NOW)
    assert out.ok and out.message == "Dropped FM at 12, 30."
    assert out.others_message == "Maria dropped FM (radio) at 12, 30."
    assert (out.item.carrier_id, out.item.x, out.item.y, out.item.version) == (None, 12, 30, 2)


# --- delete -------------------------------------------------------------------------

@pytest.mark.parametrize("target, perms, message", [
    (None, USER, "Item not found."),
    (item(carrier="c2"), EDITOR, "Item is being carried by another user."),
    (item(x=1), EDITOR, "Item is not on your square."),
    (item(owner="9"), USER, "Not authorized to delete this item."),
])
def test_delete_refusals(target, perms, message):
    out = delete_item(REGISTRY, target, actor(perms))
    assert not out.ok and out.message == message and not out.removed


def test_delete_success():
    out = delete_item(REGISTRY, item(carrier="c1", x=0, title="Old"), actor())
    assert out.result_payload() == {"ok": True, "action": "delete", "message": "You deleted Old (dice).",
                                    "itemId": "it-1"}
    assert out.removed and out.others_message == "Maria deleted Old (dice)."


# --- update -------------------------------------------------------------------------

@pytest.mark.parametrize("target, perms, message", [
    (None, USER, "Item not found."),
    (item(carrier="c2"), EDITOR, "Item is not available for editing."),
    (item(y=1), EDITOR, "Item is not on your square."),
    (item(owner="9"), USER, "Not authorized to edit this item."),
])
def test_update_refusals(target, perms, message):
    out = update_item(REGISTRY, target, actor(perms), "t", {"sides": 3}, NOW)
    assert not out.ok and out.message == message


def test_update_title_and_params_atomically():
    original = item()
    out = update_item(REGISTRY, original, actor(), "  d20  ", {"sides": "20", "hackedFlag": 1}, NOW)
    assert out.result_payload()["message"] == "Updated d20."
    assert (out.item.title, out.item.params, out.item.version) == ("d20", {"sides": 20, "number": 2}, 3)
    bad = update_item(REGISTRY, original, actor(), "new title", {"sides": 0}, NOW)
    assert bad.message == "Dice sides and number must be between 1 and 100." and bad.item is None
    assert original.title == "Dice" and original.params["sides"] == 6 and original.version == 2


@pytest.mark.parametrize("title", ["", "   "])
def test_update_empty_title(title):
    out = update_item(REGISTRY, item(), actor(), title, None, NOW)
    assert out.message == "Title cannot be empty." and not out.ok


def test_empty_update_still_bumps_version():
    for params in (None, {}):
        out = update_item(REGISTRY, item(), actor(), None, params, NOW)
        assert out.ok and out.item.version == 3 and out.upsert and out.message == "Updated Dice."


def test_update_title_capped_at_80():
    out = update_item(REGISTRY, item(), actor(), "x" * 80 + "  ", None, NOW)
    assert out.item.title == "x" * 80


# --- use ----------------------------------------------------------------------------

@pytest.mark.parametrize("target, perms, message, with_id", [
    (item(), set(), "Not authorized to use items.", False),
    (None, GUEST, "Item not found.", False),
    (item(carrier="c2"), GUEST, "Item is not available.", True),
    (item(x=0), GUEST, "Item is not on your square.", True),
])
def test_use_refusals(target, perms, message, with_id):
    for use in (lambda: use_item(REGISTRY, target, actor(perms), NOW, RNG, None),
                lambda: secondary_use_item(REGISTRY, target, actor(perms), NOW, RNG)):
        out = use()
        assert not out.ok and out.message == message
        assert ("itemId" in out.result_payload()) is with_id


def test_use_dice_outcome():
    out = use_item(REGISTRY, item(owner="9"), actor(GUEST), NOW, random.Random(2), None)
    assert out.ok and out.action == "use" and out.record_use
    assert out.message.startswith("You rolled Dice: ") and out.others_message.startswith("Maria rolled")
    assert (out.use_sound, out.sound_range) == ("sounds/roll.ogg", 15)
    assert out.item is None and not out.upsert


def test_use_cooldown():
    out = use_item(REGISTRY, item("wheel"), actor(), NOW, RNG, NOW - 1000)
    assert out.message == "wheel is on cooldown for 3.0 s." and not out.record_use
    assert use_item(REGISTRY, item("wheel"), actor(), NOW, RNG, NOW - 4000).ok
    assert use_item(REGISTRY, item(), actor(), NOW, RNG, NOW - 1000).ok


def test_failed_wheel_use_starts_no_cooldown():
    out = use_item(REGISTRY, item("wheel", spaces=""), actor(), NOW, RNG, None)
    assert out.result_payload() == {"ok": False, "action": "use", "itemId": "it-1",
                                    "message": "wheel spaces must contain at least one comma-delimited value."}
    assert not out.record_use


def test_use_wheel_delayed_line_and_sound():
    out = use_item(REGISTRY, item("wheel"), actor(), NOW, random.Random(4), None)
    assert out.message == "You spin wheel." and out.others_message == "Maria spins wheel."
    assert out.use_sound == "sounds/spin.ogg" and out.delayed[0].delay_ms == 3000
    assert out.delayed[0].message in ("yes", "no")


def test_use_radio_changes_params_without_version_bump():
    out = use_item(REGISTRY, item("radio_station", title="FM"), actor(), NOW, RNG, None)
    assert out.message == "You turn off FM." and out.others_message == "Maria turns off FM."
    assert out.item.params["enabled"] is False and out.item.version == 2
    assert out.upsert and out.save and out.item.updated_at == NOW
    assert out.use_sound is None and out.sound_range is None


def test_use_widget_plays_its_sound_with_its_range():
    out = use_item(REGISTRY, item("widget", useSound="sounds/ping.ogg", emitRange=4), actor(),
                   NOW, RNG, None)
    assert (out.use_sound, out.sound_range) == ("sounds/ping.ogg", 4)
    assert out.item.params["enabled"] is False


def test_use_with_invalid_stored_params_fails_validation():
    out = use_item(REGISTRY, item("widget", emitVolume=999), actor(), NOW, RNG, None)
    assert out.message == "emitVolume must be between 0 and 100." and not out.record_use


def test_use_clock_and_piano():
    clock = use_item(REGISTRY, item("clock"), actor(), NOW, RNG, None)
    assert clock.ok and clock.message == "" and clock.sound_range == 10 and clock.use_sound is None
    (announce,) = clock.effects[0].emits(SoundPlace("it-1", 5, 6, clock.sound_range))
    assert announce.packet_type == "item_clock_announce" and not announce.actor_only
    assert announce.payload["sounds"][0].endswith("/its.ogg")
    assert (announce.payload["x"], announce.payload["y"], announce.payload["range"]) == (5, 6, 10)
    piano = use_item(REGISTRY, item("piano", title="grand"), actor(), NOW, RNG, None)
    assert piano.message == "You begin playing grand." and piano.sound_range == 15
    assert piano.effects[0].emits(SoundPlace("it-1", 5, 5, 15)) == [Emit(
        "item_piano_status", {"itemId": "it-1", "event": "use_mode_entered", "recordingState": "idle"},
        actor_only=True)]


def test_a_use_without_sound_or_effects_has_no_range():
    out = use_item(REGISTRY, item("radio_station"), actor(), NOW, RNG, None)
    assert out.ok and out.effects == () and out.use_sound is None and out.sound_range is None


# --- secondary use ------------------------------------------------------------------

def test_secondary_use_radio_and_none():
    radio = secondary_use_item(REGISTRY, item("radio_station", title="FM", nowPlaying="Song"),
                               actor(), NOW, RNG)
    assert radio.result_payload() == {"ok": True, "action": "secondary_use",
                                      "message": "Playing Song.", "itemId": "it-1"}
    assert radio.item is None and radio.others_message == ""
    dice = secondary_use_item(REGISTRY, item(), actor(), NOW, RNG)
    assert dice.result_payload() == {"ok": False, "action": "secondary_use",
                                     "message": "No secondary action for Dice.", "itemId": "it-1"}


# --- carrying -----------------------------------------------------------------------

def test_follow_carrier_and_disconnect_drop():
    carried = item(carrier="c1")
    moved = follow_carrier(carried, 8, 9)
    assert (moved.x, moved.y, moved.version, moved.updated_at) == (8, 9, 2, 1)
    dropped = disconnect_drop(moved, 8, 9, NOW)
    assert dropped.carrier_id is None and (dropped.updated_by, dropped.updated_by_name) == (
        "system", "system")
    assert carried.carrier_id == "c1" and (carried.x, carried.y) == (5, 5)


def test_piano_note_allowed():
    piano = item("piano")
    assert note_allowed(piano, actor(GUEST))
    assert not note_allowed(piano, actor(set()))
    assert not note_allowed(item("dice"), actor())
    assert not note_allowed(item("piano", x=1), actor())
    assert not note_allowed(None, actor())


@pytest.mark.parametrize("target, perms, message, with_id", [
    (None, USER, "Piano not found.", False),
    (item("dice"), USER, "Piano not found.", False),
    (item("piano"), set(), "Not authorized to use items.", False),
    (item("piano", carrier="c2"), USER, "Piano is not available.", True),
    (item("piano", x=1), USER, "Piano is not on your square.", True),
])
def test_piano_recording_checks(target, perms, message, with_id):
    refusal = check_recording(target, actor(perms))
    assert (refusal.message, refusal.with_item_id) == (message, with_id)
    assert check_recording(item("piano", carrier="c1", x=0), actor()) is None
