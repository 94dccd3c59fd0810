"""Joining the world: registering, hearing each other arrive and leave, and the messages
for bad credentials and bad registration forms."""
import re

from playwright.sync_api import expect


def test_register_both_and_hear_each_other_arrive(pair):
    alice, bob = pair
    # alice learned bob from his first update_position and named him from the arrival line.
    alice.do("u", "2 users: alice, bob")
    bob.do("u", "2 users: bob, alice")

    # bob hears alice leave and come back (saved login through the cookie).
    alice.do("Escape", "Press Escape again to disconnect.")
    alice.page.keyboard.press("Escape")
    alice.wait_for("Disconnected.")
    bob.wait_for("alice has logged out.")
    bob.do("u", "1 user: bob")

    expect(alice.page.locator("#logged-in-as")).to_have_text("Logged in as alice.")
    expect(alice.page.locator("#connect-button")).to_be_focused()
    alice.page.keyboard.press("Enter")
    alice.wait_joined(after=1)
    bob.wait_for("alice has logged in.")
    bob.do("u", "2 users: bob, alice")
    alice.do("u", "2 users: alice, bob")


def test_bad_password_gives_the_login_failure_message(new_player):
    first = new_player()
    first.open()
    first.register("carol")

    intruder = new_player()
    intruder.open()
    intruder.login("carol", "not-the-password")
    intruder.wait_for("We couldn't log you in. Check your details and try again.")
    expect(intruder.page.locator("#password")).to_have_value("")
    expect(intruder.page.locator("#password")).to_be_focused()
    expect(intruder.page.locator("#game")).to_be_hidden()

    # The right password then works from the same page.
    intruder.page.keyboard.type("correct-horse-1")
    intruder.page.keyboard.press("Enter")
    intruder.wait_joined()


def test_unknown_user_gives_the_same_message(new_player):
    player = new_player()
    player.open()
    player.login("nobody_here", "whatever-password")
    player.wait_for("We couldn't log you in. Check your details and try again.")


def test_registration_problems_are_explained(new_player):
    taken = new_player()
    taken.open()
    taken.register("dave")

    player = new_player()
    player.open()
    page = player.page
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # switch to the register form
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type("dave")
    page.keyboard.press("Tab")
    page.keyboard.type("long-enough-1")
    page.keyboard.press("Tab")
    page.keyboard.type("long-enough-2")
    page.keyboard.press("Enter")
    player.wait_for("Passwords do not match.")

    page.locator("#confirm-password").fill("")
    page.locator("#confirm-password").focus()
    page.keyboard.type("long-enough-1")
    page.keyboard.press("Enter")
    player.wait_for("Username is already taken.")
    expect(page.locator("#password")).to_have_value("")

    page.locator("#username").fill("")
    page.locator("#username").focus()
    page.keyboard.type("eve")
    page.keyboard.press("Tab")
    page.keyboard.type("short")
    page.keyboard.press("Tab")
    page.keyboard.type("short")
    page.keyboard.press("Enter")
    player.wait_for("Password must be between 8 and 32 characters.")


def test_connect_without_login_asks_for_authentication(new_player):
    player = new_player()
    player.open()
    player.page.locator("#connect-button").focus()
    expect(player.page.locator("#connect-button")).to_have_text("Connect")
    player.page.keyboard.press("Enter")
    line = player.wait_for("Authentication required.")
    assert re.search(r"Log in or register", line)


def test_connect_with_the_server_down_says_it_failed(new_player, server):
    player = new_player()
    player.open()
    server.kill()
    player.login("nobody_here", "whatever-password")
    player.wait_for("Connect failed. Signaling server may be offline or unreachable.")
    server.start()
