"""The command palette (upstream-0.1 §15) from the keyboard: Shift+K, the Applications
key and Shift+F10 open it over normal mode with "{label}: {shortcut}" entries that depend
on what is here, type-ahead search, Space reads tooltips (the server's for its seven
ids), Enter runs the command as its key, Escape "Closed commands."; over piano mode it
lists the piano's commands and lets key releases through. axe-core finds no violations
while it is open."""
from playwright.sync_api import expect

from test_item_menus import add


def palette_texts(player) -> list[str]:
    """Every entry of the open palette (the panel over the grid shows only a window of them)."""
    return player.page.evaluate("chgrid.game.mode.entries.map(e => e.text)")


def test_palette_in_normal_mode(new_player, artifacts):
    alice = new_player()
    alice.open()
    alice.register("alice")
    x, y = alice.position()

    alice.do("Shift+K", "Commands. Edit nickname: N.")
    expect(alice.page.locator("#menu-panel h3")).to_contain_text("Commands")
    alice.audit("command palette")
    alice.page.locator("#game").screenshot(path=str(artifacts / "command-palette.png"))
    alice.do("ArrowUp", "Disconnect prompt: Escape")
    alice.do("ArrowDown", "Edit nickname: N")
    alice.do("Space", "Change the nickname others see.")
    alice.do("ArrowDown", "Mute or unmute microphone: M")
    # a single letter jumps to the next entry starting with it; quick letters narrow the search
    alice.do("r", "Raise master volume: equals")
    alice.do("r", "Raise active effect value: Shift+equals")
    alice.page.keyboard.type("spe")
    alice.wait_for("Speak coordinates: C")
    # nothing to use, pick up or chat about yet
    texts = palette_texts(alice)
    assert not any(text.startswith(("Use item", "Pick up or drop item", "Item management", "Previous chat")) for text in texts), texts
    alice.do("Enter", f"{x}, {y}")  # runs exactly as C
    expect(alice.page.locator("#menu-panel")).to_be_hidden()

    alice.do("ContextMenu", "Commands. Edit nickname: N.")
    alice.do("Escape", "Closed commands.")
    alice.do("Shift+F10", "Commands. Edit nickname: N.")
    alice.do("Escape", "Closed commands.")

    # with an item here: its commands appear, the server's texts replace the client's
    add(alice, 1, "Dice", "dice")
    alice.do("Shift+K", "Commands.")
    texts = palette_texts(alice)
    for wanted in ("Use item: Enter", "Secondary item action: Shift+Enter", "Pick up or drop item: D",
                   "Item management: Z", "Edit item properties: O", "Inspect item properties: Shift+O",
                   "Add item: A", "Previous chat message: comma", "Open help: question mark"):
        assert wanted in texts, (wanted, texts)
    alice.do("p", "Pick up or drop item: D")
    alice.do("Space", "Pick up an item or drop your carried item.")  # the server's tooltip
    alice.do("u", "Use item: Enter")
    alice.do("Enter", "You rolled Dice: ")
    assert alice.page.evaluate("chgrid.game.mode.name") == "normal"

    # the palette runs Escape as Escape: the disconnect prompt, not a disconnect
    alice.do("Shift+K", "Commands.")
    alice.do("End", "Disconnect prompt: Escape")
    alice.do("Enter", "Press Escape again to disconnect.")
    alice.do("c", f"{x}, {y}")


def test_palette_over_piano_mode(new_player):
    alice = new_player(test_mode=True)
    alice.open()
    alice.register("alice")
    add(alice, 2, "piano", "piano")
    alice.do("Enter", "press question mark for help")
    alice.do("Shift+K", "Commands. Open piano help: question mark.")
    alice.audit("command palette over the piano")
    alice.do("ArrowDown", "Exit piano mode: Escape")
    alice.do("ArrowDown", "Play demo: Enter")
    alice.do("r", "Raise octave: equals")
    alice.do("Enter", "octave 1.")
    assert alice.page.evaluate("chgrid.game.mode.name") == "piano"
    alice.do("Shift+K", "Commands.")
    alice.page.keyboard.type("swi")
    alice.wait_for("Switch to piano preset: 1")
    alice.do("ArrowDown", "Switch to electric piano preset: 2")
    alice.do("Space", "Switch to instrument preset 2: electric_piano.")
    alice.do("Escape", "Closed commands.")
    assert alice.page.evaluate("chgrid.game.mode.name") == "piano"

    # a note held while the palette opens stops when its key is released
    alice.page.keyboard.down("a")
    alice.page.wait_for_function("window.__chgridTest.soundingNotes().length === 1")
    alice.do("ContextMenu", "Commands.")
    alice.page.keyboard.up("a")
    alice.page.wait_for_function("window.__chgridTest.soundingNotes().length === 0")
    alice.do("Escape", "Closed commands.")
    alice.do("Escape", "Stopped piano.")
