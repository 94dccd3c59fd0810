"""The item management menu (Z, upstream-0.1 §16) from the keyboard: transferring an item
to an offline account through the target list and the yes/no confirmation (which starts
on No), the former owner losing its rights, deleting with confirmation, Shift+D doing
nothing any more; axe-core finds no violations in the menu, the target list and the
confirmation."""
from playwright.sync_api import expect

from conftest import SocketUser
from test_admin_menus import nothing_happens
from test_item_menus import add, meet


def test_transfer_and_delete_through_z(pair, server):
    alice, bob = pair
    carol = SocketUser(server, "carol")  # an account that will be offline
    carol.close()
    alice.wait_for("carol has logged out.")
    meet(bob, "alice")
    nothing_happens(alice, "Shift+D")
    alice.do("z", "No items to manage on this square.")
    add(alice, 1, "Dice", "dice")
    bob.do("z", "No permitted item management actions here.")  # not bob's item

    alice.do("z", "Items. Transfer item.")
    expect(alice.page.locator("#menu-panel h3")).to_contain_text("Items")
    alice.audit("item management menu")
    alice.do("Space", "Transfer this item to another user.")
    alice.do("ArrowDown", "Delete item")
    alice.do("Space", "Delete this item from the world.")
    alice.do("ArrowDown", "Transfer item")
    alice.do("Enter", "Loading users...")
    alice.wait_for("Users. bob, online.")
    alice.audit("transfer target list")
    alice.do("ArrowDown", "carol, offline")
    alice.do("Escape", "Transfer item")
    alice.do("Enter", "Loading users...")
    alice.wait_for("Users. bob, online.", after=1)
    alice.do("c", "carol, offline")
    alice.do("Enter", "Transfer Dice (dice) to carol? No.")
    alice.audit("transfer confirmation")
    alice.do("Enter", "carol, offline")  # No: back to the list
    alice.do("Enter", "Transfer Dice (dice) to carol? No.")
    alice.do("ArrowDown", "Yes")
    alice.do("Enter", "You transferred Dice (dice) to carol.")
    bob.wait_for("alice transferred Dice (dice) to carol.")
    expect(alice.page.locator("#menu-panel")).to_be_hidden()
    alice.page.wait_for_function("[...chgrid.game.state.items.values()].every(i => i.createdBy !== String(chgrid.game.state.userId))")
    alice.do("z", "No permitted item management actions here.")  # carol owns it now

    # deleting an item of one's own, after its confirmation
    add(alice, 2, "piano", "piano")
    alice.do("z", "Items. Transfer item.")
    alice.do("d", "Delete item")
    alice.do("Enter", "Delete piano (piano)? No.")
    alice.audit("delete confirmation")
    alice.do("Escape", "Delete item")
    alice.do("Enter", "Delete piano (piano)? No.")
    alice.do("y", "Yes")
    alice.do("n", "No")
    alice.do("y", "Yes")
    alice.do("Enter", "You deleted piano (piano).")
    bob.wait_for("alice deleted piano (piano).")
    alice.do("z", "No permitted item management actions here.")
