"""In the world with two players: moving, nicknames, chat, ping, locating and listing
users, teleporting, the help viewer and the message history."""
import re

from playwright.sync_api import expect

from test_admin_menus import nothing_happens

USER_LINE = r"^{name}, (?:here|\d+ squares? [a-z ]+), (\d+), (\d+)$"


def located(player, name):
    match = player.do_match("l", USER_LINE.format(name=name))
    return int(match.group(1)), int(match.group(2))


def test_arrow_keys_move_and_the_other_view_follows(pair):
    alice, bob = pair
    x, y = alice.position()
    assert located(bob, "alice") == (x, y)

    key, dx = ("ArrowRight", 1) if x < 40 else ("ArrowLeft", -1)
    alice.step(key, (x + dx, y))
    assert alice.position() == (x + dx, y)
    bob.page.wait_for_function(
        "([x, y]) => [...chgrid.game.state.peers.values()].some(p => p.nickname === 'alice' && p.x === x && p.y === y)",
        arg=[x + dx, y],
    )
    assert located(bob, "alice") == (x + dx, y)

    key, dy = ("ArrowUp", 1) if y < 40 else ("ArrowDown", -1)
    alice.step(key, (x + dx, y + dy))
    assert alice.position() == (x + dx, y + dy)  # up is north: y grows
    bob.page.wait_for_function(
        "([x, y]) => [...chgrid.game.state.peers.values()].some(p => p.x === x && p.y === y)", arg=[x + dx, y + dy],
    )
    assert located(bob, "alice") == (x + dx, y + dy)


def test_holding_an_arrow_walks_at_the_server_pace(pair):
    alice, bob = pair
    x, y = alice.position()
    key, dx = ("ArrowRight", 1) if x < 20 else ("ArrowLeft", -1)
    alice.page.keyboard.down(key)
    alice.page.wait_for_timeout(1000)
    alice.page.keyboard.up(key)
    alice.page.wait_for_timeout(400)
    nx, ny = alice.position()
    steps = (nx - x) * dx
    assert ny == y
    assert 2 <= steps <= 6, steps  # one tile per 200 ms window (plus a jitter guard)
    assert located(bob, "alice") == (nx, ny)  # no step was refused and snapped back


def test_nickname_change_with_a_collision(pair):
    alice, bob = pair
    bob.type_line("n", "Nickname edit: bob", "Alice")
    bob.wait_for("Nickname already in use.")

    bob.type_line("n", "Nickname edit: bob", "Bobby")
    bob.wait_for("You are now known as Bobby.")
    alice.wait_for("bob is now known as Bobby.")
    alice.do("u", "2 users: alice, Bobby")
    bob.do("u", "2 users: Bobby, alice")

    bob.do("n", "Nickname edit: Bobby")
    bob.page.keyboard.press("Escape")
    bob.wait_for("Cancelled.")

    # Shifted variants that once acted like the plain key say nothing (upstream §18).
    nothing_happens(bob, "Shift+Escape")
    before = len(bob.said())
    for key in ("Shift+Digit2", "Shift+Digit3", "Shift+Digit4"):
        bob.page.keyboard.press(key)
    bob.do("p", "Ping ")  # keys are handled in order, so the shifted digits came first
    assert not [line for line in bob.said()[before:] if "layer" in line]


def test_chat_me_commands_and_history(pair):
    alice, bob = pair
    bob.do("Comma", "No chat messages.")
    alice.type_line("/", "Chat.", "hello there")
    bob.wait_for("alice: hello there")
    alice.wait_for("alice: hello there")

    alice.type_line("/", "Chat.", "/me waves")
    bob.wait_for("alice waves")

    alice.type_line("/", "Chat.", "/up")
    alice.wait_for_match(r"^Server uptime: (\d+[dhms] ?)+$")

    alice.type_line("/", "Chat.", "/version")
    alice.wait_for("Server version: 0.1.0 S13")

    # History: , reads back from the newest line, . forward.
    bob.do("Comma", "alice: hello there")
    bob.do("Period", "alice waves")
    bob.do("Shift+Comma", "alice: hello there")
    bob.do("Shift+Period", "alice waves")

    # A blank chat line is cancelled, not sent.
    alice.do("Slash", "Chat.")
    alice.page.keyboard.type("   ")
    alice.page.keyboard.press("Enter")
    alice.wait_for("Cancelled.")


def test_ping(pair):
    alice, _ = pair
    alice.do_match("p", r"^Ping \d+ ms$")


def test_locate_list_and_teleport(pair):
    alice, bob = pair
    ax, ay = alice.position()
    bx, by = bob.position()
    if (ax, ay) == (bx, by):  # same spawn tile: step away first
        bob.step("ArrowRight" if bx < 40 else "ArrowLeft", (bx + 1 if bx < 40 else bx - 1, by))
        bx, by = bob.position()

    assert located(bob, "alice") == (ax, ay)
    bob.do("i", "No items to locate.")

    bob.do_match("Shift+L", rf"^2 users, 1 other\. alice, volume 1, .*, {ax}, {ay}\.$")
    bob.do("ArrowRight", "alice volume 1.05.")
    bob.do("ArrowLeft", "alice volume 1.")
    bob.do("Escape", "Exit list mode.")

    bob.do("Shift+L", "2 users, 1 other.")
    bob.do("Enter", "Moved to alice.")
    assert bob.position() == (ax, ay)
    alice.page.wait_for_function(
        "([x, y]) => [...chgrid.game.state.peers.values()].some(p => p.x === x && p.y === y)", arg=[ax, ay],
    )
    alice.do_match("l", rf"^bob, here, {ax}, {ay}$")

    bob.do("Shift+L", "2 users, 1 other.")
    bob.do("Enter", "Already here.")


def test_help_viewer(pair):
    alice, _ = pair
    opened = alice.do("Shift+Slash", "Moving")
    assert opened == "Help. Moving"  # says "Help" first
    expect(alice.page.locator("#menu-panel h3")).to_have_text(re.compile(r"^Help \(1 of \d+\)$"))
    alice.do("ArrowDown", "Arrow keys: move one square")
    alice.do("End", "Escape twice: disconnect")
    alice.do("Home", "Moving")
    alice.do("Escape", "Closed help.")
    expect(alice.page.locator("#menu-panel")).to_be_hidden()
    alice.do("c", ", ")  # back in normal mode


def test_u_and_shift_l_agree_on_the_count_of_users(pair):
    alice, bob = pair
    counted = alice.do_match("u", r"^(\d+) users?: ")
    listed = alice.do_match("Shift+L", r"^(\d+) users?, 1 other\. bob, volume")
    assert counted.group(1) == listed.group(1) == "2"
    expect(alice.page.locator("#menu-panel h3")).to_have_text("Users (1 of 1)")
    alice.audit("user list over the grid")
    alice.do("Escape", "Exit list mode.")
    expect(alice.page.locator("#menu-panel")).to_be_hidden()


def test_the_grid_says_so_when_it_gets_the_focus(pair):
    alice, _ = pair
    assert alice.count("Grid focused.") == 0  # joining puts the focus there without saying so
    x, y = alice.position()
    alice.page.keyboard.press("Tab")
    expect(alice.page.locator("#grid-canvas")).not_to_be_focused()
    alice.page.keyboard.press("Shift+Tab")
    expect(alice.page.locator("#grid-canvas")).to_be_focused()
    assert alice.wait_for("Grid focused.") == f"Chat Grid focused. You are at {x}, {y}."

    # With a menu open it says which; the Chat Grid button brings the focus back too.
    alice.do("a", "Add item. clock.")
    alice.do("ArrowDown", "dice")
    alice.page.locator("#position-summary").click()
    expect(alice.page.locator("#grid-canvas")).not_to_be_focused()
    before = alice.count("Grid focused.")
    alice.page.get_by_role("button", name="Chat Grid").click()
    line = alice.wait_for("Grid focused.", after=before)
    assert line == f"Chat Grid focused. You are at {x}, {y}. Add item: dice."
    alice.do("Escape", "Cancelled.")
