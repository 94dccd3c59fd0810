"""Spatial voice between two real Chromium pages with fake microphones (client.md §6):
peers in hearing range get a WebRTC connection that carries audio both ways, placed at
the peer's tile; moving apart releases it; revoking voice.send stops the outgoing audio.
Checked through window.__chgridTest (pages loaded with ?test=1), never by listening."""
from __future__ import annotations

import math
import time

import pytest

from conftest import SocketUser

ADMIN = ("root", "rootpass123")
USER_PERMISSIONS = ["chat.send", "item.create", "item.delete.own", "item.edit.own", "item.pickup_drop.own",
                    "item.transfer.own", "item.use", "profile.update_nickname", "voice.send"]
WAIT = 20_000


@pytest.fixture
def voice_pair(new_player):
    alice = new_player(test_mode=True)
    alice.open()
    alice.register("alice")
    bob = new_player(test_mode=True)
    bob.open()
    bob.register("bob")
    alice.wait_for("bob has logged in.")
    alice.page.wait_for_function("window.__chgridTest.peerId('bob') !== null")
    bob.page.wait_for_function("window.__chgridTest.peerId('alice') !== null")
    return alice, bob


def peer_id(player, nickname: str) -> str:
    return player.hook("peerId", nickname)


def wait_state(player, peer: str, state: str, timeout: int = WAIT) -> None:
    player.page.wait_for_function(
        "([id, s]) => window.__chgridTest.peerConnectionState(id) === s", arg=[peer, state], timeout=timeout,
    )


def stats(player, peer: str) -> dict:
    return player.hook("peerStats", peer)


def wait_flowing(player, peer: str) -> dict:
    """Wait until audio bytes and energy from `peer` arrive, and keep arriving."""
    player.page.wait_for_function(
        """async (id) => { const s = await window.__chgridTest.peerStats(id);
                           return s && s.bytesReceived > 2000 && s.totalAudioEnergy > 0; }""",
        arg=peer, timeout=WAIT, polling=250,
    )
    first = stats(player, peer)
    time.sleep(1.0)
    second = stats(player, peer)
    assert second["bytesReceived"] > first["bytesReceived"], (first, second)
    return second


def place_pair(alice, bob, a: tuple[int, int], b: tuple[int, int]) -> None:
    alice.place(*a)
    bob.place(*b)
    alice.sees("bob", *b)
    bob.sees("alice", *a)


def test_voice_in_range_connects_carries_audio_is_placed_and_released(voice_pair):
    alice, bob = voice_pair
    place_pair(alice, bob, (10, 10), (13, 14))
    bob_id, alice_id = peer_id(alice, "bob"), peer_id(bob, "alice")
    wait_state(alice, bob_id, "connected")
    wait_state(bob, alice_id, "connected")
    wait_flowing(alice, bob_id)
    wait_flowing(bob, alice_id)
    # Exactly one connection each: the smaller client id offered, the other answered.
    assert alice.hook("connectedPeers") == [bob_id]
    assert bob.hook("connectedPeers") == [alice_id]

    # The voice is placed at the peer's tile: 5 squares away, 3 east / 3 west (§5.2).
    alice.page.wait_for_function("(id) => window.__chgridTest.peerGain(id) !== null", arg=bob_id)
    bob.page.wait_for_function("(id) => window.__chgridTest.peerGain(id) !== null", arg=alice_id)
    expected_gain = 0.75 ** 2 * (3 - 2 * 0.75)
    expected_pan = math.sin(3 / 20 * math.pi / 2)
    assert alice.hook("peerGain", bob_id) == pytest.approx(expected_gain)
    assert alice.hook("peerPan", bob_id) == pytest.approx(expected_pan)
    assert bob.hook("peerGain", alice_id) == pytest.approx(expected_gain)
    assert bob.hook("peerPan", alice_id) == pytest.approx(-expected_pan)

    # The user list's volume (Right = +0.05) scales the gain; mono centres the pan.
    alice.do("Shift+L", "2 users, 1 other. bob, volume 1,")
    alice.do("ArrowRight", "bob volume 1.05.")
    alice.do("Escape", "Exit list mode.")
    assert alice.hook("peerGain", bob_id) == pytest.approx(expected_gain * 1.05)
    alice.do("Shift+M", "Mono output.")
    assert alice.hook("peerPan", bob_id) == 0
    alice.do("Shift+M", "Stereo output.")
    assert alice.hook("peerPan", bob_id) == pytest.approx(expected_pan)

    # Walking right up to the peer: the near field plays at full gain.
    bob.place(11, 11)
    alice.sees("bob", 11, 11)
    alice.page.wait_for_function("(id) => window.__chgridTest.peerGain(id) === 1.05", arg=bob_id)

    # Apart beyond hearing range: both sides release the connection.
    bob.place(40, 40)
    alice.sees("bob", 40, 40)
    wait_state(alice, bob_id, "none")
    wait_state(bob, alice_id, "none")
    assert alice.hook("connectedPeers") == [] and bob.hook("connectedPeers") == []

    # Back within range: a new connection comes up and carries audio again.
    bob.place(12, 10)
    alice.sees("bob", 12, 10)
    wait_state(alice, bob_id, "connected")
    wait_state(bob, alice_id, "connected")
    wait_flowing(alice, bob_id)


def test_voice_connects_only_within_hearing_range(voice_pair):
    alice, bob = voice_pair
    place_pair(alice, bob, (0, 0), (30, 30))
    bob_id = peer_id(alice, "bob")
    time.sleep(2)
    assert alice.hook("peerConnectionState", bob_id) == "none"
    assert bob.hook("connectedPeers") == []
    # On the border (distance exactly 20) they connect.
    bob.place(12, 16)
    alice.sees("bob", 12, 16)
    wait_state(alice, bob_id, "connected")


@pytest.mark.admin_account(*ADMIN)
def test_revoking_voice_send_stops_outbound_audio(voice_pair, server):
    alice, bob = voice_pair
    place_pair(alice, bob, (20, 20), (21, 20))
    bob_id, alice_id = peer_id(alice, "bob"), peer_id(bob, "alice")
    wait_state(alice, bob_id, "connected")
    wait_flowing(alice, bob_id)
    wait_flowing(bob, alice_id)

    admin = SocketUser(server, *ADMIN, login=True)
    try:
        admin.send({"type": "admin_role_create", "name": "silent"})
        assert admin.wait("admin_action_result")["ok"]
        admin.send({"type": "admin_role_update_permissions", "role": "silent",
                    "permissions": [p for p in USER_PERMISSIONS if p != "voice.send"]})
        assert admin.wait("admin_action_result")["ok"]
        admin.send({"type": "admin_user_set_role", "username": "bob", "role": "silent"})
        bob.wait_for("Voice send permission revoked.")
        mic = bob.hook("mic")
        assert mic["sendAllowed"] is False and mic["trackEnabled"] is False
        bob.do("m", "Voice send is disabled for this account.")

        # Bob's outgoing RTP stops: alice's received byte count stands still ...
        time.sleep(1.0)
        before = stats(alice, bob_id)
        time.sleep(1.5)
        after = stats(alice, bob_id)
        assert after["bytesReceived"] == before["bytesReceived"], (before, after)
        # ... while alice's voice still reaches bob (the connection is not torn down).
        wait_flowing(bob, alice_id)
        assert alice.hook("peerConnectionState", bob_id) == "connected"

        admin.send({"type": "admin_user_set_role", "username": "bob", "role": "user"})
        bob.wait_for("Voice send permission granted.")
        wait_flowing(alice, bob_id)
    finally:
        admin.close()


def test_mute_loopback_effects_and_layers(voice_pair):
    alice, bob = voice_pair
    alice.do("m", "Muted.")
    assert alice.hook("mic")["trackEnabled"] is False
    alice.do("m", "Unmuted.")
    assert alice.hook("mic")["trackEnabled"] is True
    alice.do("Shift+1", "Loopback on.")
    assert alice.hook("mic")["loopback"] is True
    alice.do("Shift+1", "Loopback off.")

    alice.do("e", "Effects. Off.")
    alice.audit("voice effect menu")
    alice.do("ArrowUp", "Low Pass")
    alice.page.keyboard.press("Enter")  # says "Low Pass" again (within 300 ms the announcer skips repeats)
    alice.page.wait_for_function("window.__chgridTest.mic().effect === 'low_pass'")
    alice.do("Shift+Equal", "Low Pass 55")
    alice.do("Shift+Minus", "Low Pass 50")
    assert alice.hook("tones")[-1] == "effectDefault"
    alice.do("e", "Effects. Low Pass.")
    alice.do("Escape", "Cancelled.")
    assert alice.hook("mode") == "normal"

    alice.do("v", "Microphone gain. 2.")
    alice.audit("microphone gain editor")
    assert alice.hook("mic")["loopback"] is True  # heard while editing
    alice.do("ArrowUp", "2.05")
    alice.do("PageDown", "1.55")
    alice.do("Enter", "Microphone gain set to 1.55.")
    assert alice.hook("mic")["loopback"] is False
    assert alice.page.evaluate("localStorage.getItem('chatGridMicInputGain')") == "1.55"
    alice.do("v", "Microphone gain. 1.55.")
    alice.page.keyboard.type("9")
    alice.do("Enter", "Volume must be between 0.5 and 4.")

    # Calibration listens to the (fake, beeping) microphone for 5 seconds.
    alice.do("Shift+V", "Speak for 5 seconds to calibrate your audio.")
    line = alice.wait_for_match(r"^Mic calibration set to ([0-9.]+)x\.$", timeout=10_000)
    assert 0.5 <= float(line.group(1)) <= 4
    assert alice.page.evaluate("Number(localStorage.getItem('chatGridMicInputGain'))") == float(line.group(1))

    alice.do("1", "Voice layer off.")
    alice.page.wait_for_function("window.__chgridTest.layerGains().voice < 0.01")
    alice.do("1", "Voice layer on.")
    alice.page.wait_for_function("window.__chgridTest.layerGains().voice > 0.99")
