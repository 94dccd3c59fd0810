"""Plug-in discovery, ``welcome.uiDefinitions`` (items.md §9) and the item wire object
(§1–2)."""
from __future__ import annotations

import json
import sys
import textwrap

import pytest

from chgrid.items.base import ItemType
from chgrid.items.model import ItemState
from chgrid.items.registry import (
    GLOBAL_PROPERTY_METADATA,
    ItemRegistry,
    RegistryError,
    default_registry,
)
from chgrid.items.wire import format_utc_minute, item_to_wire

REGISTRY = default_registry()
CAPS = ["editable", "carryable", "deletable", "usable"]
GLOBAL_KEYS = [
    "type", "x", "y", "carrierId", "version", "createdBy", "updatedBy", "createdAt",
    "updatedAt", "capabilities", "useSound", "emitSound", "useCooldownMs", "emitRange",
    "directional", "emitSoundSpeed", "emitSoundTempo", "emitInitialDelay", "emitLoopDelay",
]

# items.md §9.1: label, tooltip, default title, useSound, emitSound, cooldown, range, directional
SUMMARY = {
    "clock": ("clock", "It tells the time. What did you think it did?", "clock", "none",
              "sounds/clock.ogg", 1000, 10, False),
    "dice": ("dice", "Great for drinking games or boredom.", "Dice", "sounds/roll.ogg", "none",
             1000, 15, False),
    "piano": ("piano", "Playable keyboard instrument with multiple synth voices.", "piano",
              "none", "none", 1000, 15, False),
    "radio_station": ("radio", "Can play stations from the Internet. Tune multiple to the same "
                      "station and they will sync up.", "radio", "none", "none", 1000, 10, True),
    "wheel": ("wheel", "Spin to win fabulous prizes.", "wheel", "sounds/spin.ogg", "none", 4000,
              15, False),
    "widget": ("widget", "A basic item. Make it a beacon or whatever you want.", "widget", "none",
               "none", 1000, 15, False),
}
OWN_KEYS = {
    "clock": ["timeZone", "use24Hour", "topOfHourAnnounce", "alarmEnabled", "alarmTime"],
    "dice": ["sides", "number"],
    "piano": ["instrument", "voiceMode", "octave", "attack", "decay", "release", "brightness"],
    "radio_station": ["streamUrl", "enabled", "mediaVolume", "mediaChannel", "mediaEffect",
                      "mediaEffectValue", "stationName", "nowPlaying", "facing"],
    "wheel": ["spaces"],
    # directional, emitRange, the emit* timings and the sounds override global keys.
    "widget": ["enabled", "facing", "emitVolume", "emitEffect", "emitEffectValue"],
}
EDITABLE = {
    "clock": ["title", "timeZone", "use24Hour", "topOfHourAnnounce", "alarmEnabled", "alarmTime"],
    "dice": ["title", "sides", "number"],
    "piano": ["title", "instrument", "voiceMode", "octave", "attack", "decay", "release",
              "brightness", "emitRange"],
    "radio_station": ["title", "streamUrl", "enabled", "mediaVolume", "mediaChannel",
                      "mediaEffect", "mediaEffectValue", "facing", "emitRange"],
    "wheel": ["title", "spaces"],
    "widget": ["title", "enabled", "directional", "facing", "emitRange", "emitVolume",
               "emitSoundSpeed", "emitSoundTempo", "emitInitialDelay", "emitLoopDelay",
               "emitEffect", "emitEffectValue", "useSound", "emitSound"],
}


@pytest.fixture(scope="module")
def ui():
    return REGISTRY.ui_definitions([{"id": "manage_roles", "label": "Role management"}])


def test_top_level_structure(ui):
    assert list(ui) == ["itemTypeOrder", "itemTypes", "adminMenu"]
    assert ui["itemTypeOrder"] == ["clock", "dice", "piano", "radio_station", "wheel", "widget"]
    assert [entry["type"] for entry in ui["itemTypes"]] == ui["itemTypeOrder"]
    assert ui["adminMenu"] == {"actions": [{"id": "manage_roles", "label": "Role management"}]}
    assert [t.order for t in REGISTRY.ordered()] == [10, 20, 30, 40, 50, 60]
    json.dumps(ui)  # plain JSON all the way down


@pytest.mark.parametrize("type_id", list(SUMMARY))
def test_per_type_summary(ui, type_id):
    label, tooltip, title, use_sound, emit_sound, cooldown, emit_range, directional = SUMMARY[type_id]
    entry = next(e for e in ui["itemTypes"] if e["type"] == type_id)
    assert list(entry) == ["type", "label", "tooltip", "capabilities", "editableProperties",
                           "propertyMetadata", "globalProperties"]
    assert (entry["label"], entry["tooltip"], entry["capabilities"]) == (label, tooltip, CAPS)
    assert REGISTRY.get(type_id).default_title == title
    assert entry["editableProperties"] == EDITABLE[type_id]
    assert entry["globalProperties"] == {
        "useSound": use_sound, "emitSound": emit_sound, "useCooldownMs": cooldown,
        "emitRange": emit_range, "directional": directional, "emitSoundSpeed": 50,
        "emitSoundTempo": 50, "emitInitialDelay": 0, "emitLoopDelay": 0,
    }


@pytest.mark.parametrize("type_id", list(SUMMARY))
def test_property_metadata_order_and_overrides(ui, type_id):
    meta = next(e for e in ui["itemTypes"] if e["type"] == type_id)["propertyMetadata"]
    keys = list(meta)
    assert keys[:19] == GLOBAL_KEYS
    assert keys[19] == "title"
    assert keys[20:] == OWN_KEYS[type_id]
    assert meta["title"] == {"valueType": "text",
                             "tooltip": "Display name spoken and shown for this item.",
                             "maxLength": 80}
    for key in EDITABLE[type_id]:
        assert key in meta
    for entry in meta.values():
        assert entry["valueType"] in {"boolean", "text", "number", "list", "sound"}
        assert isinstance(entry["tooltip"], str) and entry["tooltip"]
        if "range" in entry:
            assert set(entry["range"]) == {"min", "max", "step"}


def test_global_metadata_table():
    assert list(GLOBAL_PROPERTY_METADATA) == GLOBAL_KEYS
    assert GLOBAL_PROPERTY_METADATA["carrierId"]["label"] == "Carrier"
    assert GLOBAL_PROPERTY_METADATA["useSound"] == {
        "valueType": "sound", "maxLength": 2048,
        "tooltip": "One-shot sound played when this item is used successfully."}
    assert GLOBAL_PROPERTY_METADATA["emitLoopDelay"]["range"] == {"min": 0, "max": 300, "step": 0.1}
    assert "label" not in GLOBAL_PROPERTY_METADATA["emitRange"]


def test_type_overrides_keep_global_position(ui):
    widget = next(e for e in ui["itemTypes"] if e["type"] == "widget")["propertyMetadata"]
    assert widget["emitRange"]["tooltip"] == "Maximum distance in squares for emitted sound."
    assert widget["emitRange"]["range"] == {"min": 1, "max": 20, "step": 1}
    assert widget["useSound"]["tooltip"].startswith("Sound played on use.")
    assert list(widget).index("emitRange") == GLOBAL_KEYS.index("emitRange")
    radio = next(e for e in ui["itemTypes"] if e["type"] == "radio_station")["propertyMetadata"]
    assert radio["mediaEffectValue"]["visibleWhen"] == {"mediaEffect": "!off"}
    assert radio["facing"]["visibleWhen"] == {"directional": True}
    assert radio["mediaChannel"]["options"] == ["stereo", "mono", "left", "right"]
    clock = next(e for e in ui["itemTypes"] if e["type"] == "clock")["propertyMetadata"]
    assert clock["alarmTime"] == {
        "valueType": "text", "maxLength": 8, "visibleWhen": {"alarmEnabled": True},
        "tooltip": "Alarm time. Uses 24-hour HH:MM when 24 hour format is on, otherwise H:MM AM/PM."}
    assert len(clock["timeZone"]["options"]) == 40
    piano = next(e for e in ui["itemTypes"] if e["type"] == "piano")["propertyMetadata"]
    assert piano["octave"]["range"] == {"min": -2, "max": 2, "step": 1}
    assert piano["instrument"]["options"][-1] == "drum_kit"


def test_ui_definitions_cannot_be_corrupted_by_callers():
    first = REGISTRY.ui_definitions([])
    first["itemTypes"][0]["label"] = "broken"
    first["itemTypeOrder"].clear()
    second = REGISTRY.ui_definitions([])
    assert second["itemTypes"][0]["label"] == "clock" and len(second["itemTypeOrder"]) == 6


def test_registry_lookup():
    assert REGISTRY.get("dice").type_id == "dice"
    assert REGISTRY.get("card_deck") is None
    assert "wheel" in REGISTRY and "nope" not in REGISTRY


def test_discovery_of_a_new_folder(tmp_path, monkeypatch):
    """A new type needs only its folder: the registry finds it with no other edit."""
    root = tmp_path / "fakeplugins"
    (root / "kazoo").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "notes.py").write_text("X = 1\n")  # plain modules are not plug-ins
    (root / "kazoo" / "__init__.py").write_text(textwrap.dedent("""
        from chgrid.items.base import ItemType, UseOutcome
        ITEM_TYPE = ItemType(
            type_id="kazoo", label="kazoo", tooltip="Buzz.", order=5, default_title="kazoo",
            defaults={"pitch": 1}, editable_properties=("title", "pitch"),
            property_metadata={"pitch": {"valueType": "number", "tooltip": "Pitch."}},
            validator=lambda params, item: params,
            use_action=lambda ctx: UseOutcome(self_message="Bzz."),
        )
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = ItemRegistry.discover("fakeplugins")
    assert registry.type_ids() == ["kazoo"]
    assert registry.ui_definitions([])["itemTypes"][0]["propertyMetadata"]["pitch"]["tooltip"] == "Pitch."
    for name in [m for m in sys.modules if m.startswith("fakeplugins")]:
        monkeypatch.delitem(sys.modules, name)


def test_several_packages_are_discovered_and_remember_where_each_type_lives():
    registry = ItemRegistry.discover("chgrid.items.types", "tests.plugin_types")
    assert registry.type_ids() == REGISTRY.type_ids() + ["metronome"]
    assert registry.package_of("metronome") == "tests.plugin_types.metronome"
    assert registry.package_of("clock") == "chgrid.items.types.clock"
    assert ItemRegistry([REGISTRY.get("dice")]).package_of("dice") is None
    with pytest.raises(RegistryError):
        ItemRegistry.discover("chgrid.items.types", "chgrid.items.types")


def test_duplicate_and_missing_types_are_errors():
    dice = REGISTRY.get("dice")
    with pytest.raises(RegistryError):
        ItemRegistry([dice, dice])
    with pytest.raises(RegistryError):
        ItemRegistry(["dice"])  # type: ignore[list-item]
    assert isinstance(dice, ItemType)


# --- wire ---------------------------------------------------------------------------

def wheel_item(**overrides) -> ItemState:
    fields = dict(
        id="0c9e5a4e-2b7d-4f0e-a1d3-7b2c5e8f9a01", type="wheel", title="lunch picker",
        x=14, y=9, created_by="4", created_by_name="maria_k", updated_by="4",
        updated_by_name="maria_k", created_at=1764003600000, updated_at=1764003725000,
        version=3, params={"spaces": "pizza, soup, salad"},
    )
    fields.update(overrides)
    return ItemState(**fields)


def test_wire_matches_the_spec_example():
    wire = item_to_wire(wheel_item(), REGISTRY.get("wheel"), None)
    assert wire == {
        "id": "0c9e5a4e-2b7d-4f0e-a1d3-7b2c5e8f9a01", "type": "wheel", "title": "lunch picker",
        "x": 14, "y": 9, "createdBy": "4", "createdByName": "maria_k", "updatedBy": "4",
        "updatedByName": "maria_k", "createdAt": 1764003600000, "updatedAt": 1764003725000,
        "version": 3, "capabilities": CAPS, "useSound": "sounds/spin.ogg",
        "params": {"spaces": "pizza, soup, salad"},
        "display": {"type": "wheel", "x": "14", "y": "9", "carrierId": "none", "version": "3",
                    "createdBy": "maria_k", "updatedBy": "maria_k",
                    "createdAt": "2025-11-24 17:00", "updatedAt": "2025-11-24 17:02",
                    "capabilities": "editable, carryable, deletable, usable",
                    "useSound": "spin.ogg", "emitSound": "none"},
    }
    assert list(wire) == ["id", "type", "title", "x", "y", "createdBy", "createdByName",
                          "updatedBy", "updatedByName", "createdAt", "updatedAt", "version",
                          "capabilities", "useSound", "params", "display"]


@pytest.mark.parametrize("type_id, use_sound, emit_sound", [
    ("clock", None, "sounds/clock.ogg"), ("dice", "sounds/roll.ogg", None),
    ("piano", None, None), ("radio_station", None, None), ("wheel", "sounds/spin.ogg", None),
    ("widget", None, None),
])
def test_wire_omits_missing_type_sounds(type_id, use_sound, emit_sound):
    item_type = REGISTRY.get(type_id)
    wire = item_to_wire(wheel_item(type=type_id, params=item_type.default_params()), item_type, None)
    assert wire.get("useSound") == use_sound and wire.get("emitSound") == emit_sound
    assert None not in wire.values()
    assert all(isinstance(value, str) for value in wire["display"].values())


def test_wire_carrier_and_names():
    item = wheel_item(carrier_id="client-9", created_by_name="", updated_by="system",
                      updated_by_name="system")
    wire = item_to_wire(item, REGISTRY.get("wheel"), "Maria")
    assert wire["carrierId"] == "client-9" and list(wire)[-2:] == ["carrierId", "display"]
    assert wire["display"]["carrierId"] == "Maria"
    assert wire["display"]["createdBy"] == "4" and wire["display"]["updatedBy"] == "system"
    assert item_to_wire(item, REGISTRY.get("wheel"), None)["display"]["carrierId"] == "client-9"


def test_wire_widget_sound_display_and_param_copy():
    widget = REGISTRY.get("widget")
    item = wheel_item(type="widget", params={**widget.default_params(),
                                             "useSound": "sounds/ping.ogg",
                                             "emitSound": "https://x.test/rain.mp3?x=1"})
    wire = item_to_wire(item, widget, None)
    assert (wire["display"]["useSound"], wire["display"]["emitSound"]) == ("ping.ogg", "rain.mp3")
    assert "useSound" not in wire  # the type has no default; the param is in params
    wire["params"]["useSound"] = "changed"
    assert item.params["useSound"] == "sounds/ping.ogg"


def test_wire_clock_display_uses_type_emit_sound():
    clock = REGISTRY.get("clock")
    display = item_to_wire(wheel_item(type="clock", params=clock.default_params()), clock, None)["display"]
    assert (display["useSound"], display["emitSound"]) == ("none", "clock.ogg")


def test_format_utc_minute():
    assert format_utc_minute(0) == "1970-01-01 00:00"
    assert format_utc_minute(1764003725999) == "2025-11-24 17:02"
