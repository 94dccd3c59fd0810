"""PianoRecorderActor with injected time (alone), and live notes/recording in a room."""
from __future__ import annotations

from typing import cast

import pykka
import pytest

from chgrid.items.store import ItemStore
from chgrid.items.types.piano.actor import (
    PianoProxy,
    PianoRecorderActor,
    PianoReplied,
    PianoReply,
    PlaybackNotes,
    RecordingFinished,
)
from chgrid.items.types.piano.notes import DEFAULT_VOICE, NoteVoice
from chgrid.items.types.piano.recording import MAX_EVENTS, MAX_RECORDING_MS, build_song
from tests.fake_clock import FakeClock
from tests.stateful_support import FakeRoom, StatefulRoom, TimedScheduler, barrier

BASS = NoteVoice("bass", "mono", 2, 24, 18, 34, 15)


@pytest.fixture
def solo():
    clock = FakeClock()
    scheduler = TimedScheduler(clock)
    room = FakeRoom()
    actor = cast(PianoProxy, PianoRecorderActor.start("p1", room.link(), clock, scheduler).proxy())
    barrier(actor.actor_ref)

    class Solo:
        pass

    s = Solo()
    s.clock, s.scheduler, s.room, s.actor = clock, scheduler, room, actor

    def now():
        return clock.now_ms()

    def ask(action, client="a", song=None):
        actor.request(action, client, now(), song).get(timeout=5)
        return room.reports[-1]

    def note(key, midi, on, client="a", voice=DEFAULT_VOICE):
        actor.live_note(client, now(), key, midi, on, voice).get(timeout=5)

    def run(seconds):
        clock.advance(seconds)
        scheduler.run_due()
        barrier(actor.actor_ref)

    s.now, s.ask, s.note, s.run = now, ask, note, run
    yield s
    pykka.ActorRegistry.stop_all()


def finished(room):
    return room.of(RecordingFinished)


def played(room):
    return room.of(PlaybackNotes)


def reply_of(report):
    """The reply a request got, finalising or not."""
    return report.reply


def test_record_pause_resume_stop(solo):
    assert solo.ask("toggle_record") == PianoReplied("p1", PianoReply(
        "a", True, "Recording started.", "record_started", "recording"), ())
    solo.run(0.5)
    solo.note("KeyA", 60, True)
    solo.run(0.5)
    solo.note("KeyA", 60, False, voice=BASS)
    solo.note("KeyS", 62, True, client="b")  # not the owner: not recorded
    assert reply_of(solo.ask("toggle_record")).event == "record_paused"
    solo.run(5)
    solo.note("KeyD", 64, True)  # paused: not recorded
    assert reply_of(solo.ask("toggle_record", "b")) == PianoReply("b", False, "This piano is already recording.")
    assert reply_of(solo.ask("toggle_record")).event == "record_resumed"
    solo.run(0.25)
    done = solo.ask("stop_record")
    assert isinstance(done, RecordingFinished) and done.owner_client_id == "a"
    assert done.reply == PianoReply("a", True, "Recording stopped.", "record_stopped", "idle")
    song = done.song
    assert song["meta"]["recordingLengthMs"] == 1250
    assert song["keys"] == ["KeyA"]
    assert song["states"] == [DEFAULT_VOICE.as_state(), BASS.as_state()]
    assert song["events"] == [[500, 0, 60, 1, 0], [1000, 0, 60, 0, 1]]
    # Nothing left: stop again just answers.
    assert reply_of(solo.ask("stop_record")).event == "record_stopped"


def test_thirty_second_limit_by_watchdog(solo):
    solo.ask("toggle_record")
    assert solo.scheduler.delays() == [MAX_RECORDING_MS]
    solo.ask("toggle_record")  # pause for a while: the limit moves out
    solo.run(10)
    assert finished(solo.room) == []
    solo.ask("toggle_record")
    solo.run(29.75)
    assert finished(solo.room) == []
    solo.run(0.25)
    (done,) = finished(solo.room)
    assert done.song["meta"]["recordingLengthMs"] == MAX_RECORDING_MS
    assert done.reply.event == "record_stopped" and done.reply.client_id == "a"


def test_a_note_at_the_limit_finalises(solo):
    solo.ask("toggle_record")
    solo.clock.advance(31)  # the watchdog has not run yet
    solo.note("KeyA", 60, True)
    (done,) = finished(solo.room)
    assert done.song["events"] == [] and done.reply.message == "Recording stopped."


def test_event_cap_keeps_the_first_4096(solo):
    solo.ask("toggle_record")
    for i in range(MAX_EVENTS + 10):
        solo.actor.live_note("a", solo.now(), f"K{i % 20}", 40 + i % 20, i % 2 == 0, DEFAULT_VOICE)
    assert len(solo.ask("stop_record").song["events"]) == MAX_EVENTS


def test_owner_leaving_finalises_silently(solo):
    solo.ask("toggle_record")
    solo.actor.owner_left("someone-else", solo.now()).get()
    assert finished(solo.room) == []
    solo.actor.owner_left("a", solo.now()).get()
    (done,) = finished(solo.room)
    assert done.owner_client_id == "a" and done.reply is None


def song_of(*events, keys=("KeyA", "KeyS")):
    return {"meta": {"recordingLengthMs": 2000}, "keys": list(keys),
            "states": [BASS.as_state()], "events": [list(e) for e in events]}


def test_playback_keeps_the_recorded_timing_and_ends_with_note_offs(solo):
    song = song_of((0, 0, 60, 1, 0), (500, 1, 62, 1, 0), (500, 0, 60, 0, 0), (1200, 1, 64, 1, 0))
    assert solo.ask("playback", song=song) == PianoReplied("p1", PianoReply(
        "a", True, "Playback started.", "playback_started", "playback"), ())
    solo.run(0)
    assert [[(n.key_id, n.midi, n.on) for n in p.notes] for p in played(solo.room)] == [[("KeyA", 60, True)]]
    first = played(solo.room)[0]
    assert first.sender_id == "item:p1:playback" and first.notes[0].voice == BASS
    solo.run(0.4)
    assert len(played(solo.room)) == 1
    solo.run(0.1)
    assert [(n.key_id, n.on) for n in played(solo.room)[1].notes] == [("KeyS", True), ("KeyA", False)]
    solo.run(0.7)
    last = played(solo.room)[-1]
    assert [(n.key_id, n.midi) for n in last.notes] == [("KeyS", 64)]
    assert last.note_offs == (("KeyS", 64),)  # natural end: note-off for the key still on
    assert solo.scheduler.delays() == []  # nothing left to play


def test_refusals_and_exclusivity(solo):
    assert reply_of(solo.ask("playback")) == PianoReply("a", False, "No recording saved on this piano.")
    song = song_of((0, 0, 60, 1, 0), (5000, 0, 60, 0, 0))
    solo.ask("playback", song=song)
    solo.run(0)
    # Starting a recording stops the playback, with note-offs for what it left on.
    started = solo.ask("toggle_record", "b")
    assert started.reply.event == "record_started" and started.note_offs == (("KeyA", 60),)
    assert reply_of(solo.ask("playback", song=song)) == PianoReply("a", False, "Stop recording before playback.")
    solo.ask("stop_record", "b")
    solo.ask("playback", song=song)
    solo.run(0)
    stopped = solo.ask("stop_playback")
    assert stopped.reply.event == "playback_stopped" and stopped.note_offs == (("KeyA", 60),)
    solo.run(10)  # the stopped playback's timer is void
    assert len(played(solo.room)) == 2


def test_pickup_stops_playback_and_finishes_the_recording(solo):
    solo.ask("playback", song=song_of((0, 0, 60, 1, 0), (9000, 0, 60, 0, 0)))
    solo.run(0)
    solo.actor.picked_up(solo.now()).get()
    assert played(solo.room)[-1].note_offs == (("KeyA", 60),)
    solo.ask("toggle_record")
    solo.actor.picked_up(solo.now()).get()
    (done,) = finished(solo.room)
    assert done.owner_client_id == "a" and done.reply.event == "record_stopped"


def test_song_format_of_a_recording_matches_build_song(solo):
    solo.ask("toggle_record")
    solo.note("KeyA", 60, True)
    song = solo.ask("stop_record").song
    assert song == build_song([], 0) | {"keys": ["KeyA"], "states": [DEFAULT_VOICE.as_state()],
                                        "events": [[0, 0, 60, 1, 0]]}


# -- in a room -------------------------------------------------------------------------------


@pytest.fixture
def room(tmp_path):
    r = StatefulRoom(tmp_path / "data")
    r.join("a", 1, "ann")
    r.join("b", 2, "bob")
    yield r
    r.close()


def note(room, cid, item_id, key, midi, on):
    room.proxy.handle(cid, "item_piano_note", {"itemId": item_id, "keyId": key, "midi": midi, "on": on}).get()


def test_live_notes_rebroadcast_with_the_current_voice(room):
    piano = room.add("a", "piano")
    room.send("a", "item_update", itemId=piano["id"], params={"instrument": "bass", "attack": 90})
    room.clear()
    note(room, "a", piano["id"], "KeyA", 48, True)
    assert room.packets("a", "item_piano_note") == []
    assert room.packets("b", "item_piano_note") == [{
        "type": "item_piano_note", "itemId": piano["id"], "senderId": "a", "keyId": "KeyA", "midi": 48,
        "on": True, "instrument": "bass", "voiceMode": "mono", "octave": -1, "attack": 2, "decay": 24,
        "release": 18, "brightness": 34, "x": 10, "y": 10, "emitRange": 15}]


def test_held_key_limit_reach_and_permission(room):
    piano = room.add("a", "piano")
    room.clear()
    for i in range(13):
        note(room, "a", piano["id"], f"K{i}", 60 + i, True)
    assert len(room.packets("b", "item_piano_note")) == 12
    note(room, "a", piano["id"], "K0", 60, False)
    note(room, "a", piano["id"], "K12", 72, True)
    assert len(room.packets("b", "item_piano_note")) == 14
    room.send("b", "teleport_complete", x=0, y=0)
    room.clear()
    note(room, "b", piano["id"], "KeyA", 60, True)  # not on the piano's tile
    note(room, "a", "missing", "KeyA", 60, True)
    assert room.packets(None, "item_piano_note") == []


def test_recording_stored_with_the_item_and_played_to_everyone(room):
    piano = room.add("a", "piano")
    pid = piano["id"]
    room.clear()
    room.send("a", "item_piano_recording", itemId=pid, action="toggle_record")
    assert [p["type"] for p in room.packets("a")] == ["item_piano_status", "item_action_result"]
    assert room.packets("a", "item_piano_status")[0]["event"] == "record_started"
    room.clock.advance(0.3)
    note(room, "a", pid, "KeyA", 60, True)
    room.clock.advance(0.2)
    note(room, "a", pid, "KeyA", 60, False)
    room.clear()
    room.send("a", "item_piano_recording", itemId=pid, action="stop_record")
    assert [p["type"] for p in room.packets("a")] == ["item_upsert", "item_piano_status", "item_action_result"]
    item = room.packets("b", "item_upsert")[0]["item"]
    assert item["params"]["songId"] == f"item:{pid}:recording" and item["version"] == 2
    stored = ItemStore().load_songs()[f"item:{pid}:recording"]
    assert stored["events"] == [[300, 0, 60, 1, 0], [500, 0, 60, 0, 0]]
    room.clear()
    room.send("b", "item_piano_recording", itemId=pid, action="playback")
    assert [p["event"] for p in room.packets("b", "item_piano_status")] == ["playback_started"]
    room.advance(0.5)
    for cid in ("a", "b"):
        notes = room.packets(cid, "item_piano_note")
        assert [(n["senderId"], n["keyId"], n["on"]) for n in notes] == [
            (f"item:{pid}:playback", "KeyA", True), (f"item:{pid}:playback", "KeyA", False)]


def test_recording_checks(room):
    piano = room.add("a", "piano")
    dice = room.add("a", "dice")
    room.clear()
    room.send("a", "item_piano_recording", itemId=dice["id"], action="playback")
    assert room.packets("a")[-1] == {"type": "item_action_result", "ok": False, "action": "use",
                                     "message": "Piano not found."}
    room.send("b", "teleport_complete", x=1, y=1)
    room.send("b", "item_piano_recording", itemId=piano["id"], action="toggle_record")
    assert room.packets("b", "item_action_result")[-1] == {
        "type": "item_action_result", "ok": False, "action": "use", "message": "Piano is not on your square.",
        "itemId": piano["id"]}
    room.send("a", "item_piano_recording", itemId=piano["id"], action="playback")
    assert room.packets("a", "item_action_result")[-1]["message"] == "No recording saved on this piano."


def test_delete_discards_recording_and_song(room):
    piano = room.add("a", "piano")
    pid = piano["id"]
    room.send("a", "item_piano_recording", itemId=pid, action="toggle_record")
    room.send("a", "item_piano_recording", itemId=pid, action="stop_record")
    room.send("a", "item_piano_recording", itemId=pid, action="toggle_record")
    assert f"item:{pid}:recording" in ItemStore().load_songs()
    room.send("a", "item_delete", itemId=pid)
    room.clear()
    room.advance(31)
    assert room.packets(None, "item_upsert") == [] and ItemStore().load_songs() == {}
    assert pykka.ActorRegistry.get_by_class(PianoRecorderActor) == []


def test_owner_disconnect_finalises_as_system(room):
    piano = room.add("b", "piano")
    room.send("b", "item_piano_recording", itemId=piano["id"], action="toggle_record")
    room.clear()
    room.proxy.leave("b").get()
    room.settle()
    item = room.packets("a", "item_upsert")[-1]["item"]
    assert item["updatedBy"] == "system" and item["params"]["songId"].endswith(":recording")


def test_recordings_survive_a_room_restart(room):
    piano = room.add("a", "piano")
    pid = piano["id"]
    room.send("a", "item_piano_recording", itemId=pid, action="toggle_record")
    note(room, "a", pid, "KeyA", 60, True)
    room.send("a", "item_piano_recording", itemId=pid, action="stop_record")
    room.stop()
    room.ref.actor_stopped.wait(5)
    room.start()
    room.join("a", 1, "ann")
    room.clear()
    room.send("a", "item_piano_recording", itemId=pid, action="playback")
    room.advance(0.25)
    assert [n["keyId"] for n in room.packets("a", "item_piano_note")] == ["KeyA", "KeyA"]


def test_a_dead_piano_actor_is_replaced_when_needed(room):
    piano = room.add("a", "piano")
    (old,) = pykka.ActorRegistry.get_by_class(PianoRecorderActor)
    old.stop()  # dies behind the room's back
    room.clear()
    room.send("a", "item_piano_recording", itemId=piano["id"], action="toggle_record")
    assert room.packets("a", "item_action_result")[-1]["message"] == "Recording started."
    (new,) = pykka.ActorRegistry.get_by_class(PianoRecorderActor)
    assert new.actor_urn != old.actor_urn
    # Live notes keep flowing to the others meanwhile.
    note(room, "a", piano["id"], "KeyA", 60, True)
    assert room.packets("b", "item_piano_note")
