"""What the client sets up to be heard, checked through window.__chgridTest (?test=1):
world sounds of others, the clock's speech samples requested in order, use sounds, the
clock's ticking loop, widget loops with their rate and effect, and radios sharing one
started <audio> element per stream URL (served by a small local HTTP server)."""
from __future__ import annotations

import http.server
import threading
import time

import pytest

from conftest import ROOT, ServerProcess, SocketUser, free_port

SOUNDS = ROOT / "web" / "sounds"


@pytest.fixture
def server(tmp_path):
    """The usual server, allowed to poll radio streams on 127.0.0.1."""
    proc = ServerProcess(free_port(), tmp_path / "data", tmp_path / "server.log",
                         env={"CHGRID_RADIO_ALLOW_PRIVATE_NETWORKS": "1"})
    proc.start()
    yield proc
    proc.stop()


class StreamHandler(http.server.BaseHTTPRequestHandler):
    """/cors/… and /plain/… serve a few seconds of Ogg audio, with and without CORS."""

    requests: list[str] = []

    stop = threading.Event()

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.requests.append(self.path)
        body = (SOUNDS / "logon.ogg").read_bytes() + (SOUNDS / "notify.ogg").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "audio/ogg")
        self.send_header("icy-name", "Test FM")
        if self.path.startswith("/cors/"):
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        # Long enough (about half a minute) that the element is still playing when a
        # slow run looks at it; two short files would end and pause it first.
        for _ in range(15):
            if self.stop.is_set():
                break
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def stream_server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), StreamHandler)
    httpd.daemon_threads = True
    StreamHandler.requests = []
    StreamHandler.stop.clear()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    StreamHandler.stop.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def hook_pair(new_player):
    alice = new_player(test_mode=True)
    alice.open()
    alice.register("alice")
    bob = new_player(test_mode=True)
    bob.open()
    bob.register("bob")
    alice.wait_for("bob has logged in.")
    return alice, bob


def requested(player) -> list[str]:
    return player.hook("requestedSamples")


def wait_requested(player, url: str, timeout: int = 10_000) -> None:
    player.page.wait_for_function("(u) => window.__chgridTest.requestedSamples().includes(u)", arg=url, timeout=timeout)


class Maker:
    """A websocket user who places and configures items, moving one square at a time."""

    def __init__(self, server, name="maker"):
        self.user = SocketUser(server, name)
        player = self.user.welcome["player"]
        self.x, self.y = player["x"], player["y"]
        self.size = self.user.welcome["worldConfig"]["gridSize"]
        self.dx = 1 if self.x < self.size - 4 else -1

    def step(self, back: bool = False) -> None:
        """One square east (or west near the edge), or `back`; returns when the server echoed it."""
        self.x += -self.dx if back else self.dx
        time.sleep(0.3)
        self.user.send({"type": "update_position", "x": self.x, "y": self.y})
        while True:
            packet = self.user.wait("update_position")
            if packet["x"] == self.x and packet["y"] == self.y:
                return

    def add(self, item_type: str, **params) -> dict:
        item = self.user.add_item(item_type)
        if params:
            self.add_params(item, **params)
        return item

    def add_params(self, item: dict, **params) -> None:
        self.user.send({"type": "item_update", "itemId": item["id"], "params": params})
        result = self.user.wait("item_action_result")
        assert result["ok"], result

    def close(self):
        self.user.close()


def test_world_sounds_of_others(hook_pair):
    alice, bob = hook_pair
    assert "sounds/logon.ogg" in requested(bob)
    alice.place(20, 20)
    bob.place(22, 20)
    alice.sees("bob", 22, 20)
    alice.hook("clearRequests")
    bob.step("ArrowUp", (22, 21))
    alice.page.wait_for_function(
        "window.__chgridTest.requestedSamples().some(u => /^sounds\\/step-([1-9]|1[01])\\.ogg$/.test(u))")
    bob.place(25, 25)
    wait_requested(alice, "sounds/teleport.ogg")
    bob.type_line("n", "Nickname edit: bob", "bobby")
    alice.wait_for("bob is now known as bobby.")
    wait_requested(alice, "sounds/notify.ogg")
    alice.do("4", "World layer off.")
    alice.hook("clearRequests")
    bob.step("ArrowUp", (25, 26))
    alice.sees("bobby", 25, 26)
    time.sleep(0.3)
    assert not [u for u in requested(alice) if "step-" in u], "no world sounds with the world layer off"
    alice.do("4", "World layer on.")
    bob.page.get_by_role("button", name="Disconnect").click()
    alice.wait_for("bobby has logged out.")
    wait_requested(alice, "sounds/logout.ogg")


def test_clock_speaks_in_order_ticks_and_dice_roll(hook_pair, server):
    alice, _ = hook_pair
    maker = Maker(server)
    try:
        clock = maker.add("clock")
        maker.step()
        dice = maker.add("dice")
        alice.place(clock["x"], clock["y"])
        # The clock's ticking loop runs while we are in its range.
        alice.page.wait_for_function(
            """() => window.__chgridTest.emitElements().some(e => e.url === 'sounds/clock.ogg' && e.started && !e.paused)""")
        alice.hook("clearRequests")
        alice.page.keyboard.press("Enter")  # use the clock on our square
        sounds = maker.user.wait("item_clock_announce")["sounds"]
        expected = [s.lstrip("/") for s in sounds]
        assert expected[0] == "sounds/clock/el640/its.ogg"
        alice.page.wait_for_function(
            "(n) => window.__chgridTest.requestedSamples().filter(u => u.startsWith('sounds/clock/el640/')).length >= n",
            arg=len(expected))
        assert [u for u in requested(alice) if u.startswith("sounds/clock/el640/")] == expected
        for url in expected:
            assert (ROOT / "web" / url).exists(), url

        alice.place(dice["x"], dice["y"])
        alice.hook("clearRequests")
        alice.do_match("Enter", r"^You rolled Dice: ")
        wait_requested(alice, "sounds/roll.ogg")
        # The clock's speech and the dice's use sound were handled: the console says nothing else.
        unhandled = [line for line in alice.console if "not handled" in line or "ignored server packet" in line]
        assert not unhandled, unhandled

        alice.do("2", "Item layer off.")
        alice.page.wait_for_function("window.__chgridTest.emitElements().length === 0")
        alice.do("2", "Item layer on.")
        alice.page.wait_for_function("window.__chgridTest.emitElements().length === 1")
        # Far away the loop is dropped (beyond range 10 + 8).
        alice.place(max(0, clock["x"] - 20) if clock["x"] >= 20 else clock["x"] + 20, clock["y"])
        alice.page.wait_for_function("window.__chgridTest.emitElements().length === 0")
    finally:
        maker.close()


def test_radios_share_a_stream_and_widgets_loop(hook_pair, server, stream_server):
    alice, _ = hook_pair
    url = f"{stream_server}/cors/station.ogg"
    maker = Maker(server)
    try:
        first = maker.add("radio_station", streamUrl=url, mediaVolume=100, facing=0)
        maker.step()
        second = maker.add("radio_station", streamUrl=url, mediaChannel="left", mediaEffect="echo")
        maker.step()
        widget = maker.add("widget", emitSound="spin.ogg", emitSoundSpeed=100, emitEffect="low_pass",
                           emitVolume=50, emitLoopDelay=1)
        alice.place(first["x"], first["y"])
        alice.page.wait_for_function(
            """() => { const r = window.__chgridTest.radioElements();
                       return r.length === 1 && r[0].itemIds.length === 2 && r[0].started && !r[0].paused; }""",
            timeout=20_000)
        [stream] = alice.hook("radioElements")
        assert stream["streamUrl"] == url
        assert stream["url"].startswith(url + "?chgrid_start=")
        assert stream["mode"] == "webaudio"
        radios = {r["itemId"]: r for r in stream["radios"]}
        assert radios[first["id"]]["gain"] == pytest.approx(1)  # volume 100, on its square
        assert radios[second["id"]]["channel"] == "left" and radios[second["id"]]["effect"] == "echo"
        assert any(path.startswith("/cors/station.ogg?chgrid_start=") for path in StreamHandler.requests)

        widget_loop = next(e for e in alice.hook("emitElements") if e["itemId"] == widget["id"])
        assert widget_loop["url"] == "sounds/spin.ogg"
        assert widget_loop["playbackRate"] == 2 and widget_loop["preservesPitch"] is False
        assert widget_loop["effect"] == "low_pass"
        assert widget_loop["timing"] == {"rate": 2, "initialDelay": 0, "loopDelay": 1}

        alice.do("3", "Media layer off.")
        alice.page.wait_for_function("window.__chgridTest.radioElements().length === 0")
        alice.do("3", "Media layer on.")
        alice.page.wait_for_function("window.__chgridTest.radioElements().length === 1")

        # A widget turned off stops its loop (the maker is on its square).
        maker.add_params(widget, enabled=False)
        alice.page.wait_for_function(
            "(id) => !window.__chgridTest.emitElements().some(e => e.itemId === id)", arg=widget["id"])

        # Turning one radio off leaves the other on the shared stream.
        maker.step(back=True)
        maker.add_params(second, enabled=False)
        alice.page.wait_for_function(
            "(id) => window.__chgridTest.radioElements()[0]?.itemIds.join() === id", arg=first["id"])

        # A stream without CORS plays through the grid's media proxy (docs/client.md
        # "Sound"), so it is still routed into Web Audio (placed, effects), not played direct.
        maker.add_params(second, enabled=True, streamUrl=f"{stream_server}/plain/other.ogg")
        alice.page.wait_for_function(
            """() => { const r = window.__chgridTest.radioElements();
                       const plain = r.find(s => s.streamUrl.includes('/plain/'));
                       return r.length === 2 && plain && plain.mode === 'webaudio' && plain.started
                         && plain.url.includes('/media_proxy.php?url=') && plain.url.includes('chgrid_start%3D'); }""",
            timeout=20_000)
        assert any(path.startswith("/plain/other.ogg?chgrid_start=") for path in StreamHandler.requests)
    finally:
        maker.close()
