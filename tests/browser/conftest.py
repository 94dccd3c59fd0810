"""Fixtures for the browser tests: the real chgrid server on a free port with a temporary
data directory (restartable on the same port and data), Debian's Chromium driven by
Playwright, and a Player helper that uses the page with the keyboard as a person would
and waits for what the live regions announce."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 15_000


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`python -m chgrid serve` as a subprocess; restart keeps the port and the data."""

    def __init__(self, port: int, data_dir: Path, log_path: Path, env: dict | None = None):
        self.extra_env = env or {}
        self.port = port
        self.data_dir = data_dir
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.log_file = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> None:
        env = dict(os.environ, CHGRID_AUTH_PBKDF2_ITERATIONS="1000", **self.extra_env)
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chgrid", "serve", "--port", str(self.port), "--data-dir", str(self.data_dir)],
            cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; log: {self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.log_file.flush()
        raise RuntimeError(f"server did not answer /healthz within 60 s; log: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """Stop the process abruptly (SIGKILL), as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        if self.log_file:
            self.log_file.close()
            self.log_file = None

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        if self.log_file:
            self.log_file.close()
            self.log_file = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def create_admin(self, username: str, password: str) -> None:
        """`chgrid admin create` on the data directory (run before start, same environment)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, CHGRID_AUTH_PBKDF2_ITERATIONS="1000", **self.extra_env)
        done = subprocess.run(
            [sys.executable, "-m", "chgrid", "admin", "create", "--data-dir", str(self.data_dir),
             "--username", username, "--password", password],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "admin_account(username, password): create this admin before the server starts")


@pytest.fixture
def server(request, tmp_path):
    proc = ServerProcess(free_port(), tmp_path / "data", tmp_path / "server.log")
    admin = request.node.get_closest_marker("admin_account")
    if admin:
        proc.create_admin(*admin.args)
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def screens(tmp_path_factory) -> Path:
    """A temporary folder for the layout screenshots (its path is printed with -s)."""
    folder = tmp_path_factory.mktemp("screens")
    print(f"\nscreenshots: {folder}")
    return folder


class Player:
    """One person at one browser page."""

    def __init__(self, page: Page, base_url: str, csp: bool = False):
        self.page = page
        self.csp = csp  # the page runs under the server's Content-Security-Policy
        self.base_url = base_url
        self.console: list[str] = []
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    # --- reading what was announced -------------------------------------------------
    def said(self) -> list[str]:
        return self.page.eval_on_selector_all("#message-log li", "items => items.map(li => li.textContent)")

    def count(self, text: str) -> int:
        return sum(text in line for line in self.said())

    def wait_for_js(self, expression: str, *, arg=None, timeout: int = WAIT_MS, interval_ms: int = 25):
        """Wait until a JavaScript expression, or a function of ``arg``, is truthy.

        Pages that bypass the policy use Playwright's ``wait_for_function``. Under the
        server's Content-Security-Policy (``csp``) it is polled with ``page.evaluate``
        instead, which the browser runs outside the policy: ``wait_for_function`` calls
        ``eval`` inside the page, which the policy (no 'unsafe-eval') blocks whenever the
        first check is not already true.
        """
        if not self.csp:
            return self.page.wait_for_function(expression, arg=arg, timeout=timeout)
        deadline = time.monotonic() + timeout / 1000
        while True:
            value = self.page.evaluate(expression, arg) if arg is not None else self.page.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} ms waiting for {expression!r} ({arg!r}); "
                                     f"last announcements: {self.said()[-8:]}; console: {self.console[-8:]}")
            self.page.wait_for_timeout(interval_ms)

    def wait_for(self, text: str, *, after: int = 0, timeout: int = WAIT_MS) -> str:
        """Wait until an announcement containing `text` appears more than `after` times."""
        self.wait_for_js(
            """([text, after]) => [...document.querySelectorAll('#message-log li')]
                 .filter(li => li.textContent.includes(text)).length > after""",
            arg=[text, after], timeout=timeout,
        )
        return [line for line in self.said() if text in line][-1]

    def wait_for_match(self, pattern: str, *, after: int = 0, timeout: int = WAIT_MS) -> re.Match:
        self.wait_for_js(
            """([pattern, after]) => [...document.querySelectorAll('#message-log li')]
                 .filter(li => new RegExp(pattern).test(li.textContent)).length > after""",
            arg=[pattern, after], timeout=timeout,
        )
        return [m for m in (re.search(pattern, line) for line in self.said()) if m][-1]

    def do(self, key: str, expect_text: str) -> str:
        """Press a key on the grid and wait for a new announcement containing `expect_text`."""
        before = self.count(expect_text)
        self.page.keyboard.press(key)
        return self.wait_for(expect_text, after=before)

    def do_match(self, key: str, pattern: str) -> re.Match:
        before = sum(bool(re.search(pattern, line)) for line in self.said())
        self.page.keyboard.press(key)
        return self.wait_for_match(pattern, after=before)

    # --- pre-connect screens -----------------------------------------------------------
    def open(self) -> None:
        self.page.goto(self.base_url)
        expect(self.page.locator("#connection-status")).to_contain_text("Welcome to the Chat Grid")

    def register(self, username: str, password: str = "correct-horse-1") -> None:
        page = self.page
        expect(page.locator("#username")).to_be_focused()
        # username → password → Connect → Register toggle
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        expect(page.locator("#mode-toggle")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.locator("#confirm-password")).to_be_visible()
        expect(page.locator("#username")).to_be_focused()
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        expect(page.locator("#connect-button")).to_have_text("Register & Connect")
        page.keyboard.press("Enter")
        self.wait_joined()

    def login(self, username: str, password: str) -> None:
        page = self.page
        expect(page.locator("#username")).to_be_focused()
        page.keyboard.type(username)
        page.keyboard.press("Tab")
        page.keyboard.type(password)
        expect(page.locator("#connect-button")).to_have_text("Log In & Connect")
        page.keyboard.press("Enter")

    def wait_joined(self, after: int = 0) -> None:
        self.wait_for("Connected to server. Version", after=after)
        expect(self.page.locator("#grid-canvas")).to_be_focused()

    # --- in the world ------------------------------------------------------------------
    def position(self) -> tuple[int, int]:
        match = self.do_match("c", r"^(\d+), (\d+)$")
        return int(match.group(1)), int(match.group(2))

    def step(self, key: str, expected: tuple[int, int]) -> None:
        """Press an arrow and wait until the move (paced by the movement tick) is made."""
        self.page.keyboard.press(key)
        self.wait_for_js(
            "([x, y]) => chgrid.game.state.self.x === x && chgrid.game.state.self.y === y", arg=list(expected),
        )

    def type_line(self, opener: str, prompt: str, text: str) -> None:
        """Open an editor with `opener`, type `text` and press Enter."""
        self.do(opener, prompt)
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")

    def place(self, x: int, y: int) -> None:
        """Glide to a tile the way Enter in the user or item list does, and wait for the landing."""
        self.page.evaluate("([x, y]) => chgrid.game.teleportTo({x, y}, 'Arrived.')", [x, y])
        self.wait_for_js(
            "([x, y]) => chgrid.game.state.self.x === x && chgrid.game.state.self.y === y && !chgrid.game.walker.teleporting",
            arg=[x, y],
        )

    def sees(self, nickname: str, x: int, y: int) -> None:
        """Wait until this page knows `nickname` is at x, y."""
        self.wait_for_js(
            "([n, x, y]) => [...chgrid.game.state.peers.values()].some(p => p.nickname === n && p.x === x && p.y === y)",
            arg=[nickname, x, y],
        )

    def hook(self, method: str, *args):
        """Call window.__chgridTest[method](...args) (pages opened with test_mode=True)."""
        return self.page.evaluate("([m, args]) => window.__chgridTest[m](...args)", [method, list(args)])

    def box(self, selector: str) -> dict:
        """The element's bounding box in CSS pixels, relative to the viewport."""
        box = self.page.locator(selector).bounding_box()
        assert box is not None, f"{selector} is not rendered"
        return box

    def assert_on_screen(self, selector: str, within: str | None = None) -> dict:
        """The element lies wholly inside the viewport (and inside `within`'s box when given)."""
        box = self.box(selector)
        view = self.page.viewport_size
        outer = {"x": 0, "y": 0, "width": view["width"], "height": view["height"]}
        frames = [("viewport", outer)] + ([(within, self.box(within))] if within else [])
        for name, frame in frames:
            assert box["x"] >= frame["x"] - 0.5 and box["y"] >= frame["y"] - 0.5, f"{selector} {box} starts outside {name} {frame}"
            assert box["x"] + box["width"] <= frame["x"] + frame["width"] + 0.5, f"{selector} {box} ends right of {name} {frame}"
            assert box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.5, f"{selector} {box} ends below {name} {frame}"
        return box

    def dropped_packets(self) -> list[str]:
        return [line for line in self.console if "dropped server packet" in line or "pageerror" in line]

    def audit(self, screen: str) -> None:
        """axe-core audit of the page as it is now (menus and dialogs open); no violations."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"


@pytest.fixture
def new_player(browser, server):
    """Make players, each in its own browser context (own cookies and storage)."""
    contexts = []
    players = []

    def make(width: int = 1200, height: int = 900, test_mode: bool = False, csp: bool = False) -> Player:
        """`test_mode` loads the page with ?test=1, which exposes window.__chgridTest.

        The server's Content-Security-Policy (no 'unsafe-eval') also blocks the ``eval``
        that Playwright's ``wait_for_function`` runs in the page, so pages are opened
        with the policy bypassed unless `csp` is set: tests/browser/test_csp.py runs the
        client under the real policy, waiting through ``Player.wait_for_js`` only.
        """
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=not csp)
        contexts.append(context)
        player = Player(context.new_page(), server.url + ("?test=1" if test_mode else ""), csp=csp)
        players.append(player)
        return player

    yield make
    problems = [line for player in players for line in player.dropped_packets()]
    for context in contexts:
        context.close()
    assert not problems, f"the client dropped server packets or hit page errors: {problems}"


@pytest.fixture
def pair(new_player):
    """alice registers first, then bob; alice hears bob arrive."""
    alice = new_player()
    alice.open()
    alice.register("alice")
    bob = new_player()
    bob.open()
    bob.register("bob")
    alice.wait_for("bob has logged in.")
    return alice, bob


class SocketUser:
    """A user driven straight over the websocket (to place items the client of part 1
    cannot add yet). Sends the spawn update_position like a client, so others see it."""

    def __init__(self, server: ServerProcess, username: str, password: str = "correct-horse-1", login: bool = False):
        import json

        import websocket

        self.json = json
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{server.port}/ws", timeout=10)
        kind = "auth_login" if login else "auth_register"
        self.ws.send(json.dumps({"type": kind, "username": username, "password": password}))
        self.welcome = self.wait("welcome")
        player = self.welcome["player"]
        self.ws.send(json.dumps({"type": "update_position", "x": player["x"], "y": player["y"]}))

    def wait(self, packet_type: str) -> dict:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            packet = self.json.loads(self.ws.recv())
            if packet.get("type") == packet_type:
                return packet
        raise AssertionError(f"no {packet_type} packet")

    def send(self, packet: dict) -> None:
        self.ws.send(self.json.dumps(packet))

    def add_item(self, item_type: str) -> dict:
        self.ws.send(self.json.dumps({"type": "item_add", "itemType": item_type}))
        return self.wait("item_upsert")["item"]

    def close(self) -> None:
        self.ws.close()
