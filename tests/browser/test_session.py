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
        player.wait_for("Reconnected to server. Version 0.1.0.", timeout=RECONNECT_MS)
        expect(player.page.locator("#grid-canvas")).to_be_focused()
    alice.page.wait_for_function("chgrid.game.state.peers.size === 1")
    alice.do("u", "2 users: alice, bob")
    assert alice.position() == (x, y)


def test_reconnect_gives_up_after_three_attempts(pair, server):
    alice, _ = pair
    server.kill()
    alice.wait_for("Disconnected from server. Reconnecting...")
    alice.wait_for("Reconnect attempt 1 failed. Retrying in 5 seconds...", timeout=RECONNECT_MS)
    alice.wait_for("Reconnect attempt 2 failed. Retrying in 5 seconds...", timeout=RECONNECT_MS)
    alice.wait_for("Reconnect failed after 3 attempts. Press Connect to retry.", timeout=RECONNECT_MS)
    server.start()
    expect(alice.page.locator("#connect-button")).to_be_focused()
    alice.page.keyboard.press("Enter")
    alice.wait_joined(after=0)


def test_a_new_server_version_reloads_the_client_once(browser, tmp_path):
    from conftest import Player, ServerProcess, free_port

    server = ServerProcess(free_port(), tmp_path / "data", tmp_path / "server.log",
                           env={"CHGRID_SERVER_VERSION": "2099.01.01 R1"})
    server.start()
    context = browser.new_context()
    try:
        player = Player(context.new_page(), server.url)
        player.open()
        player.page.keyboard.press("Tab")
        player.page.keyboard.press("Tab")
        player.page.keyboard.press("Tab")
        player.page.keyboard.press("Enter")
        player.page.keyboard.type("vera")
        for _ in range(2):
            player.page.keyboard.press("Tab")
            player.page.keyboard.type("correct-horse-1")
        player.page.keyboard.press("Enter")
        player.page.wait_for_url("**/?v=2099.01.01*")
        expect(player.page.locator("#connection-status")).to_have_text("Client updated, please reconnect.")
        expect(player.page.locator("#logged-in-as")).to_have_text("Logged in as vera.")
        # The same version again does not reload a second time: the client joins.
        player.page.keyboard.press("Enter")
        player.wait_for("Connected to server. Version 2099.01.01 R1.")
        assert "v=2099.01.01" in player.page.url
        assert not player.dropped_packets()
    finally:
        context.close()
        server.stop()


def test_an_expired_saved_login_shows_the_forms(pair):
    alice, _ = pair
    alice.page.context.clear_cookies()
    alice.page.reload()
    alice.wait_for("Your saved login has expired. Please log in again.")
    expect(alice.page.locator("#username")).to_be_focused()
    expect(alice.page.locator("#logged-in-as")).to_be_hidden()
