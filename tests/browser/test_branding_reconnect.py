"""Branding before login (upstream-0.1.md §3), the footer help panel (§21), and reconnecting
with backoff: after the server restarts, and at once when a hidden page is shown again
(docs/client.md "Staying connected")."""
from __future__ import annotations

import pytest
from conftest import Player, ServerProcess, free_port
from playwright.sync_api import expect

RECONNECT_MS = 40_000
BRANDING = {"CHGRID_SERVER_GRID_NAME": "Harbour Grid", "CHGRID_SERVER_WELCOME_MESSAGE": "Welcome to the Harbour. Log in to sail."}


@pytest.fixture
def branded(browser, tmp_path):
    server = ServerProcess(free_port(), tmp_path / "data", tmp_path / "server.log", env=BRANDING)
    server.start()
    contexts = []

    def make() -> Player:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
        contexts.append(context)
        return Player(context.new_page(), server.url)

    yield server, make
    for context in contexts:
        context.close()
    server.stop()


def test_branding_is_shown_and_announced_before_login(branded):
    _, make = branded
    player = make()
    page = player.page
    page.goto(player.base_url)
    status = page.locator("#connection-status")
    expect(status).to_have_text(BRANDING["CHGRID_SERVER_WELCOME_MESSAGE"])
    # announced: the status line is a polite live region and the line is in the message log
    assert status.get_attribute("role") == "status"
    player.wait_for("Welcome to the Harbour. Log in to sail.")
    expect(page).to_have_title("Harbour Grid")
    expect(page.locator("h1")).to_have_text("Harbour Grid")
    expect(page.get_by_role("button", name="Harbour Grid")).to_be_disabled()
    expect(page.locator("#grid-canvas")).to_have_attribute("aria-label", "Harbour Grid, press question mark for help.")
    expect(page.locator("#username")).to_be_focused()

    # The footer: help collapsed behind a toggle, the latest updates, the version.
    toggle = page.get_by_role("button", name="Show help")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "instructions")
    expect(page.locator("#instructions")).to_be_hidden()
    expect(page.locator("#version-line")).to_have_text("Client version 0.1.0 R13")
    player.audit("pre-login page with branding, help collapsed")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Hide help")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#instructions")).to_be_visible()
    expect(page.locator("#instructions h3").first).to_be_visible()
    player.audit("pre-login page with the help panel open")
    page.keyboard.press("Enter")
    expect(page.locator("#instructions")).to_be_hidden()

    # In the world the focus button and its announcement carry the name too.
    page.locator("#username").focus()
    player.register("mira")
    page.get_by_role("button", name="Harbour Grid").click()
    line = player.wait_for("Harbour Grid focused.")
    assert line.startswith("Harbour Grid focused. You are at ")
    assert not player.dropped_packets()


def test_restart_reconnects_with_backoff_announcing_each_state_once(branded):
    server, make = branded
    player = make()
    player.page.goto(player.base_url)
    player.register("nora")
    x, y = player.position()
    server.kill()
    player.wait_for("Disconnected from server. Reconnecting...")
    player.wait_for("Server not reachable yet. Still trying; press Connect to try now.", timeout=RECONNECT_MS)
    # several silent attempts fail before the server is back
    player.wait_for_js("chgrid.lifecycle.reconnect && chgrid.lifecycle.reconnect.attempt >= 3", timeout=RECONNECT_MS)
    server.start()
    player.wait_for("Server restarted.", timeout=RECONNECT_MS)
    player.wait_for("Reconnected to server. Version 0.1.0 S13.", timeout=RECONNECT_MS)
    expect(player.page.locator("#grid-canvas")).to_be_focused()
    for once in ("Disconnected from server. Reconnecting...", "Server not reachable yet.", "Reconnected to server."):
        assert player.count(once) == 1, (once, player.said()[-10:])
    assert not [line for line in player.said() if "attempt" in line.lower()]
    assert player.position() == (x, y)
    assert not player.dropped_packets()


def test_hidden_page_reconnects_at_once_when_shown(branded):
    server, make = branded
    player = make()
    page = player.page
    page.goto(player.base_url)
    player.register("ines")
    # The page goes to the background; the server drops (as a phone drops the socket).
    page.evaluate("""() => {
        window.__visibility = 'hidden';
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => window.__visibility });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__visibility === 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
        chgrid.lifecycle.backoff = { baseMs: 600000, capMs: 600000 };  // the next timed attempt is 10 minutes away
    }""")
    server.kill()
    player.wait_for("Disconnected from server. Reconnecting...")
    player.wait_for_js("chgrid.lifecycle.reconnect && chgrid.lifecycle.reconnect.timer !== null")
    assert page.evaluate("chgrid.lifecycle.reconnect.attempt") == 0
    server.start()
    # Shown again: the attempt starts now instead of in 10 minutes.
    page.evaluate("() => { window.__visibility = 'visible'; document.dispatchEvent(new Event('visibilitychange')); }")
    player.wait_for("Reconnected to server.", timeout=RECONNECT_MS)
    assert page.evaluate("chgrid.lifecycle.reconnect") is None
    assert player.count("Disconnected from server. Reconnecting...") == 1
    assert not player.dropped_packets()


def test_shown_page_checks_a_live_connection_with_a_heartbeat(branded):
    _, make = branded
    player = make()
    page = player.page
    page.goto(player.base_url)
    player.register("olga")
    player.wait_for_js("chgrid.lifecycle.heartbeat.awaiting === null")
    sent_before = page.evaluate("chgrid.lifecycle.heartbeat.nextId")
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")  # visible (the default)
    assert page.evaluate("chgrid.lifecycle.heartbeat.nextId") == sent_before - 1  # one ping sent now
    player.wait_for_js("chgrid.lifecycle.heartbeat.awaiting === null")  # and its pong came back
    assert player.count("Reconnecting") == 0
