"""Piano notes, recording and playback state machines; radio ICY parsing and metadata."""
from __future__ import annotations

import pytest

from chgrid.items.model import ItemState
from chgrid.items.registry import default_registry
from chgrid.items.types.piano import controls
from chgrid.items.types.piano.notes import (
    DEFAULT_VOICE,
    HeldKeys,
    NoteVoice,
    current_octave,
    current_voice,
    note_payload,
)
from chgrid.items.types.piano.recording import (
    FULL,
    IGNORED,
    LIMIT,
    MAX_EVENTS,
    RECORDED,
    Playback,
    Recorder,
    apply_finished_recording,
    build_song,
    playback_notes,
    playback_sender_id,
    song_id_for,
)
from chgrid.items.types.radio_station.actions import apply_station_metadata
from chgrid.items.types.radio_station.icy import (
    IcyTitleReader,
    icy_headers_station_name,
    icy_metaint,
    should_poll,
    stream_title,
)

REGISTRY = default_registry()
PIANO = NoteVoice("piano", "poly", 15, 45, 35, 55, 15)
ORGAN = NoteVoice("organ", "poly", 25, 70, 45, 48, 15)


def make_item(type_id: str, **params) -> ItemState:
    return ItemState(id="p1", type=type_id, title="t", x=10, y=10, created_by="1",
                     created_by_name="a", updated_by="1", updated_by_name="a", created_at=0,
                     updated_at=0, version=4,
                     params={**REGISTRY.get(type_id).default_params(), **params})


# --- notes --------------------------------------------------------------------------

def test_current_voice_clamps():
    voice = current_voice({"instrument": "bass", "voiceMode": "duo", "attack": 500,
                           "decay": -3, "release": "x", "brightness": 50, "emitRange": 2})
    assert voice == NoteVoice("bass", "poly", 100, 0, 35, 50, 5)
    assert current_octave({"octave": 9}) == 2 and current_octave({}) == 0
    assert current_voice({}) == DEFAULT_VOICE == PIANO


def test_note_payload_order():
    payload = note_payload(item_id="p1", sender_id="c1", key_id="KeyA", midi=60, on=True,
                           voice=PIANO, octave=0, x=10, y=10)
    assert list(payload) == ["itemId", "senderId", "keyId", "midi", "on", "instrument",
                             "voiceMode", "octave", "attack", "decay", "release", "brightness",
                             "x", "y", "emitRange"]


def test_held_keys_limit_twelve():
    held = HeldKeys()
    assert all(held.accept(f"K{i}", True) for i in range(12))
    assert not held.accept("K12", True)
    assert held.accept("K3", True)          # already held: fine
    assert held.accept("K12", False)        # note-off always passes
    assert held.accept("K0", False) and held.accept("K12", True)
    assert len(held) == 12


# --- recording ----------------------------------------------------------------------

def test_recorded_time_excludes_pauses_and_caps():
    rec = Recorder("p1", "c1", now_ms=1000)
    assert rec.recorded_ms(1500) == 500
    rec.pause(1500)
    assert rec.paused and rec.recorded_ms(9000) == 500 and rec.ms_until_limit(9000) is None
    rec.resume(10_000)
    assert rec.recorded_ms(10_250) == 750
    assert rec.ms_until_limit(10_250) == 29_250
    assert not rec.advance(39_499)
    assert rec.advance(39_500) and rec.recorded_ms(99_999) == 30_000


def test_record_notes_and_outcomes():
    rec = Recorder("p1", "c1", now_ms=0)
    assert rec.record(502, "KeyA", 60, True, PIANO) == RECORDED
    rec.pause(600)
    assert rec.record(700, "KeyA", 60, False, PIANO) == IGNORED
    rec.resume(1000)
    assert rec.record(1100, "K" * 40, 62, True, ORGAN) == RECORDED
    assert rec.notes[-1].t == 700 and rec.notes[-1].key_id == "K" * 32
    assert rec.record(31_000, "KeyA", 60, False, PIANO) == LIMIT


def test_event_cap():
    rec = Recorder("p1", "c1", now_ms=0)
    for i in range(MAX_EVENTS):
        assert rec.record(i % 1000, "KeyA", 60, i % 2 == 0, PIANO) == RECORDED
    assert rec.record(1001, "KeyA", 60, True, PIANO) == FULL
    assert len(rec.notes) == MAX_EVENTS


def test_song_format():
    rec = Recorder("p1", "c1", now_ms=0)
    rec.record(502, "KeyA", 60, True, PIANO)
    rec.record(1004, "KeyS", 62, True, PIANO)
    rec.record(1304, "KeyS", 62, False, ORGAN)
    song = rec.finish(3312)
    assert song == {
        "meta": {"instrument": "piano", "voiceMode": "poly", "attack": 15, "decay": 45,
                 "release": 35, "brightness": 55, "emitRange": 15, "recordingLengthMs": 3312},
        "keys": ["KeyA", "KeyS"],
        "states": [["piano", "poly", 15, 45, 35, 55, 15], ["organ", "poly", 25, 70, 45, 48, 15]],
        "events": [[502, 0, 60, 1, 0], [1004, 1, 62, 1, 0], [1304, 1, 62, 0, 1]],
    }


def test_empty_song_uses_defaults():
    assert build_song([], 1234) == {
        "meta": {"instrument": "piano", "voiceMode": "poly", "attack": 15, "decay": 45,
                 "release": 35, "brightness": 55, "emitRange": 15, "recordingLengthMs": 1234},
        "keys": [], "states": [], "events": []}


def test_ids_and_finished_item():
    assert song_id_for("p1") == "item:p1:recording"
    assert playback_sender_id("p1") == "item:p1:playback"
    piano = make_item("piano")
    done = apply_finished_recording(piano, "item:p1:recording", 99, "system", "system")
    assert done.params["songId"] == "item:p1:recording" and done.version == 5
    assert (done.updated_at, done.updated_by) == (99, "system")
    assert piano.params["songId"] == "unterlandersheimweh" and piano.version == 4


# --- playback -----------------------------------------------------------------------

SONG = {
    "meta": {"instrument": "guitar", "voiceMode": "poly", "attack": 8, "decay": 35,
             "release": 25, "brightness": 50, "emitRange": 12, "recordingLengthMs": 2000},
    "keys": ["KeyA", "KeyS"],
    "states": [["organ", "mono", 25, 70, 45, 48, 9]],
    "events": [[1000, 1, 62, 1, 0], [0, 0, 60, 1, 0], [500, 0, 60, 0, 7], "junk",
               [600, 5, 60, 1, 0], [700, 0, 200, 1, 0], [-1, 0, 60, 1, 0], [800, 0, 61, 1]],
}


def test_playback_notes_are_sorted_and_tolerant():
    notes = playback_notes(SONG)
    assert [(n.t, n.key_id, n.midi, n.on) for n in notes] == [
        (0, "KeyA", 60, True), (500, "KeyA", 60, False), (800, "KeyA", 61, True),
        (1000, "KeyS", 62, True)]
    assert notes[0].voice == NoteVoice("organ", "mono", 25, 70, 45, 48, 9)
    # bad or missing state index → meta
    assert notes[1].voice == notes[2].voice == NoteVoice("guitar", "poly", 8, 35, 25, 50, 12)
    assert playback_notes("nope") == [] and playback_notes({}) == []


def test_playback_schedule_and_stop():
    play = Playback.from_song("p1", SONG, start_ms=10_000)
    assert play.sender_id == "item:p1:playback"
    assert play.ms_until_next(10_000) == 0
    assert [n.t for n in play.advance(10_000)] == [0]
    assert play.ms_until_next(10_100) == 400
    assert [n.t for n in play.advance(10_850)] == [500, 800]
    assert not play.finished
    assert play.stop() == [("KeyA", 61)]
    assert play.finished and play.ms_until_next(20_000) is None and play.stop() == []


def test_playback_natural_end_leaves_keys_for_note_offs():
    play = Playback.from_song("p1", SONG, start_ms=0)
    play.advance(5000)
    assert play.finished and sorted(play.stop()) == [("KeyA", 61), ("KeyS", 62)]


# --- radio: ICY -----------------------------------------------------------------------

@pytest.mark.parametrize("raw, title", [
    (b"StreamTitle='Artist - Song';", "Artist - Song"),
    (b"StreamTitle='Artist - Song';StreamUrl='http://x.test';\x00\x00\x00", "Artist - Song"),
    (b"StreamUrl='http://x.test';StreamTitle='Second';", "Second"),
    (b"StreamTitle='Guns N' Roses - Patience';", "Guns N' Roses - Patience"),
    ("StreamTitle='Motörhead - Ace';".encode(), "Motörhead - Ace"),
    (b"StreamTitle='Caf\xe9 \xff';", "Caf"),
    (b"StreamTitle='No end'\x00\x00", "No end"),
    (b"\x00" * 16, ""),
    (b"", ""),
])
def test_stream_title_of_a_metadata_block(raw, title):
    assert stream_title(raw) == title


@pytest.mark.parametrize("raw, title", [
    (b"StreamTitle='  padded  ';", "padded"),
    (b"StreamUrl='u';", ""),
    (b"StreamTitle='" + b"x" * 300 + b"';", "x" * 200),
    (b"StreamTitle='';", ""),
])
def test_stream_title(raw, title):
    assert stream_title(raw) == title


def test_headers():
    assert icy_headers_station_name({"icy-name": "  Test FM "}) == "Test FM"
    assert icy_headers_station_name({"Ice-Name": "Ice"}) == "Ice"
    assert icy_headers_station_name({"ICY-NAME": "", "ice-name": "Fallback"}) == "Fallback"
    assert icy_headers_station_name({"icy-name": "n" * 200}) == "n" * 160
    assert icy_headers_station_name({}) == ""
    assert icy_metaint({"icy-metaint": "16"}) == 16
    assert icy_metaint({"Icy-MetaInt": " 8192 "}) == 8192
    for bad in ("0", "-5", "abc", "1.5", ""):
        assert icy_metaint({"icy-metaint": bad}) is None
    assert icy_metaint({}) is None


def test_icy_reader_from_raw_stream_bytes():
    meta = b"StreamTitle='Artist - Song';"
    meta += b"\x00" * (-len(meta) % 16)
    body = b"A" * 16 + bytes([len(meta) // 16]) + meta + b"more audio"
    reader = IcyTitleReader(16)
    # byte by byte, to exercise the growing wanted count
    for i, byte in enumerate(body):
        done = reader.feed(bytes([byte]))
        if done:
            break
    assert reader.title == "Artist - Song" and i == 16 + 1 + len(meta) - 1
    whole = IcyTitleReader(16)
    assert whole.feed(body) and whole.title == "Artist - Song"
    empty = IcyTitleReader(4)
    assert empty.feed(b"abcd\x00") and empty.title == ""
    with pytest.raises(ValueError):
        IcyTitleReader(10 ** 7)


def test_should_poll():
    radio = make_item("radio_station", streamUrl="http://x.test/s")
    assert should_poll(radio, [(20, 20)]) and not should_poll(radio, [(21, 10)])
    assert not should_poll(radio, [])
    assert not should_poll(make_item("radio_station", streamUrl="http://x", enabled=False), [(10, 10)])
    assert not should_poll(make_item("radio_station"), [(10, 10)])
    wide = make_item("radio_station", streamUrl="http://x", emitRange=20)
    assert should_poll(wide, [(30, 0)])
    missing = make_item("radio_station", streamUrl="http://x")
    del missing.params["enabled"], missing.params["emitRange"]
    assert should_poll(missing, [(0, 0)])


def test_apply_station_metadata():
    radio = make_item("radio_station", stationName=" Test FM ", nowPlaying="A")
    assert apply_station_metadata(radio, "Test FM", "A", 5) is None
    changed = apply_station_metadata(radio, "Test FM", " B ", 5)
    assert changed.params["nowPlaying"] == "B" and changed.version == 5
    assert (changed.updated_by, changed.updated_by_name, changed.updated_at) == ("system", "system", 5)
    cleared = apply_station_metadata(radio, "", "", 6)
    assert cleared.params["stationName"] == "" and cleared.params["nowPlaying"] == ""
    assert radio.params["nowPlaying"] == "A" and radio.version == 4


# --- recording controls ---------------------------------------------------------------

@pytest.mark.parametrize("action, owner, paused, stored, expected", [
    ("toggle_record", "c2", False, True, (controls.NOTHING, False, "This piano is already recording.", None, None)),
    ("toggle_record", "c1", True, True, (controls.RESUME_RECORDING, True, "Recording resumed.", "record_resumed", "recording")),
    ("toggle_record", "c1", False, True, (controls.PAUSE_RECORDING, True, "Recording paused.", "record_paused", "paused")),
    ("toggle_record", None, False, True, (controls.START_RECORDING, True, "Recording started.", "record_started", "recording")),
    ("stop_record", "c2", False, True, (controls.NOTHING, False, "This piano is already recording.", None, None)),
    ("stop_record", "c1", True, True, (controls.FINALISE_RECORDING, True, "Recording stopped.", "record_stopped", "idle")),
    ("stop_record", None, False, True, (controls.NOTHING, True, "Recording stopped.", "record_stopped", "idle")),
    ("playback", "c2", False, True, (controls.NOTHING, False, "Stop recording before playback.", None, None)),
    ("playback", "c1", False, True, (controls.NOTHING, False, "Stop recording before playback.", None, None)),
    ("playback", None, False, False, (controls.NOTHING, False, "No recording saved on this piano.", None, None)),
    ("playback", None, False, True, (controls.START_PLAYBACK, True, "Playback started.", "playback_started", "playback")),
    ("stop_playback", "c2", False, False, (controls.STOP_PLAYBACK, True, "Playback stopped.", "playback_stopped", "idle")),
])
def test_recording_decisions(action, owner, paused, stored, expected):
    decision = controls.decide(action, actor_client_id="c1", recorder_client_id=owner,
                               recorder_paused=paused, song_stored=stored)
    assert (decision.effect, decision.ok, decision.message, decision.event,
            decision.recording_state) == expected


def test_unknown_recording_action():
    with pytest.raises(ValueError):
        controls.decide("rewind", actor_client_id="c1", recorder_client_id=None,
                        recorder_paused=False, song_stored=True)
