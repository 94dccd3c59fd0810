"""Items placed by someone else show on the grid and can be located, listed and
teleported to (adding, editing and using items: test_item_menus.py)."""
from conftest import SocketUser


def test_locate_list_and_teleport_to_an_item(pair, server, artifacts):
    alice, bob = pair
    maker = SocketUser(server, "maker")
    try:
        alice.wait_for("maker has logged in.")
        item = maker.add_item("dice")
        alice.page.wait_for_function("chgrid.game.state.items.size === 1")
        alice.page.wait_for_function("chgrid.game.state.peers.size === 2")
        alice.do("u", "3 users: alice, bob, maker")

        line = alice.do_match("i", r"^Dice \(dice\), (?:here|\d+ squares? [a-z ]+), (\d+), (\d+)$")
        assert (int(line.group(1)), int(line.group(2))) == (item["x"], item["y"])
        alice.page.locator("#game").screenshot(path=str(artifacts / "grid-users-and-item.png"))

        alice.do_match("Shift+I", r"^1 item\. Dice \(dice\), .*\d\.$")
        alice.do("Escape", "Exit item list mode.")
        if alice.position() != (item["x"], item["y"]):
            alice.do("Shift+I", "1 item.")
            alice.do("Enter", "Moved to Dice (dice).")
            assert alice.position() == (item["x"], item["y"])
        bob.page.wait_for_function(
            "([x, y]) => [...chgrid.game.state.peers.values()].some(p => p.nickname === 'alice' && p.x === x && p.y === y)",
            arg=[item["x"], item["y"]],
        )
        alice.do("Shift+I", "1 item.")
        alice.do("Escape", "Exit item list mode.")
        # someone else's item: a user may only carry their own, and the server says so
        alice.do("d", "Not authorized to pick up this item.")
    finally:
        maker.close()
    alice.wait_for("maker has logged out.")
