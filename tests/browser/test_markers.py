"""Markers on the grid (client.md "For sighted players"): two users and an item on one
square are all visible (spread out, not drawn over each other), items carry their type's
letter (also beside the item list), and the name labels are at least 14 px, inside the
canvas and never overlap. Checked on the renderer's scene and on the canvas pixels."""
from playwright.sync_api import expect

SCENE = "chgrid.game.renderer.scene"

# The share of a marker's inner square (±0.7 r around its centre) painted in a colour.
SHARE = """([cx, cy, r, [R, G, B]]) => {
  const canvas = document.getElementById('grid-canvas');
  const ratio = canvas.width / parseFloat(canvas.style.width);
  const half = Math.max(1, Math.floor(r * 0.7 * ratio));
  const d = canvas.getContext('2d').getImageData(Math.round(cx * ratio) - half, Math.round(cy * ratio) - half, 2 * half, 2 * half).data;
  let hits = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (Math.abs(d[i] - R) < 40 && Math.abs(d[i + 1] - G) < 40 && Math.abs(d[i + 2] - B) < 40) hits += 1;
  }
  return hits / (d.length / 4);
}"""

# How many dark (ink) pixels lie in the inner part of a marker: its letter.
INK = """([cx, cy, r]) => {
  const canvas = document.getElementById('grid-canvas');
  const ratio = canvas.width / parseFloat(canvas.style.width);
  const half = Math.floor(r * 0.6 * ratio);
  const d = canvas.getContext('2d').getImageData(Math.round(cx * ratio) - half, Math.round(cy * ratio) - half, 2 * half, 2 * half).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 200) ink += 1;
  return ink;
}"""


def share(player, marker: dict, hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return player.page.evaluate(SHARE, [marker["cx"], marker["cy"], marker["r"], rgb])


def overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def test_stacked_users_and_an_item_are_all_visible_with_letters(pair, screens):
    alice, bob = pair
    alice.place(20, 20)
    bob.do("Shift+L", "alice, volume")
    bob.do("Enter", "Moved to alice.")
    alice.sees("bob", 20, 20)
    alice.do("a", "Add item. clock.")
    alice.do("d", "dice")
    alice.do("Enter", "You placed Dice (dice) at 20, 20.")
    alice.wait_for_js(f"{SCENE} && {SCENE}.markers.filter(m => m.stacked === 3).length === 3")
    alice.page.locator("#game").screenshot(path=str(screens / "markers-stacked.png"))

    markers = {m["kind"]: m for m in alice.page.evaluate(SCENE)["markers"] if m["stacked"] == 3}
    assert set(markers) == {"self", "peer", "item"}
    kinds = list(markers)
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            ma, mb = markers[a], markers[b]
            gap = ((ma["cx"] - mb["cx"]) ** 2 + (ma["cy"] - mb["cy"]) ** 2) ** 0.5
            assert gap >= ma["r"] + mb["r"], f"{a} and {b} are drawn over each other"

    # Each marker shows its own colour where it stands (none hides another).
    peer, item, me = markers["peer"], markers["item"], markers["self"]
    shares = {"peer": share(alice, peer, "#1f5fbf"), "item": share(alice, item, "#e3a62f"), "self": share(alice, me, "#c0392b")}
    assert shares["peer"] > 0.2 and shares["item"] > 0.2 and shares["self"] > 0.6, shares  # letters take the rest
    # The item carries its type's letter, drawn in ink inside it.
    assert item["letter"] == "D"
    assert peer["letter"] == "B"
    assert alice.page.evaluate(INK, [item["cx"], item["cy"], item["r"]]) > 4, "no letter drawn on the item"
    expect(alice.page.locator("#item-list .swatch.item")).to_have_text("D")

    # Name labels: both there, readable, inside, apart.
    scene = alice.page.evaluate(SCENE)
    labels = {label["text"]: label for label in scene["labels"]}
    assert {"alice (you)", "bob"} <= set(labels)
    for label in scene["labels"]:
        assert label["font"] >= 14
        box = label["box"]
        assert 0 <= box["x"] and box["x"] + box["w"] <= scene["size"]
        assert 0 <= box["y"] and box["y"] + box["h"] <= scene["size"]
    assert not overlap(labels["alice (you)"]["box"], labels["bob"]["box"])
    alice.audit("grid with stacked markers")

    # bob steps away: both markers are whole again.
    bob.step("ArrowRight", (21, 20))
    alice.sees("bob", 21, 20)
    alice.wait_for_js(f"{SCENE}.markers.some(m => m.kind === 'peer' && m.stacked === 1)")
    peer = next(m for m in alice.page.evaluate(SCENE)["markers"] if m["kind"] == "peer")
    assert peer["r"] > markers["peer"]["r"]


def test_every_item_type_has_its_own_letter(new_player):
    alice = new_player()
    alice.open()
    alice.register("alice")
    letters = alice.page.evaluate("Object.fromEntries(chgrid.game.state.itemLetters)")
    assert letters == {"clock": "C", "dice": "D", "piano": "P", "radio_station": "R", "wheel": "W", "widget": "I"}
