"""The grid fits the window (client.md "For sighted players"): at 1280×800 and at phone
width (390×844) the grid, the line being typed and the open menu (add item, help, the
property list with its editor) all lie inside the viewport, shown over the grid; the axis
numbers are not clipped; every screen passes axe-core. Screenshots of each go to a
temporary folder (printed with -s)."""
import pytest
from playwright.sync_api import expect

SIZES = [pytest.param(1280, 800, id="1280x800"), pytest.param(390, 844, id="390x844")]
CANVAS = "#grid-canvas"


def shoot(player, screens, name: str) -> None:
    size = player.page.viewport_size
    player.page.screenshot(path=str(screens / f"{name}-{size['width']}x{size['height']}.png"))


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_grid_typed_line_and_menus_lie_inside_the_viewport(new_player, screens, width, height):
    alice = new_player(width=width, height=height)
    alice.open()
    alice.register("alice")
    canvas = alice.assert_on_screen(CANVAS)
    assert canvas["width"] >= min(width - 40, 500) or canvas["height"] >= height * 0.6, f"the grid is small: {canvas}"
    assert alice.page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"

    # The axis numbers the renderer laid out are inside the canvas (nothing clipped).
    scene = alice.page.evaluate("chgrid.game.renderer.scene")
    size = scene["size"]
    assert size == pytest.approx(canvas["width"] - 2, abs=1)  # the canvas has a 1 px border
    for label in scene["geometry"]["axis"]:
        box = label["box"]
        assert box["x"] >= 0 and box["y"] >= 0, label
        assert box["x"] + box["w"] <= size and box["y"] + box["h"] <= size, label
    assert scene["geometry"]["font"] >= 14

    # The chat line being typed, large over the grid.
    alice.do("Slash", "Chat.")
    alice.page.keyboard.type("hello everyone, this is a long line typed at the grid")
    expect(alice.page.locator("#editor-line")).to_contain_text("this is a long line")
    line = alice.assert_on_screen("#editor-line", within=CANVAS)
    larger = alice.page.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('editor-line')).fontSize) / parseFloat(getComputedStyle(document.body).fontSize)")
    assert larger >= 1.1, "the typed line is shown larger than the page's text"
    assert line["width"] >= canvas["width"] * 0.8
    shoot(alice, screens, "chat-line")
    alice.audit(f"typed chat line at {width}x{height}")
    # A line longer than the box: the box stays on the grid and shows the cursor's end of it.
    alice.page.keyboard.type(" and it goes on" * 20)
    alice.assert_on_screen("#editor-line", within=CANVAS)
    alice.assert_on_screen("#editor-line .cursor", within="#editor-line")
    shoot(alice, screens, "chat-long-line")
    alice.do("Escape", "Cancelled.")
    expect(alice.page.locator("#editor-line")).to_be_hidden()

    # The add-item menu.
    alice.do("a", "Add item. clock.")
    alice.assert_on_screen("#menu-panel", within=CANVAS)
    alice.assert_on_screen("#menu-panel li[aria-current='true']", within=CANVAS)
    shoot(alice, screens, "add-menu")
    alice.audit(f"add item menu at {width}x{height}")
    alice.do("d", "dice")
    alice.do("Enter", "You placed Dice (dice)")

    # The help viewer, the longest menu: as many lines as fit, the current one shown.
    alice.do("Shift+Slash", "Help. Moving")
    alice.assert_on_screen("#menu-panel", within=CANVAS)
    for _ in range(12):
        alice.page.keyboard.press("ArrowDown")
    expect(alice.page.locator("#menu-panel h3")).to_contain_text("(13 of ")
    alice.assert_on_screen("#menu-panel li[aria-current='true']", within=CANVAS)
    shoot(alice, screens, "help")
    alice.audit(f"help viewer at {width}x{height}")
    alice.do("Escape", "Closed help.")

    # The property list with the title editor open: the menu and the typed line together.
    alice.do("o", "title: Dice")
    alice.do("Enter", "Edit title: Dice")
    alice.page.keyboard.type("Lucky dice with a rather long title")
    alice.assert_on_screen("#menu-panel", within=CANVAS)
    alice.assert_on_screen("#editor-line", within=CANVAS)
    alice.assert_on_screen("#menu-panel li[aria-current='true']", within=CANVAS)
    shoot(alice, screens, "property-editor")
    alice.audit(f"property list and editor at {width}x{height}")
    alice.page.keyboard.press("Escape")
    alice.do("Escape", "Closed item properties.")
    expect(alice.page.locator("#menu-panel")).to_be_hidden()
    alice.assert_on_screen(CANVAS)


def test_the_overlay_keeps_off_the_players_half(new_player):
    alice = new_player()
    alice.open()
    alice.register("alice")
    overlay = alice.page.locator("#grid-overlay")
    alice.place(20, 5)  # low on the grid: menus go over the top half
    alice.do("a", "Add item. clock.")
    expect(overlay).to_have_attribute("data-side", "top")
    panel = alice.box("#menu-panel")
    me = alice.page.evaluate("chgrid.game.renderer.scene.markers.find(m => m.kind === 'self')")
    canvas = alice.box("#grid-canvas")
    assert panel["y"] + panel["height"] < canvas["y"] + me["cy"] - me["r"], "the menu covers the player"
    alice.do("Escape", "Cancelled.")
    alice.place(20, 35)  # high on the grid: over the bottom half
    alice.do("a", "Add item. clock.")
    expect(overlay).to_have_attribute("data-side", "bottom")
    panel = alice.box("#menu-panel")
    me = alice.page.evaluate("chgrid.game.renderer.scene.markers.find(m => m.kind === 'self')")
    assert panel["y"] > canvas["y"] + me["cy"] + me["r"], "the menu covers the player"
    alice.do("Escape", "Cancelled.")
