"""Clock, radio and piano over real websockets: two users, a real server, a real ICY stream."""
from __future__ import annotations

import time

import pytest

from chgrid.items.types.clock.actions import announcement_for
from tests.icy_stream import IcyStreamServer
from tests.support import Client, ServerProcess, register

LAN = {"CHGRID_RADIO_ALLOW_PRIVATE_NETWORKS": "1", "CHGRID_RADIO_POLL_INTERVAL_S": "0.5"}


@pytest.fixture(scope="module")
def icy():
    with IcyStreamServer() as server:
        yield server


@pytest.fixture
def lan_server(tmp_path, icy):
    icy.station_name, icy.title = "Test FM", "Artist - Song"
    server = ServerProcess(tmp_path / "data", env=LAN).start()
    yield server
    server.stop()


def pair(server, x=20, y=20):
    """Two users standing on the same tile; returns (a, b, id of a, id of b)."""
    a, _, wa = register(server, "anna")
    b, _, wb = register(server, "ben")
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
    a, b, aid, _ = pair(lan_server)
    clock = add(a, [b], "clock")
    for params in ({}, {"use24Hour": True, "timeZone": "Asia/Kathmandu"}):
        if params:
            clock = update(a, [b], clock["id"], **params)
        before = announcement_for(clock["params"], int(time.time() * 1000))
        a.send({"type": "item_use", "itemId": clock["id"]})
        after = announcement_for(clock["params"], int(time.time() * 1000))
        for client in (a, b):
            packet = client.expect("item_clock_announce")
            assert packet["sounds"] in (before, after)
            assert (packet["x"], packet["y"], packet["range"]) == (20, 20, 10)
        assert a.expect("item_action_result") == {"type": "item_action_result", "ok": True,
                                                  "action": "use", "message": "", "itemId": clock["id"]}
        time.sleep(1.05)  # the clock's use cooldown


# -- radio ------------------------------------------------------------------------------


def test_radio_metadata_reaches_both_and_follows_the_stream(lan_server, icy):
    a, b, _, _ = pair(lan_server)
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
    env = {"CHGRID_RADIO_POLL_INTERVAL_S": "0.5"}
    server = ServerProcess(tmp_path / "data", env=env).start()
    try:
        a, b, _, _ = pair(server)
        radio = add(a, [b], "radio_station")
        hits = icy.hits["/stream"]
        update(a, [b], radio["id"], streamUrl=icy.url())
        time.sleep(2.0)  # the edit polls at once, then every 0.5 s
        b.nothing(0.2)  # no metadata upsert: the failure leaves both fields empty
        b.send({"type": "item_secondary_use", "itemId": radio["id"]})
        assert b.expect("item_action_result")["message"] == "No now playing data."
        assert icy.hits["/stream"] == hits  # never contacted
        assert "refused" in server.log()
    finally:
        server.stop()


# -- piano ------------------------------------------------------------------------------


def test_live_notes_go_to_others_with_the_piano_voice(lan_server):
    a, b, aid, _ = pair(lan_server)
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
        "release": 45, "brightness": 48, "x": 20, "y": 20, "emitRange": 15}
    a.nothing(0.3)  # never echoed to the player


def test_record_then_playback_to_everyone_with_the_recorded_timing(lan_server):
    a, b, _, _ = pair(lan_server)
    piano = add(a, [b], "piano")
    pid = piano["id"]
    a.send({"type": "item_piano_recording", "itemId": pid, "action": "toggle_record"})
    assert a.expect("item_piano_status")["event"] == "record_started"
    assert a.next()["message"] == "Recording started."
    for on in (True, False):
        a.send({"type": "item_piano_note", "itemId": pid, "keyId": "KeyA", "midi": 60, "on": on})
        b.expect("item_piano_note", on=on)
        time.sleep(0.4)
    b.send({"type": "item_piano_recording", "itemId": pid, "action": "toggle_record"})
    assert b.expect("item_action_result")["message"] == "This piano is already recording."
    a.send({"type": "item_piano_recording", "itemId": pid, "action": "stop_record"})
    item = a.expect("item_upsert")["item"]
    assert item["params"]["songId"] == f"item:{pid}:recording" and item["version"] == 2
    assert a.next() == {"type": "item_piano_status", "itemId": pid, "event": "record_stopped",
                        "recordingState": "idle"}
    assert a.next()["message"] == "Recording stopped."
    b.expect("item_upsert")
    b.send({"type": "item_piano_recording", "itemId": pid, "action": "playback"})
    assert b.expect("item_piano_status")["event"] == "playback_started"
    arrivals = {}
    for client, name in ((a, "a"), (b, "b")):
        on = client.expect("item_piano_note", on=True, senderId=f"item:{pid}:playback")
        arrivals[name] = [time.monotonic()]
        off = client.expect("item_piano_note", on=False, senderId=f"item:{pid}:playback")
        arrivals[name].append(time.monotonic())
        assert on["keyId"] == off["keyId"] == "KeyA"
    # Recorded 400 ms apart; b read its notes after a's, so only a's gap is meaningful.
    assert 0.2 < arrivals["a"][1] - arrivals["a"][0] < 1.0


# -- restart ------------------------------------------------------------------------------


def test_clocks_radios_and_recordings_survive_restarts(tmp_path, icy):
    icy.station_name, icy.title = "Test FM", "Before - Restart"
    server = ServerProcess(tmp_path / "data", env=LAN).start()
    try:
        a, b, _, _ = pair(server)
        clock = add(a, [b], "clock")
        radio = add(a, [b], "radio_station")
        update(a, [b], radio["id"], streamUrl=icy.url())
        metadata_upsert(a, "Before - Restart")
        piano = add(a, [b], "piano")
        pid = piano["id"]
        a.send({"type": "item_piano_recording", "itemId": pid, "action": "toggle_record"})
        a.expect("item_action_result", message="Recording started.")
        a.send({"type": "item_piano_note", "itemId": pid, "keyId": "KeyJ", "midi": 67, "on": True})
        time.sleep(0.1)
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
