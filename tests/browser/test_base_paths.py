"""A grid under its own base path (issue 13): the client loaded from /lobby/ connects to
/lobby/ws, stores its login in the lobby's own cookie and comes back through it after a
reload; a player at / (the default grid) neither sees nor hears the lobby."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Player, ServerProcess, free_port


@pytest.fixture
def server(tmp_path):
    proc = ServerProcess(free_port(), tmp_path / "data", tmp_path / "server.log",
                         env={"CHGRID_WORLD_GRIDS": "main,lobby"})
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def open_player(browser, server):
    contexts, players = [], []

    def make(path: str) -> Player:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
        contexts.append(context)
        player = Player(context.new_page(), server.url + path)
        players.append(player)
        return player

    yield make
    problems = [line for player in players for line in player.dropped_packets()]
    for context in contexts:
        context.close()
    assert not problems, f"the client dropped server packets or hit page errors: {problems}"


def test_a_grid_under_its_base_path_logs_in_and_keeps_to_itself(open_player, server):
    sockets: list[str] = []
    alice = open_player("lobby/")
    alice.page.on("websocket", lambda ws: sockets.append(ws.url))
    alice.open()
    alice.register("alice")
    assert sockets == [f"ws://127.0.0.1:{server.port}/lobby/ws"]
    cookies = {c["name"]: c for c in alice.page.context.cookies()}
    assert set(cookies) == {"chgrid_session_lobby"}
    assert cookies["chgrid_session_lobby"]["path"] == "/lobby/" and cookies["chgrid_session_lobby"]["httpOnly"]

    bob = open_player("")  # the host root: grid main
    bob.open()
    bob.register("bob")
    assert {c["name"] for c in bob.page.context.cookies()} == {"chgrid_session_token"}
    carol = open_player("lobby/")
    carol.open()
    carol.register("carol")
    alice.wait_for("carol has logged in.")
    assert alice.count("bob has logged in.") == 0  # bob joined main before carol joined the lobby

    # A reload finds the lobby's cookie: the lobby's login, not a password prompt.
    alice.page.reload()
    carol.wait_for("alice has logged out.")
    expect(alice.page.locator("#logged-in-as")).to_have_text("Logged in as alice.")
    alice.page.locator("#connect-button").focus()
    alice.page.keyboard.press("Enter")
    alice.wait_joined()
    carol.wait_for("alice has logged in.")
