"""Piano mode (client.md §4.4) between two browsers: notes played by alice reach bob's
synth (instrument, octave and envelope from the piano), recording and playback are driven
from the keyboard and played back to both, the demo song is heard by others, and the
piano help and piano mode pass an axe-core audit. Checked through window.__chgridTest."""
from __future__ import annotations


def notes(player, **match) -> list[dict]:
    return [n for n in player.hook("synthNotes") if all(n.get(k) == v for k, v in match.items())]


def wait_note(player, timeout: int = 10_000, **match) -> dict:
    player.page.wait_for_function(
        """(m) => window.__chgridTest.synthNotes().some(n => Object.entries(m).every(([k, v]) => n[k] === v))""",
        arg=match, timeout=timeout,
    )
    return notes(player, **match)[-1]


def test_piano_notes_recording_playback_and_demo(new_player):
    alice = new_player(test_mode=True)
    alice.open()
    alice.register("alice")
    bob = new_player(test_mode=True)
    bob.open()
    bob.register("bob")
    alice.wait_for("bob has logged in.")
    # alice places her own piano (only its creator may change its instrument and octave)
    alice.place(12, 12)
    alice.do("a", "Add item. clock")
    alice.do("p", "piano")
    alice.do("Enter", "You placed piano (piano) at 12, 12.")
    piano = alice.page.evaluate("[...chgrid.game.state.items.values()].find(i => i.type === 'piano')")
    bob.place(piano["x"], piano["y"])
    alice_id = bob.hook("peerId", "alice")

    alice.do("Enter", "using piano, press question mark for help.")
    alice.wait_for("You begin playing piano.")
    assert alice.hook("mode") == "piano"
    alice.audit("piano mode")

    # A key: the local synth plays it and bob's synth gets it from the server.
    alice.page.keyboard.down("a")
    local = wait_note(alice, source="local", midi=60)
    assert local["instrument"] == "piano"
    remote = wait_note(bob, source="remote", senderId=alice_id, midi=60)
    assert remote["itemId"] == piano["id"] and remote["instrument"] == "piano"
    assert remote["gain"] == 1  # same square
    bob.page.wait_for_function("(k) => window.__chgridTest.soundingNotes().includes(k)",
                               arg=f"{alice_id}:{piano['id']}:KeyA")
    alice.page.keyboard.up("a")
    bob.page.wait_for_function("(k) => !window.__chgridTest.soundingNotes().includes(k)",
                               arg=f"{alice_id}:{piano['id']}:KeyA")

    # Octave up, then a sharp key; then the organ (its defaults reset the octave).
    alice.do("Equal", "octave 1.")
    alice.page.wait_for_function("(id) => chgrid.game.state.items.get(id).params.octave === 1", arg=piano["id"])
    alice.page.keyboard.press("w")
    wait_note(bob, source="remote", midi=73)
    alice.do("4", "Instrument organ.")
    alice.page.wait_for_function("(id) => chgrid.game.state.items.get(id).params.instrument === 'organ'",
                                 arg=piano["id"])
    alice.page.keyboard.press("d")
    assert wait_note(bob, source="remote", midi=64)["instrument"] == "organ"

    # Record three notes, stop, play back: both hear the playback.
    alice.do("z", "Recording started.")
    assert alice.hook("recordingState") == "recording"
    alice.do("x", "Stop recording before playback.")  # no local refusal: the server answers
    for key in ("a", "s", "d"):
        alice.page.keyboard.press(key)
        alice.page.wait_for_timeout(150)
    cancels = alice.hook("tones").count("cancel")
    alice.do("c", "Recording stopped.")
    assert "Stopped piano playback and recording." in alice.said()
    assert alice.hook("tones").count("cancel") == cancels + 1
    assert alice.hook("recordingState") == "idle"
    alice.page.wait_for_function("(id) => chgrid.game.state.items.get(id).params.songId.startsWith('item:')",
                                 arg=piano["id"])
    alice.do("x", "Playback started.")
    playback = f"item:{piano['id']}:playback"
    for midi in (60, 62, 64):
        wait_note(bob, source="playback", senderId=playback, midi=midi)
        wait_note(alice, source="playback", senderId=playback, midi=midi)

    # The demo song: played locally and sent, so bob hears it too.
    alice.do("Enter", "demo play")
    bob.page.wait_for_function(
        "() => window.__chgridTest.synthNotes().some(n => n.key.includes(':__piano_demo_'))")
    alice.do("c", "Playback stopped.")

    # Piano help, then leaving.
    alice.do("Shift+Slash", "Playing")
    alice.audit("piano help")
    alice.do("ArrowDown", "A S D F G H J K L Semicolon Quote:")
    alice.do("Escape", "Closed help.")
    assert alice.hook("mode") == "piano"
    alice.do("Escape", "Stopped piano.")
    assert alice.hook("mode") == "normal"

    # With the item layer off, remote notes are ignored.
    bob.do("2", "Item layer off.")
    before = len(notes(bob, source="remote"))
    alice.do("Enter", "using piano, press question mark for help.")
    alice.page.keyboard.press("g")
    wait_note(alice, source="local", midi=67)
    alice.page.wait_for_timeout(500)
    assert len(notes(bob, source="remote")) == before
    alice.do("Escape", "Stopped piano.")
