"""Items from the keyboard (client.md §4.1–4.5): the add-item menu in the server's order,
the item selection, use and secondary use, the property list and editor driven by the
server's uiDefinitions (visibleWhen, options, number steps, local checks, the server's
own refusals), inspect, and carrying: pick up, drop, delete (through Z). Every menu and the editor
pass an axe-core audit while open."""
import re

from playwright.sync_api import expect

# (type id, menu label, default title), in the server's itemTypeOrder
TYPES = [
    ("clock", "clock", "clock"),
    ("dice", "dice", "Dice"),
    ("piano", "piano", "piano"),
    ("radio_station", "radio", "radio"),
    ("wheel", "wheel", "wheel"),
    ("widget", "widget", "widget"),
]


def add(player, index: int, title: str, label: str) -> str:
    """Add the index-th type of the add-item menu; returns the server's "You placed …" line.
    The menu reopens on the type placed last, so Home goes back to the first one."""
    player.do("a", "Add item. ")
    player.do("Home", "clock")
    for step in range(index):
        player.do("ArrowDown", TYPES[step + 1][1])
    return player.do("Enter", f"You placed {title} ({label}) at ")


def meet(mover, target_name: str) -> None:
    """Teleport `mover` to the user `target_name` through the user list."""
    mover.do("Shift+L", f"{target_name}, volume")
    before = mover.count(f"Moved to {target_name}.") + mover.count("Already here.")
    mover.page.keyboard.press("Enter")
    mover.page.wait_for_function(
        "([a, b, n]) => [...document.querySelectorAll('#message-log li')]"
        ".filter(li => li.textContent.includes(a) || li.textContent.includes(b)).length > n",
        arg=[f"Moved to {target_name}.", "Already here.", before],
    )


def test_add_each_type_in_server_order_and_use_them(new_player, artifacts):
    alice = new_player()
    alice.open()
    alice.register("alice")
    x, y = alice.position()

    alice.do("a", "Add item. clock.")
    expect(alice.page.locator("#menu-panel")).to_be_visible()
    expect(alice.page.locator("#menu-panel li[aria-current='true']")).to_have_text("clock")
    alice.do("Space", "It tells the time. What did you think it did?")
    for _, label, _ in TYPES[1:]:
        alice.do("ArrowDown", label)
    alice.do("ArrowDown", "clock")  # wraps around
    alice.do("r", "radio")
    alice.do("Space", "Can play stations from the Internet.")
    alice.page.locator("#game").screenshot(path=str(artifacts / "add-item-menu.png"))
    alice.audit("add item menu")
    alice.do("Escape", "Cancelled.")
    expect(alice.page.locator("#menu-panel")).to_be_hidden()

    for index, (_, label, title) in enumerate(TYPES):
        line = add(alice, index, title, label)
        assert line == f"You placed {title} ({label}) at {x}, {y}."
    alice.page.wait_for_function("chgrid.game.state.items.size === 6")

    # the add menu reopens on the type placed last (widget); Escape is no choice
    alice.do("a", "Add item. widget.")
    expect(alice.page.locator("#menu-panel li[aria-current='true']")).to_have_text("widget")
    alice.do("d", "dice")
    alice.do("Escape", "Cancelled.")
    alice.do("a", "Add item. widget.")
    alice.do("Escape", "Cancelled.")

    # several items here: each item key asks which one
    alice.do("Shift+Enter", "Select item. clock (clock).")
    alice.audit("item selection")
    alice.do("r", "radio (radio)")
    alice.do("Enter", "No now playing data.")
    alice.do("Enter", "Select item. clock (clock).")
    alice.do("d", "Dice (dice)")
    rolled = alice.do("Enter", "You rolled Dice: ")
    assert re.fullmatch(r"You rolled Dice: \d+, \d+ \(total \d+\)\.", rolled)
    alice.do("Enter", "Select item. clock (clock).")
    alice.do("w", "wheel (wheel)")
    alice.do("Enter", "You spin wheel.")
    alice.wait_for_match(r"^(yes|no)$")  # the wheel's pick, three seconds later
    alice.do("Enter", "Select item. clock (clock).")
    alice.do("w", "wheel (wheel)")
    alice.do("w", "widget (widget)")
    alice.do("Enter", "You turn off widget.")
    alice.do("z", "Select item. clock (clock).")
    alice.do("Escape", "Cancelled.")
    alice.do("o", "Select item. clock (clock).")
    alice.do("p", "piano (piano)")
    alice.do("Enter", "title: piano")
    alice.do("i", "instrument: piano")
    alice.do("ArrowRight", "electric_piano")
    alice.wait_for("Updated piano.")
    alice.do("Escape", "Closed item properties.")
    assert not alice.dropped_packets()


def test_edit_properties_visible_when_options_and_inspect(pair, artifacts):
    alice, bob = pair
    add(alice, 0, "clock", "clock")

    alice.do("o", "title: clock")
    expect(alice.page.locator("#menu-panel h3")).to_contain_text("Edit clock (clock)")
    alice.do("ArrowUp", "alarm enabled: off")  # alarm time is hidden while the alarm is off
    alice.do("Space", "Enable one daily alarm announcement at the configured alarm time. Type: boolean. Editable.")
    alice.do("Enter", "alarm enabled: on")
    alice.wait_for("Updated clock.")
    alice.do("ArrowDown", "alarm time: 12:00 AM")  # visibleWhen {"alarmEnabled": true} holds now
    alice.do("Space", "Max length: 8 characters. Editable.")
    alice.do("Enter", "Edit alarm time: 12:00 AM")
    expect(alice.page.locator("#editor-line")).to_contain_text("12:00 AM")
    alice.audit("property text editor")
    alice.page.keyboard.type("7:30 pm")  # replaces the selected value
    alice.page.keyboard.press("Enter")
    alice.wait_for("alarm time: 7:30 PM")  # the server's canonical form

    alice.do("Home", "title: clock")
    alice.do("ArrowDown", "time zone: America/Detroit")
    alice.do("Enter", "Select time zone: America/Detroit")
    alice.audit("option list")
    alice.page.locator("#game").screenshot(path=str(artifacts / "property-options.png"))
    alice.do("u", "UTC")
    alice.do("Enter", "time zone: UTC")
    alice.do("ArrowLeft", "Pacific/Pago_Pago")
    alice.wait_for("Updated clock.", after=3)

    alice.do("Home", "title: clock")
    alice.do("Enter", "Edit title: clock")
    alice.page.keyboard.type("kitchen clock")
    alice.page.keyboard.press("Enter")
    alice.wait_for("Updated kitchen clock.")
    alice.audit("property list")
    alice.page.locator("#game").screenshot(path=str(artifacts / "property-list.png"))
    alice.do("Escape", "Closed item properties.")
    bob.page.wait_for_function("[...chgrid.game.state.items.values()].some(i => i.title === 'kitchen clock')")

    alice.do("Shift+O", "title: kitchen clock")
    alice.do("v", "Version: 6")
    alice.do("ArrowRight", "Version is not editable.")
    alice.do("Space", "Server-side item version incremented on each update. Type: number. Read only.")
    alice.do("ArrowUp", "Carrier: none")
    alice.do("Escape", "Closed item properties.")

    # a widget next to it: facing shows only once directional is on; numbers step
    add(alice, 5, "widget", "widget")
    alice.do("o", "Select item. kitchen clock (clock).")
    alice.do("ArrowDown", "widget (widget)")
    alice.do("Enter", "title: widget")
    alice.do("d", "directional: off")
    alice.do("ArrowDown", "emit range: 15")
    alice.do("ArrowUp", "directional: off")
    alice.do("ArrowRight", "on")
    alice.wait_for("Updated widget.")
    alice.do("ArrowDown", "facing: 0")
    alice.do("ArrowRight", "1")
    # each answer before the next change: two equal lines within 300 ms are said once
    alice.wait_for("Updated widget.", after=1)
    alice.do("PageUp", "11")
    alice.wait_for("Updated widget.", after=2)
    alice.do("Enter", "Edit facing: 11")
    alice.do("ArrowUp", "12")
    alice.page.keyboard.press("Control+A")
    alice.page.keyboard.type("400")
    alice.do("Enter", "facing must be between 0 and 360.")  # checked locally, nothing sent
    alice.do("Escape", "Cancelled.")
    alice.do("Escape", "Closed item properties.")

    # someone else's item: the server refuses, and its words are what bob hears
    meet(bob, "alice")
    bob.do("o", "Select item. kitchen clock (clock).")
    bob.do("Enter", "title: kitchen clock")
    bob.do("ArrowDown", "time zone: Pacific/Pago_Pago")
    bob.do("ArrowRight", "UTC")
    bob.wait_for("Not authorized to edit this item.")
    bob.do("Escape", "Closed item properties.")


def test_pick_up_carry_drop_and_delete(pair):
    alice, bob = pair
    meet(bob, "alice")
    x, y = alice.position()
    add(alice, 1, "Dice", "dice")
    bob.wait_for(f"alice placed Dice (dice) at {x}, {y}.")

    alice.do("Enter", "You rolled Dice: ")
    bob.wait_for("alice rolled Dice: ")
    alice.do("Shift+Enter", "No secondary action for Dice.")
    alice.do("d", "Picked up Dice.")
    bob.wait_for("alice picked up Dice (dice).")

    # carried by someone else: gone from bob's tile and lists
    bob.page.wait_for_function("[...chgrid.game.state.items.values()].every(i => i.carrierId)")
    bob.do("i", "No items to locate.")
    bob.do("d", "No items to pick up.")
    bob.do("Enter", "No usable items here.")
    bob.do("o", "No editable item here.")

    # the carried item goes along and is used, edited and dropped from anywhere
    nx = x - 1 if x > 0 else x + 1
    alice.step("ArrowLeft" if x > 0 else "ArrowRight", (nx, y))
    alice.page.wait_for_timeout(1100)  # the dice's cooldown
    alice.do("Enter", "You rolled Dice: ")
    alice.do("o", "title: Dice")
    alice.do("Escape", "Closed item properties.")
    alice.do("d", f"Dropped Dice at {nx}, {y}.")
    bob.wait_for(f"alice dropped Dice (dice) at {nx}, {y}.")
    direction = "directly west" if nx < x else "directly east"
    bob.do("i", f"Dice (dice), 1 square {direction}, {nx}, {y}")

    alice.do("z", "Items. Transfer item.")  # deleting is in the item management menu now
    alice.do("d", "Delete item")
    alice.do("Enter", "Delete Dice (dice)? No.")
    alice.do("y", "Yes")
    alice.do("Enter", "You deleted Dice (dice).")
    bob.page.wait_for_function("chgrid.game.state.items.size === 0")
    alice.do("z", "No items to manage on this square.")
    alice.do("d", "No items to pick up.")
