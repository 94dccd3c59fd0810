"""Clock, radio and piano over real websockets: two users, a real server, a real ICY stream.

The clock, radio and piano tests share one server that may read streams on the local
network (``lan_server``). Each test stands on a corner of its own, 30 tiles from the
others: the radios poll only while someone is within their range (10), and pianos sound
within 15. The refused-stream test (other settings) and the restart test have servers
of their own.
"""
from __future__ import annotations

import json
import time

import pytest

from chgrid.items.types.clock.actions import announcement_for
from tests.icy_stream import IcyStreamServer
from tests.support import Client, ServerProcess, own_peer, register, settle, unique

LAN = {"CHGRID_RADIO_ALLOW_PRIVATE_NETWORKS": "1", "CHGRID_RADIO_POLL_INTERVAL_S": "0.5"}


@pytest.fixture(scope="module")
def icy():
    with IcyStreamServer() as server:
        yield server


@pytest.fixture(scope="module")
def lan_module_server(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("lan") / "data", env=LAN).start()
    yield server
    server.stop()


@pytest.fixture
def lan_server(lan_module_server, icy):
    """The module's LAN server for one test (see ``tests.support.own_peer``)."""
    icy.station_name, icy.title = "Test FM", "Artist - Song"
    with own_peer(lan_module_server):
        yield lan_module_server


def pair(server, x=20, y=20, names=None):
    """Two users (new names unless given) standing on the same tile; returns (a, b, id
    of a, id of b)."""
    anna, ben = names or (unique("anna"), unique("ben"))
    a, _, wa = register(server, anna)
    b, _, wb = register(server, ben)
    for client in (a, b):
        client.send({"type": "teleport_complete", "x": x, "y": y})
    a.expect("update_position", id=wb["id"])
    b.expect("update_position", id=wa["id"])
    return a, b, wa["id"], wb["id"]


def add(actor, others, item_type):
    actor.send({"type": "item_add", "itemType": item_type})
    item = actor.expect("item_upsert")["item"]
    for other in others:
        other.expect("item_upsert", timeout=5)
    actor.expect("item_action_result", action="add")
    return item


def update(actor, others, item_id, **params):
    actor.send({"type": "item_update", "itemId": item_id, "params": params})
    item = actor.expect("item_upsert")["item"]
    for other in others:
        other.expect("item_upsert")
    assert actor.expect("item_action_result", action="update")["ok"]
    return item


def metadata_upsert(client, title, timeout=10.0):
    """The next item_upsert whose nowPlaying is ``title``."""
    deadline = time.monotonic() + timeout
    while True:
        item = client.expect("item_upsert", timeout=max(0.1, deadline - time.monotonic()))["item"]
        if item["params"].get("nowPlaying") == title:
            return item


# -- clock ------------------------------------------------------------------------------


def test_clock_use_announces_to_both(lan_server):
    a, b, aid, _ = pair(lan_server, 5, 5)
    # Two clocks, one as added and one edited, each used once: no waiting out the use
    # cooldown (1 s) of one clock between its two uses.
    plain = add(a, [b], "clock")
    edited = update(a, [b], add(a, [b], "clock")["id"], use24Hour=True, timeZone="Asia/Kathmandu")
    for clock in (plain, edited):
        before = announcement_for(clock["params"], int(time.time() * 1000))
        a.send({"type": "item_use", "itemId": clock["id"]})
        after = announcement_for(clock["params"], int(time.time() * 1000))
        for client in (a, b):
            packet = client.expect("item_clock_announce", itemId=clock["id"])
            assert packet["sounds"] in (before, after)
            assert (packet["x"], packet["y"], packet["range"]) == (5, 5, 10)
        assert a.expect("item_action_result") == {"type": "item_action_result", "ok": True,
                                                  "action": "use", "message": "", "itemId": clock["id"]}
    # A clock left on the shared server would announce the hour to everyone in later tests.
    for clock in (plain, edited):
        a.send({"type": "item_delete", "itemId": clock["id"]})
        assert a.expect("item_action_result", action="delete")["ok"]


# -- radio ------------------------------------------------------------------------------


def test_radio_metadata_reaches_both_and_follows_the_stream(lan_server, icy):
    a, b, _, _ = pair(lan_server, 35, 5)
    radio = add(a, [b], "radio_station")
    update(a, [b], radio["id"], streamUrl=icy.url())
    for client in (a, b):
        item = metadata_upsert(client, "Artist - Song")
        assert item["params"]["stationName"] == "Test FM" and item["updatedBy"] == "system"
    b.send({"type": "item_secondary_use", "itemId": radio["id"]})
    assert b.expect("item_action_result")["message"] == "Playing Artist - Song from Test FM."
    icy.title = "Next - Track"
    for client in (a, b):
        assert metadata_upsert(client, "Next - Track")["params"]["stationName"] == "Test FM"
    # A failing stream clears what was known (items.md §10.4).
    update(a, [b], radio["id"], streamUrl=icy.url("/error"))
    item = metadata_upsert(b, "")
    assert item["params"]["stationName"] == ""


def test_loopback_stream_refused_without_the_switch(tmp_path, icy):
    # upstream-0.1.md §13.1: a stream URL on a private address is refused when set, so
    # no poll is ever made (stored URLs are checked again by the poller on every fetch:
    # tests/test_radio_poller.py).
    server = ServerProcess(tmp_path / "data", env={"CHGRID_RADIO_POLL_INTERVAL_S": "0.5"}).start()
    try:
        a, b, _, _ = pair(server)
        radio = add(a, [b], "radio_station")
        hits = icy.hits["/stream"]
        a.send({"type": "item_update", "itemId": radio["id"], "params": {"streamUrl": icy.url()}})
        result = a.expect("item_action_result", action="update")
        assert (result["ok"], result["message"]) == (False, "streamUrl must resolve to a public IP address.")
        for url, message in (("ftp://radio.example/a", "streamUrl must use http or https."),
                             ("http://u:p@8.8.8.8/a", "streamUrl must not include credentials."),
                             ("//8.8.8.8/a", "streamUrl must use http or https when specifying a host.")):
            a.send({"type": "item_update", "itemId": radio["id"], "params": {"streamUrl": url}})
            assert a.expect("item_action_result", action="update")["message"] == message
        assert [p for p in settle(b) if p["type"] == "item_upsert"] == []  # nothing changed
        assert icy.hits["/stream"] == hits  # never contacted
    finally:
        server.stop()


# -- piano ------------------------------------------------------------------------------


def test_live_notes_go_to_others_with_the_piano_voice(lan_server):
    a, b, aid, _ = pair(lan_server, 5, 35)
    piano = add(a, [b], "piano")
    a.send({"type": "item_use", "itemId": piano["id"]})
    assert a.expect("item_piano_status") == {"type": "item_piano_status", "itemId": piano["id"],
                                             "event": "use_mode_entered", "recordingState": "idle"}
    assert a.next()["type"] == "item_action_result"
    update(a, [b], piano["id"], instrument="organ")
    a.send({"type": "item_piano_note", "itemId": piano["id"], "keyId": "KeyA", "midi": 60, "on": True})
    assert b.expect("item_piano_note") == {
        "type": "item_piano_note", "itemId": piano["id"], "senderId": aid, "keyId": "KeyA", "midi": 60,
        "on": True, "instrument": "organ", "voiceMode": "poly", "octave": 0, "attack": 25, "decay": 70,
        "release": 45, "brightness": 48, "x": 5, "y": 35, "emitRange": 15}
    assert settle(a) == []  # never echoed to the player


def stored_song(server, song_id: str) -> dict:
    """A finished recording as the server stored it (read from its database)."""
    ((data,),) = server.sql("SELECT data FROM piano_songs WHERE song_id = ?", (song_id,))
    return json.loads(data)


def test_record_then_playback_to_everyone_with_the_recorded_timing(lan_server):
    a, b, _, _ = pair(lan_server, 35, 35)
    piano = add(a, [b], "piano")
    pid = piano["id"]
    a.send({"type": "item_piano_recording", "itemId": pid, "action": "toggle_record"})
    assert a.expect("item_piano_status")["event"] == "record_started"
    assert a.next()["message"] == "Recording started."
    a.send({"type": "item_piano_note", "itemId": pid, "keyId": "KeyA", "midi": 60, "on": True})
    b.expect("item_piano_note", on=True)
    # Real time must pass between the notes: the server process times the recording by
    # its own clock, which a test cannot move.
    time.sleep(0.4)
    a.send({"type": "item_piano_note", "itemId": pid, "keyId": "KeyA", "midi": 60, "on": False})
    b.expect("item_piano_note", on=False)
    b.send({"type": "item_piano_recording", "itemId": pid, "action": "toggle_record"})
    assert b.expect("item_action_result")["message"] == "This piano is already recording."
    a.send({"type": "item_piano_recording", "itemId": pid, "action": "stop_record"})
    item = a.expect("item_upsert")["item"]
    assert item["params"]["songId"] == f"item:{pid}:recording" and item["version"] == 2
    assert a.next() == {"type": "item_piano_status", "itemId": pid, "event": "record_stopped",
                        "recordingState": "idle"}
    assert a.next()["message"] == "Recording stopped."
    b.expect("item_upsert")
    # The server received the note-off at least 400 ms after the note-on (b had the
    # note-on before the pause began), and stored that.
    (on_at, *_), (off_at, *_) = stored_song(lan_server, item["params"]["songId"])["events"]
    assert off_at - on_at >= 400
    b.send({"type": "item_piano_recording", "itemId": pid, "action": "playback"})
    assert b.expect("item_piano_status")["event"] == "playback_started"
    player = f"item:{pid}:playback"
    for client in (a, b):
        assert client.expect("item_piano_note", on=True, senderId=player)["keyId"] == "KeyA"
    # The note-off keeps its recorded distance: it is not sent with the note-on, so the
    # room answers a round trip first (far shorter than 400 ms).
    assert [p for p in settle(a) if p["type"] == "item_piano_note"] == []
    for client in (a, b):
        assert client.expect("item_piano_note", on=False, senderId=player)["keyId"] == "KeyA"


# -- restart ------------------------------------------------------------------------------


def test_clocks_radios_and_recordings_survive_restarts(tmp_path, icy):
    icy.station_name, icy.title = "Test FM", "Before - Restart"
    server = ServerProcess(tmp_path / "data", env=LAN).start()
    try:
        a, b, _, _ = pair(server, names=("anna", "ben"))
        clock = add(a, [b], "clock")
        radio = add(a, [b], "radio_station")
        update(a, [b], radio["id"], streamUrl=icy.url())
        metadata_upsert(a, "Before - Restart")
        piano = add(a, [b], "piano")
        pid = piano["id"]
        a.send({"type": "item_piano_recording", "itemId": pid, "action": "toggle_record"})
        a.expect("item_action_result", message="Recording started.")
        # The note and the stop reach the recorder in the order they were sent.
        a.send({"type": "item_piano_note", "itemId": pid, "keyId": "KeyJ", "midi": 67, "on": True})
        a.send({"type": "item_piano_recording", "itemId": pid, "action": "stop_record"})
        a.expect("item_action_result", message="Recording stopped.")
        for client in (a, b):
            client.close()

        for restart in (server.stop, server.kill):
            restart()
            icy.title = f"After - {restart.__name__}"
            server.start()
            c, _, welcome = login_at(server, "anna", 20, 20)
            items = {i["id"]: i for i in welcome["items"]}
            assert items[clock["id"]]["type"] == "clock"
            assert items[radio["id"]]["params"]["streamUrl"] == icy.url()
            assert items[pid]["params"]["songId"] == f"item:{pid}:recording"
            # The actors run again: the poller picks up the new title, playback plays.
            metadata_upsert(c, f"After - {restart.__name__}")
            c.send({"type": "item_piano_recording", "itemId": pid, "action": "playback"})
            c.expect("item_action_result", message="Playback started.")
            assert c.expect("item_piano_note", keyId="KeyJ", on=True)["midi"] == 67
            assert c.expect("item_piano_note", keyId="KeyJ", on=False)  # note-off at the end
            c.send({"type": "item_use", "itemId": clock["id"]})
            assert c.expect("item_clock_announce")["itemId"] == clock["id"]
            c.close()
    finally:
        server.stop()


def login_at(server, username, x, y):
    client = Client(server.ws_url)
    client.expect("auth_required")
    client.send({"type": "auth_login", "username": username, "password": "password123"})
    result = client.expect("auth_result")
    assert result["ok"], result
    welcome = client.expect("welcome")
    client.send({"type": "teleport_complete", "x": x, "y": y})
    client.expect("update_position")
    return client, result, welcome
