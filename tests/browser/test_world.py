"""In the world with two players: moving, nicknames, chat, ping, locating and listing
users, teleporting, the help viewer and the message history."""

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
    alice.wait_for("Server version: 0.1.0")

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

    bob.do_match("Shift+L", rf"^1 user\. alice, volume 1, .*, {ax}, {ay}$")
    bob.do("ArrowRight", "alice volume 1.05.")
    bob.do("ArrowLeft", "alice volume 1.")
    bob.do("Escape", "Exit list mode.")

    bob.do("Shift+L", "1 user.")
    bob.do("Enter", "Moved to alice.")
    assert bob.position() == (ax, ay)
    alice.page.wait_for_function(
        "([x, y]) => [...chgrid.game.state.peers.values()].some(p => p.x === x && p.y === y)", arg=[ax, ay],
    )
    alice.do_match("l", rf"^bob, here, {ax}, {ay}$")

    bob.do("Shift+L", "1 user.")
    bob.do("Enter", "Already here.")


def test_help_viewer(pair):
    alice, _ = pair
    alice.do("Shift+Slash", "Moving")
    alice.do("ArrowDown", "Arrow keys: move one square")
    alice.do("End", "Escape twice: disconnect")
    alice.do("Home", "Moving")
    alice.do("Escape", "Closed help.")
    alice.do("c", ", ")  # back in normal mode
