"""Staying logged in and coming back: reloading through the HttpOnly cookie at the same
position, logging out, and reconnecting by itself after the server restarts."""
from playwright.sync_api import expect

RECONNECT_MS = 40_000


def test_reload_comes_back_logged_in_at_the_same_position(pair):
    alice, bob = pair
    x, y = alice.position()
    key, dx = ("ArrowRight", 1) if x < 40 else ("ArrowLeft", -1)
    alice.step(key, (x + dx, y))
    assert alice.position() == (x + dx, y)

    cookies = {c["name"]: c for c in alice.page.context.cookies()}
    assert cookies["chgrid_session_token"]["httpOnly"] is True
    assert alice.page.evaluate("document.cookie") == ""  # the token is not readable by scripts
    assert alice.page.evaluate("localStorage.getItem('chatGridAuthSessionToken')") is None

    alice.page.reload()
    bob.wait_for("alice has logged out.")
    expect(alice.page.locator("#logged-in-as")).to_have_text("Logged in as alice.")
    expect(alice.page.locator("#username")).to_be_hidden()
    expect(alice.page.locator("#connect-button")).to_be_focused()
    alice.page.keyboard.press("Enter")
    alice.wait_joined()
    assert alice.position() == (x + dx, y)
    bob.wait_for("alice has logged in.")


def test_log_out(pair):
    alice, bob = pair
    alice.page.get_by_role("button", name="Log out").focus()
    alice.page.keyboard.press("Enter")
    alice.wait_for("Logged out.")
    bob.wait_for("alice has logged out.")
    expect(alice.page.locator("#game")).to_be_hidden()
    expect(alice.page.locator("#username")).to_be_visible()
    assert alice.page.evaluate("localStorage.getItem('chatGridAuthUsername')") is None

    # After a reload there is no saved login any more: Connect asks for credentials.
    alice.page.reload()
    expect(alice.page.locator("#username")).to_be_focused()
    alice.page.locator("#connect-button").focus()
    alice.page.keyboard.press("Enter")
    alice.wait_for("Authentication required.")
    expect(alice.page.locator("#game")).to_be_hidden()


def test_log_out_after_registering_returns_to_an_empty_login_form(new_player):
    """Registering leaves the form in register mode; logging out must not: Enter with the
    password typed again logs in instead of saying "Username is already taken."."""
    alice = new_player()
    alice.open()
    alice.register("alice")
    alice.page.get_by_role("button", name="Log out").press("Enter")
    alice.wait_for("Logged out.")
    page = alice.page
    expect(page.locator("#connect-heading")).to_have_text("Log in")
    expect(page.locator("#confirm-password")).to_be_hidden()
    expect(page.locator("#email")).to_be_hidden()
    expect(page.locator("#mode-toggle")).to_have_text("Register")
    expect(page.locator("#password")).to_have_value("")
    expect(page.locator("#confirm-password")).to_have_value("")
    expect(page.locator("#username")).to_have_value("alice")
    expect(page.locator("#password")).to_be_focused()  # the name is still there: type the password
    expect(page.locator("#connect-button")).to_have_text("Connect")
    alice.audit("login form after logging out")
    page.keyboard.type("correct-horse-1")
    expect(page.locator("#connect-button")).to_have_text("Log In & Connect")
    page.keyboard.press("Enter")
    alice.wait_joined()
    assert alice.count("Username is already taken.") == 0


def test_server_restart_reconnects_and_says_so(pair, server):
    alice, bob = pair
    x, y = alice.position()
    server.kill()
    alice.wait_for("Disconnected from server. Reconnecting...")
    bob.wait_for("Disconnected from server. Reconnecting...")
    server.start()
    for player in (alice, bob):
        player.wait_for("Server restarted.", timeout=RECONNECT_MS)
        player.wait_for("Reconnected to server. Version 0.1.0 S13.", timeout=RECONNECT_MS)
        expect(player.page.locator("#grid-canvas")).to_be_focused()
    alice.page.wait_for_function("chgrid.game.state.peers.size === 1")
    alice.do("u", "2 users: alice, bob")
    assert alice.position() == (x, y)


def test_reconnect_keeps_trying_and_connect_tries_at_once(pair, server):
    """No give-up after a fixed count (docs/client.md "Staying connected"): the failure is
    said once, the Connect button is focused and tries at once."""
    alice, _ = pair
    server.kill()
    alice.wait_for("Disconnected from server. Reconnecting...")
    alice.wait_for("Server not reachable yet. Still trying; press Connect to try now.", timeout=RECONNECT_MS)
    alice.page.evaluate("chgrid.lifecycle.backoff = { baseMs: 600000, capMs: 600000 }")  # no timed retry now
    alice.wait_for_js("chgrid.lifecycle.phase === 'idle' && chgrid.lifecycle.reconnect.timer !== null", timeout=RECONNECT_MS)
    server.start()
    expect(alice.page.locator("#connect-button")).to_be_focused()
    alice.page.keyboard.press("Enter")
    alice.wait_joined(after=0)
    assert alice.count("Server not reachable yet.") == 1


def test_a_new_client_revision_reloads_the_client_once(new_player):
    """A page built from an older client revision than the server serves reloads once
    (upstream-0.1.md §2.3) and keeps the login made just before the reload."""
    player = new_player()
    page = player.page
    served_old = []

    def old_version_js(route):
        if served_old:
            route.continue_()
            return
        served_old.append(route.request.url)
        route.fulfill(content_type="application/javascript", body=(
            'window.CHGRID_WEB_VERSION = "0.1.0";\n'
            'window.CHGRID_RELEASE_VERSION = "0.0.9";\n'
            'window.CHGRID_CLIENT_REVISION = "R1";\n'))

    page.route("**/version.js*", old_version_js)
    player.open()
    expect(page.locator("#version-line")).to_have_text("Client version 0.0.9 R1")
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Register
    page.keyboard.type("vera")
    for _ in range(2):
        page.keyboard.press("Tab")
        page.keyboard.type("correct-horse-1")
    page.keyboard.press("Enter")  # sent on open, so the reload waits for the welcome and the cookie
    page.wait_for_url("**/?v=R13*")
    expect(page.locator("#connection-status")).to_have_text("Client updated, please reconnect.")
    expect(page.locator("#version-line")).to_have_text("Client version 0.1.0 R13")
    expect(page.locator("#logged-in-as")).to_have_text("Logged in as vera.")
    page.keyboard.press("Enter")
    player.wait_for("Connected to server. Version 0.1.0 S13.")
    assert "v=R13" in page.url
    assert len(served_old) == 1


def test_an_expired_saved_login_shows_the_forms(pair):
    alice, _ = pair
    alice.page.context.clear_cookies()
    alice.page.reload()
    alice.wait_for("Your saved login has expired. Please log in again.")
    expect(alice.page.locator("#username")).to_be_focused()
    expect(alice.page.locator("#logged-in-as")).to_be_hidden()
