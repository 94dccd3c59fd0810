"""Every screen passes an axe-core audit, and screenshots of the login screen and of the
grid with two users are saved under tests/browser/artifacts/ to be looked at."""
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

AXE = Axe()


def audit(page, screen: str) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"{screen}:\n{results.generate_report()}"


def test_login_and_register_screens(new_player, artifacts):
    player = new_player()
    player.open()
    audit(player.page, "login screen")
    player.page.screenshot(path=str(artifacts / "login.png"), full_page=True)
    player.page.locator("#mode-toggle").focus()
    player.page.keyboard.press("Enter")
    expect(player.page.locator("#confirm-password")).to_be_visible()
    audit(player.page, "register screen")
    player.page.screenshot(path=str(artifacts / "register.png"), full_page=True)


def test_grid_screens_and_dialog(pair, artifacts):
    alice, bob = pair
    alice.type_line("/", "Chat.", "hi bob")
    bob.wait_for("alice: hi bob")
    bob.do("Slash", "Chat.")
    bob.page.keyboard.type("typing a reply")
    bob.page.locator("#game").screenshot(path=str(artifacts / "grid-chat-editor.png"))
    audit(bob.page, "grid with the chat editor open")
    bob.page.keyboard.press("Escape")
    bob.wait_for("Cancelled.")
    audit(alice.page, "grid")
    alice.page.screenshot(path=str(artifacts / "grid-two-users.png"), full_page=True)

    alice.page.get_by_role("button", name="Audio setup").focus()
    alice.page.keyboard.press("Enter")
    expect(alice.page.locator("#audio-dialog")).to_be_visible()
    audit(alice.page, "audio settings dialog")
    alice.page.keyboard.press("Escape")
    expect(alice.page.locator("#audio-dialog")).to_be_hidden()
    expect(alice.page.get_by_role("button", name="Audio setup")).to_be_focused()

    # Focus first and check it took: the closed dialog hands focus back to its opener, and a
    # key pressed before that settles would land on "Audio setup" instead.
    log_out = alice.page.get_by_role("button", name="Log out")
    log_out.focus()
    expect(log_out).to_be_focused()
    alice.page.keyboard.press("Enter")
    expect(alice.page.locator("#audio-dialog")).to_be_hidden()
    alice.wait_for("Logged out.")
    audit(alice.page, "after logging out")


def test_phone_width(new_player, artifacts):
    alice = new_player(width=390, height=844)
    alice.open()
    audit(alice.page, "login at phone width")
    alice.register("phoebe")
    bob = new_player(width=390, height=844)
    bob.open()
    bob.register("phil")
    alice.wait_for("phil has logged in.")
    width = alice.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at phone width ({width}px)"
    audit(alice.page, "grid at phone width")
    alice.page.screenshot(path=str(artifacts / "grid-phone.png"), full_page=True)
