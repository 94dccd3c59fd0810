"""Validators of the six item types: every rule and exact message (items.md §8, §10)."""
from __future__ import annotations

import pytest

from chgrid.items.base import ItemValidationError
from chgrid.items.model import ItemState
from chgrid.items.registry import default_registry

REGISTRY = default_registry()
ZONES_MESSAGE = (
    "timeZone must be one of America/Anchorage, America/Argentina/Buenos_Aires, "
    "America/Chicago, America/Detroit, America/Halifax, America/Indiana/Indianapolis, "
    "America/Kentucky/Louisville, America/Los_Angeles, America/St_Johns, Asia/Bangkok, "
    "Asia/Dhaka, Asia/Dubai, Asia/Hong_Kong, Asia/Kabul, Asia/Karachi, Asia/Kathmandu, "
    "Asia/Kolkata, Asia/Seoul, Asia/Singapore, Asia/Tehran, Asia/Tokyo, Asia/Yangon, "
    "Atlantic/Azores, Atlantic/South_Georgia, Australia/Brisbane, Australia/Darwin, "
    "Australia/Eucla, Australia/Lord_Howe, Europe/Berlin, Europe/Helsinki, Europe/London, "
    "Europe/Moscow, Pacific/Apia, Pacific/Auckland, Pacific/Chatham, Pacific/Honolulu, "
    "Pacific/Kiritimati, Pacific/Noumea, Pacific/Pago_Pago, UTC."
)
EFFECTS = "reverb, echo, flanger, high_pass, low_pass, off"


def make_item(type_id: str, **params) -> ItemState:
    item_type = REGISTRY.get(type_id)
    return ItemState(
        id="i1", type=type_id, title=item_type.default_title, x=1, y=1,
        created_by="1", created_by_name="ann", updated_by="1", updated_by_name="ann",
        created_at=0, updated_at=0, params={**item_type.default_params(), **params},
    )


def run(type_id: str, patch: dict, **stored) -> dict:
    """The update pipeline: merge over the stored params, validate against the item."""
    item = make_item(type_id, **stored)
    return REGISTRY.get(type_id).validate({**item.params, **patch}, item)


def refused(type_id: str, patch: dict, **stored) -> str:
    with pytest.raises(ItemValidationError) as caught:
        run(type_id, patch, **stored)
    return caught.value.message


@pytest.mark.parametrize("type_id", REGISTRY.type_ids())
def test_defaults_validate_to_themselves(type_id):
    item_type = REGISTRY.get(type_id)
    assert run(type_id, {}) == item_type.default_params()


@pytest.mark.parametrize("type_id", REGISTRY.type_ids())
def test_unknown_keys_are_dropped(type_id):
    assert "hackedFlag" not in run(type_id, {"hackedFlag": True})


# --- dice ---------------------------------------------------------------------------

@pytest.mark.parametrize("patch, expected", [
    ({"sides": 20}, {"sides": 20, "number": 2}),
    ({"sides": "20"}, {"sides": 20, "number": 2}),
    ({"sides": 12.9}, {"sides": 12, "number": 2}),
    ({"sides": 1, "number": 100}, {"sides": 1, "number": 100}),
    ({"number": " 7 "}, {"sides": 6, "number": 7}),
])
def test_dice_accepts(patch, expected):
    assert run("dice", patch) == expected


@pytest.mark.parametrize("patch, message", [
    ({"sides": "12.5"}, "Dice values must be numbers."),
    ({"sides": "abc"}, "Dice values must be numbers."),
    ({"number": None}, "Dice values must be numbers."),
    ({"number": [1]}, "Dice values must be numbers."),
    ({"sides": float("nan")}, "Dice values must be numbers."),
    ({"sides": 0}, "Dice sides and number must be between 1 and 100."),
    ({"sides": 101}, "Dice sides and number must be between 1 and 100."),
    ({"number": -1}, "Dice sides and number must be between 1 and 100."),
    # Both are parsed before either range check.
    ({"sides": 0, "number": "x"}, "Dice values must be numbers."),
])
def test_dice_refuses(patch, message):
    assert refused("dice", patch) == message


# --- wheel --------------------------------------------------------------------------

@pytest.mark.parametrize("spaces, stored", [
    ("a,b ,, c", "a, b, c"),
    ("  pizza ,soup", "pizza, soup"),
    ("only", "only"),
    (",".join(["x"] * 100), ", ".join(["x"] * 100)),
    ("y" * 80, "y" * 80),
])
def test_wheel_normalises(spaces, stored):
    assert run("wheel", {"spaces": spaces}) == {"spaces": stored}


@pytest.mark.parametrize("spaces, message", [
    (["a", "b"], "spaces must be a comma-delimited string."),
    (5, "spaces must be a comma-delimited string."),
    ("a" * 4001, "spaces must be 4000 characters or less."),
    (" , ,, ", "spaces must include at least one value, separated by commas."),
    ("", "spaces must include at least one value, separated by commas."),
    (",".join(["x"] * 101), "spaces supports up to 100 values."),
    ("ok, " + "y" * 81, "each space must be 80 chars or less."),
])
def test_wheel_refuses(spaces, message):
    assert refused("wheel", {"spaces": spaces}) == message


# --- widget -------------------------------------------------------------------------

@pytest.mark.parametrize("patch, key, value", [
    ({"enabled": "off"}, "enabled", False),
    ({"enabled": "maybe"}, "enabled", True),
    ({"enabled": 0}, "enabled", False),
    ({"enabled": "YES"}, "enabled", True),
    ({"directional": "on"}, "directional", True),
    ({"directional": "sideways"}, "directional", False),
    ({"facing": 90.5}, "facing", 90),
    ({"facing": 91.5}, "facing", 92),
    ({"facing": "359.6"}, "facing", 360),
    ({"emitRange": 7.9}, "emitRange", 7),
    ({"emitRange": "20"}, "emitRange", 20),
    ({"emitVolume": 0}, "emitVolume", 0),
    ({"emitSoundSpeed": 33.33}, "emitSoundSpeed", 33.3),
    ({"emitSoundSpeed": "50"}, "emitSoundSpeed", 50),
    ({"emitSoundTempo": 99.96}, "emitSoundTempo", 100),
    ({"emitInitialDelay": 299.94}, "emitInitialDelay", 299.9),
    ({"emitLoopDelay": "0.25"}, "emitLoopDelay", 0.2),
    ({"emitEffect": " ECHO "}, "emitEffect", "echo"),
    ({"emitEffectValue": 12.34}, "emitEffectValue", 12.3),
    ({"useSound": "ping.ogg"}, "useSound", "sounds/ping.ogg"),
    ({"useSound": "OFF"}, "useSound", ""),
    ({"emitSound": "/sounds/rain.ogg"}, "emitSound", "sounds/rain.ogg"),
    ({"emitSound": "https://x.test/a.mp3"}, "emitSound", "https://x.test/a.mp3"),
])
def test_widget_normalises(patch, key, value):
    result = run("widget", patch)
    assert result[key] == value
    assert type(result[key]) is type(value)


@pytest.mark.parametrize("patch, message", [
    ({"facing": "north"}, "facing must be a number between 0 and 360."),
    ({"facing": 360.1}, "facing must be between 0 and 360."),
    ({"facing": -1}, "facing must be between 0 and 360."),
    ({"emitRange": "12.5"}, "emitRange must be an integer between 1 and 20."),
    ({"emitRange": 0}, "emitRange must be between 1 and 20."),
    ({"emitRange": 21}, "emitRange must be between 1 and 20."),
    ({"emitVolume": "loud"}, "emitVolume must be an integer between 0 and 100."),
    ({"emitVolume": 101}, "emitVolume must be between 0 and 100."),
    ({"emitSoundSpeed": "fast"}, "emitSoundSpeed must be a number between 0 and 100."),
    ({"emitSoundSpeed": 100.5}, "emitSoundSpeed must be between 0 and 100."),
    ({"emitSoundTempo": None}, "emitSoundTempo must be a number between 0 and 100."),
    ({"emitSoundTempo": -0.1}, "emitSoundTempo must be between 0 and 100."),
    ({"emitInitialDelay": "soon"}, "emitInitialDelay must be a number between 0 and 300."),
    ({"emitInitialDelay": 301}, "emitInitialDelay must be between 0 and 300."),
    ({"emitLoopDelay": "inf"}, "emitLoopDelay must be a number between 0 and 300."),
    ({"emitLoopDelay": -5}, "emitLoopDelay must be between 0 and 300."),
    ({"emitEffect": "chorus"}, f"emitEffect must be one of {EFFECTS}."),
    ({"emitEffectValue": "x"}, "emitEffectValue must be a number."),
    ({"emitEffectValue": 100.01}, "emitEffectValue must be between 0 and 100."),
    ({"useSound": "a" * 2049}, "useSound must be 2048 characters or less."),
    ({"emitSound": "b" * 2049}, "emitSound must be 2048 characters or less."),
])
def test_widget_refuses(patch, message):
    assert refused("widget", patch) == message


def test_widget_first_failing_check_wins():
    assert refused("widget", {"emitVolume": 500, "facing": 999}) == "facing must be between 0 and 360."
    assert refused("widget", {"useSound": "a" * 3000, "emitEffect": "bad"}) == (
        f"emitEffect must be one of {EFFECTS}.")


# --- radio --------------------------------------------------------------------------

@pytest.mark.parametrize("patch, key, value", [
    ({"streamUrl": "  https://8.8.8.8/live  "}, "streamUrl", "https://8.8.8.8/live"),
    ({"streamUrl": "HTTP://8.8.8.8:80/Live"}, "streamUrl", "http://8.8.8.8:80/Live"),
    ({"streamUrl": "/chgrid/media_proxy.php?url=x"}, "streamUrl", "/chgrid/media_proxy.php?url=x"),
    ({"streamUrl": "None"}, "streamUrl", ""),
    ({"streamUrl": "off"}, "streamUrl", ""),
    ({"enabled": "off"}, "enabled", False),
    ({"enabled": 1}, "enabled", True),
    ({"enabled": "true"}, "enabled", True),
    ({"mediaVolume": "75"}, "mediaVolume", 75),
    ({"mediaVolume": 75.9}, "mediaVolume", 75),
    ({"mediaChannel": "LEFT"}, "mediaChannel", "left"),
    ({"mediaEffect": "High_Pass"}, "mediaEffect", "high_pass"),
    ({"mediaEffectValue": 0.05}, "mediaEffectValue", 0.1),
    ({"mediaEffectValue": "42"}, "mediaEffectValue", 42),
    ({"facing": 2.5}, "facing", 2),
    ({"facing": 3.5}, "facing", 4),
    ({"emitRange": 5}, "emitRange", 5),
])
def test_radio_normalises(patch, key, value):
    result = run("radio_station", patch)
    assert result[key] == value
    assert type(result[key]) is type(value)


@pytest.mark.parametrize("patch, message", [
    ({"streamUrl": "http://x.test/" + "a" * 2040}, "streamUrl must be 2048 characters or less."),
    # upstream-0.1.md §13.1 (private addresses: tests/test_stream_url.py and
    # test_ws_stateful_items.py; the rules are per process, set by the radio plug-in).
    ({"streamUrl": "file:///etc/passwd"}, "streamUrl must be a valid http/https URL."),
    ({"streamUrl": "ftp://x.test/a"}, "streamUrl must use http or https."),
    ({"streamUrl": "radio.test/live"}, "streamUrl must be an absolute http/https URL or site-relative path."),
    ({"enabled": "perhaps"}, "enabled must be true/false or on/off."),
    ({"enabled": None}, "enabled must be true/false or on/off."),
    ({"mediaVolume": "half"}, "mediaVolume must be a number."),
    ({"mediaVolume": "50.5"}, "mediaVolume must be a number."),
    ({"mediaVolume": 101}, "mediaVolume must be between 0 and 100."),
    ({"mediaEffect": "wah"}, f"mediaEffect must be one of {EFFECTS}."),
    ({"mediaChannel": "surround"}, "mediaChannel must be one of stereo, mono, left, right."),
    ({"mediaEffectValue": "lots"}, "mediaEffectValue must be a number."),
    ({"mediaEffectValue": -1}, "mediaEffectValue must be between 0 and 100."),
    ({"facing": "up"}, "facing must be a number between 0 and 360."),
    ({"facing": 361}, "facing must be between 0 and 360."),
    ({"emitRange": "far"}, "emitRange must be an integer between 5 and 20."),
    ({"emitRange": 4}, "emitRange must be between 5 and 20."),
    ({"emitRange": 21}, "emitRange must be between 5 and 20."),
])
def test_radio_refuses(patch, message):
    assert refused("radio_station", patch) == message


def test_radio_check_order():
    # mediaEffect is checked before mediaChannel, as in the reference.
    assert refused("radio_station", {"mediaChannel": "x", "mediaEffect": "y"}).startswith("mediaEffect")
    assert refused("radio_station", {"enabled": "x", "mediaVolume": "y"}).startswith("enabled")


def test_radio_metadata_is_server_managed():
    result = run("radio_station", {"stationName": "Hacked FM", "nowPlaying": "spoof"},
                 stationName="  Test FM  ", nowPlaying="x" * 250)
    assert result["stationName"] == "Test FM"
    assert result["nowPlaying"] == "x" * 200


# --- clock --------------------------------------------------------------------------

@pytest.mark.parametrize("patch, key, value", [
    ({"timeZone": " Europe/Berlin "}, "timeZone", "Europe/Berlin"),
    ({"use24Hour": "on"}, "use24Hour", True),
    ({"topOfHourAnnounce": "no"}, "topOfHourAnnounce", False),
    ({"alarmEnabled": 1}, "alarmEnabled", True),
    ({"alarmTime": "7:05 pm"}, "alarmTime", "7:05 PM"),
    ({"alarmTime": "19:05"}, "alarmTime", "7:05 PM"),
    ({"alarmTime": "00:30"}, "alarmTime", "12:30 AM"),
    ({"alarmTime": "  "}, "alarmTime", ""),
    ({"alarmTime": "19:05", "use24Hour": True}, "alarmTime", "19:05"),
    ({"alarmTime": "7:05 PM", "use24Hour": True}, "alarmTime", "19:05"),
    ({"alarmTime": "12:00 AM", "use24Hour": True}, "alarmTime", "00:00"),
])
def test_clock_normalises(patch, key, value):
    assert run("clock", patch)[key] == value


@pytest.mark.parametrize("patch, message", [
    ({"timeZone": "Mars/Olympus"}, ZONES_MESSAGE),
    ({"timeZone": "europe/berlin"}, ZONES_MESSAGE),
    ({"timeZone": 5}, ZONES_MESSAGE),
    ({"use24Hour": "sometimes"}, "use24Hour must be on/off."),
    ({"topOfHourAnnounce": None}, "topOfHourAnnounce must be on/off."),
    ({"alarmEnabled": "y"}, "alarmEnabled must be on/off."),
    ({"alarmTime": "24:00"}, "alarmTime must be a valid time (HH:MM or H:MM AM/PM)."),
    ({"alarmTime": "7:5"}, "alarmTime must be a valid time (HH:MM or H:MM AM/PM)."),
    ({"alarmTime": "13:00 PM"}, "alarmTime must be a valid time (HH:MM or H:MM AM/PM)."),
    ({"alarmTime": "noon"}, "alarmTime must be a valid time (HH:MM or H:MM AM/PM)."),
])
def test_clock_refuses(patch, message):
    assert refused("clock", patch) == message


def test_clock_unchanged_unparseable_alarm_is_kept():
    # Legacy text nobody edits survives other edits...
    assert run("clock", {"alarmEnabled": True}, alarmTime="whenever")["alarmTime"] == "whenever"
    # ...but is checked once the mode changes.
    with pytest.raises(ItemValidationError):
        run("clock", {"use24Hour": True}, alarmTime="whenever")


def test_clock_mode_change_rewrites_stored_alarm():
    result = run("clock", {"use24Hour": True}, alarmTime="7:05 PM")
    assert result["alarmTime"] == "19:05"
    result = run("clock", {"use24Hour": False}, alarmTime="07:05", use24Hour=True)
    assert result["alarmTime"] == "7:05 AM"


def test_clock_new_item_checks_alarm():
    clock = REGISTRY.get("clock")
    with pytest.raises(ItemValidationError):
        clock.validate({**clock.default_params(), "alarmTime": "bad"}, None)


# --- piano --------------------------------------------------------------------------

INSTRUMENT_MESSAGE = ("instrument must be one of: piano, electric_piano, guitar, organ, bass, "
                      "violin, synth_lead, brass, nintendo, drum_kit.")


@pytest.mark.parametrize("patch, message", [
    ({"instrument": "kazoo"}, INSTRUMENT_MESSAGE),
    ({"instrument": None}, INSTRUMENT_MESSAGE),
    ({"voiceMode": "duo"}, "voiceMode must be one of: poly, mono."),
    ({"octave": "1.5"}, "octave must be an integer between -2 and 2."),
    ({"octave": 3}, "octave must be between -2 and 2."),
    ({"octave": -3}, "octave must be between -2 and 2."),
    ({"attack": "soft"}, "attack must be an integer between 0 and 100."),
    ({"decay": 101}, "decay must be between 0 and 100."),
    ({"release": -1}, "release must be between 0 and 100."),
    ({"brightness": "x"}, "brightness must be an integer between 0 and 100."),
    ({"emitRange": "x"}, "emitRange must be an integer between 5 and 20."),
    ({"emitRange": 4}, "emitRange must be between 5 and 20."),
])
def test_piano_refuses(patch, message):
    assert refused("piano", patch) == message


def test_piano_same_instrument_keeps_values():
    result = run("piano", {"instrument": "PIANO", "attack": 90, "octave": "-2", "voiceMode": "MONO"})
    assert (result["instrument"], result["attack"], result["octave"], result["voiceMode"]) == (
        "piano", 90, -2, "mono")


def test_piano_instrument_change_resets_voice_even_over_request():
    result = run("piano", {"instrument": "bass", "attack": 90, "brightness": 1, "emitRange": 6})
    assert result == {"instrument": "bass", "voiceMode": "mono", "octave": -1, "attack": 2,
                      "decay": 24, "release": 18, "brightness": 34, "emitRange": 6,
                      "songId": "unterlandersheimweh"}


@pytest.mark.parametrize("instrument, preset", [
    ("piano", (15, 45, 35, 55, "poly", 0)),
    ("electric_piano", (12, 40, 30, 62, "poly", 0)),
    ("guitar", (8, 35, 25, 50, "poly", 0)),
    ("organ", (25, 70, 45, 48, "poly", 0)),
    ("bass", (2, 24, 18, 34, "mono", -1)),
    ("violin", (22, 75, 55, 58, "mono", 0)),
    ("synth_lead", (6, 30, 22, 72, "poly", 0)),
    ("brass", (10, 45, 30, 60, "mono", 0)),
    ("nintendo", (1, 24, 15, 85, "poly", 0)),
    ("drum_kit", (1, 22, 12, 68, "poly", 0)),
])
def test_piano_instrument_presets(instrument, preset):
    stored = "organ" if instrument != "organ" else "piano"
    result = run("piano", {"instrument": instrument}, instrument=stored)
    assert (result["attack"], result["decay"], result["release"], result["brightness"],
            result["voiceMode"], result["octave"]) == preset


def test_piano_song_id_cannot_be_changed():
    assert run("piano", {"songId": "other"}, songId="item:i1:recording")["songId"] == "item:i1:recording"
    assert run("piano", {"songId": "other"})["songId"] == "unterlandersheimweh"


def test_radio_legacy_url_survives_other_edits():
    # The http(s) rule applies to new URLs only; a stored legacy URL stays editable.
    assert run("radio_station", {"enabled": False}, streamUrl="ftp://old.test/s")["streamUrl"] == (
        "ftp://old.test/s")
    assert refused("radio_station", {"streamUrl": "ftp://other.test/s"},
                   streamUrl="ftp://old.test/s") == "streamUrl must use http or https."
