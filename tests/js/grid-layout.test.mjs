// The grid's layout for sighted players: the canvas fits the window, the axis numbers stay
// inside the canvas (phone width too), stacked markers never overlap, item types get
// distinct letters, name labels never overlap and stay inside, and the overlay takes the
// half of the grid away from the player.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitSize, gridGeometry, overlaySide, tileCentre } from '../../web/js/grid-geometry.js';
import { MARKER_HALF, groupByTile, itemLetter, stackOffsets, typeLetters } from '../../web/js/marker-layout.js';
import { candidateBoxes, overlaps, placeLabels } from '../../web/js/label-layout.js';
import { buildScene, keepInside } from '../../web/js/grid-scene.js';

// a stand-in for canvas text metrics: 0.6 of the font size per character
const measureAt = (px) => (text) => 0.6 * px * text.length;
const measure = { axis: measureAt(14), label: measureAt(14) };

const inside = (box, size) => box.x >= 0 && box.y >= 0 && box.x + box.w <= size && box.y + box.h <= size;

test('the canvas fits the column and the height left in the window', () => {
  assert.equal(fitSize(772, 608), 608); // 1280×800: the height decides
  assert.equal(fitSize(358, 690), 358); // 390×844: the width decides
  assert.equal(fitSize(1400, 1200), 760); // never larger than the maximum
  assert.equal(fitSize(500, 90), 240); // a very short window keeps a usable grid
  assert.equal(fitSize(200, 90), 200); // but never wider than the column
  assert.equal(fitSize(400, NaN), 400);
});

test('axis numbers stay inside the canvas at phone and desktop sizes', () => {
  for (const size of [240, 358, 608, 760]) {
    for (const n of [10, 41, 100]) {
      const g = gridGeometry(size, n, measure.axis);
      assert.ok(g.cell > 0);
      assert.ok(g.left + n * g.cell <= size + 1e-9, `grid wider than the canvas at ${size}/${n}`);
      assert.ok(g.top + n * g.cell <= size, `grid taller than the canvas at ${size}/${n}`);
      assert.ok(g.axis.length > 0);
      for (const label of g.axis) assert.ok(inside(label.box, size), `${label.text} clipped at ${size}/${n}: ${JSON.stringify(label.box)}`);
      const columns = g.axis.filter((l) => l.baseline === 'top');
      const rows = g.axis.filter((l) => l.baseline === 'middle');
      for (const list of [columns, rows]) {
        for (let i = 1; i < list.length; i += 1) assert.ok(!overlaps(list[i - 1].box, list[i].box), `axis numbers overlap at ${size}/${n}`);
      }
    }
  }
});

test('tile centres: y grows north, row 0 at the bottom', () => {
  const g = gridGeometry(400, 41, measure.axis);
  const south = tileCentre(g, 0, 0);
  const north = tileCentre(g, 0, 40);
  assert.ok(south.cy > north.cy);
  assert.ok(Math.abs(south.cy - north.cy - 40 * g.cell) < 1e-9);
  assert.ok(tileCentre(g, 1, 0).cx - south.cx - g.cell < 1e-9);
});

test('stacked markers spread out without overlapping', () => {
  assert.deepEqual(stackOffsets(0), []);
  assert.deepEqual(stackOffsets(1), [{ dx: 0, dy: 0, scale: 1 }]);
  for (let count = 2; count <= 20; count += 1) {
    const offsets = stackOffsets(count);
    assert.equal(offsets.length, count);
    for (let i = 0; i < count; i += 1) {
      const a = offsets[i];
      assert.ok(a.scale > 0 && a.scale < 1, 'shared squares draw smaller markers');
      assert.ok(Math.hypot(a.dx, a.dy) + MARKER_HALF * a.scale <= 1, `marker ${i} of ${count} strays from its square`);
      for (let j = i + 1; j < count; j += 1) {
        const b = offsets[j];
        const gap = Math.hypot(a.dx - b.dx, a.dy - b.dy);
        assert.ok(gap >= MARKER_HALF * (a.scale + b.scale) - 1e-9, `markers ${i} and ${j} of ${count} overlap`);
      }
    }
  }
});

test('markers are grouped by square; a gliding player stands alone', () => {
  const groups = groupByTile([
    { id: 'a', x: 3, y: 4 }, { id: 'b', x: 3, y: 4 }, { id: 'c', x: 5, y: 4 }, { id: 'd', x: 3.5, y: 4 },
  ]);
  assert.deepEqual([...groups.values()].map((g) => g.map((m) => m.id)), [['a', 'b'], ['c'], ['d']]);
});

test('each item type gets its own letter, first come first served', () => {
  const letters = typeLetters([
    { type: 'clock', label: 'clock' }, { type: 'dice', label: 'dice' }, { type: 'piano', label: 'piano' },
    { type: 'radio_station', label: 'radio' }, { type: 'wheel', label: 'wheel' }, { type: 'widget', label: 'widget' },
  ]);
  assert.deepEqual(Object.fromEntries(letters), {
    clock: 'C', dice: 'D', piano: 'P', radio_station: 'R', wheel: 'W', widget: 'I',
  });
  assert.equal(new Set(letters.values()).size, letters.size);
  assert.equal(itemLetter(letters, 'dice'), 'D');
  assert.equal(itemLetter(letters, 'lamp'), 'L'); // a type the welcome did not describe
  const crowded = typeLetters([{ type: 'a', label: 'aa' }, { type: 'b', label: 'a' }]);
  assert.deepEqual(Object.fromEntries(crowded), { a: 'A', b: 'B' });
});

test('labels never overlap and stay inside the canvas', () => {
  const size = 300;
  // ten users on one square, ten more crowded nearby
  const requests = [];
  for (let i = 0; i < 20; i += 1) {
    const cx = i < 10 ? 150 : 140 + (i % 3) * 10;
    requests.push({ text: `user${i}`, w: 60, h: 19, anchor: { cx, cy: i < 10 ? 150 : 20, r: 5 } });
  }
  const placed = placeLabels(requests, { width: size, height: size });
  const shown = placed.filter(Boolean);
  assert.ok(shown.length >= 10, `only ${shown.length} labels placed`);
  assert.equal(placed[0].text, 'user0'); // the first (yourself) always gets a spot
  for (let i = 0; i < shown.length; i += 1) {
    assert.ok(inside(shown[i].box, size));
    for (let j = i + 1; j < shown.length; j += 1) assert.ok(!overlaps(shown[i].box, shown[j].box));
  }
});

test('a label prefers a spot that covers no marker, and is left out when there is none', () => {
  const anchor = { cx: 100, cy: 100, r: 5 };
  const above = candidateBoxes(anchor, 40, 19)[0];
  const [label] = placeLabels([{ text: 'x', w: 40, h: 19, anchor }], { width: 200, height: 200, obstacles: [above] });
  assert.ok(!overlaps(label.box, above));
  assert.deepEqual(placeLabels([{ text: 'wide', w: 500, h: 19, anchor }], { width: 200, height: 200 }), [null]);
});

test('the overlay takes the half of the grid away from the player', () => {
  assert.equal(overlaySide(0, 41), 'top');
  assert.equal(overlaySide(20, 41), 'top');
  assert.equal(overlaySide(21, 41), 'bottom');
  assert.equal(overlaySide(40, 41), 'bottom');
});

function view(extra = {}) {
  return {
    gridSize: 41,
    self: { nickname: 'alice' },
    selfDraw: { x: 10, y: 10 },
    peers: [],
    items: [],
    letters: typeLetters([{ type: 'dice', label: 'dice' }, { type: 'clock', label: 'clock' }]),
    ...extra,
  };
}

test('scene: users and items on one square are all visible, items carry their letter', () => {
  const scene = buildScene(view({
    peers: [{ id: 'b', nickname: 'bob', x: 10, y: 10 }, { id: 'c', nickname: 'carol', x: 30, y: 30 }],
    items: [{ id: 'd1', type: 'dice', title: 'Dice', x: 10, y: 10 }, { id: 'k1', type: 'clock', title: 'clock', x: 3, y: 3 }],
  }), 600, measure);
  const here = scene.markers.filter((m) => m.stacked === 3);
  assert.deepEqual(here.map((m) => m.kind), ['self', 'peer', 'item']);
  for (let i = 0; i < here.length; i += 1) {
    for (let j = i + 1; j < here.length; j += 1) {
      const a = here[i];
      const b = here[j];
      assert.ok(Math.hypot(a.cx - b.cx, a.cy - b.cy) >= a.r + b.r, `${a.kind} hides ${b.kind}`);
    }
  }
  assert.equal(scene.markers.find((m) => m.id === 'd1').letter, 'D');
  assert.equal(scene.markers.find((m) => m.id === 'k1').letter, 'C');
  assert.equal(scene.markers.find((m) => m.id === 'b').letter, 'B');
  const alone = scene.markers.find((m) => m.id === 'c');
  assert.equal(alone.stacked, 1);
  assert.ok(alone.r > here[1].r, 'a user alone is drawn larger than one sharing a square');
});

test('scene: name labels are at least 14 px, never overlap, and yours is always shown', () => {
  const peers = Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, nickname: `player${i}`, x: 10 + (i % 2), y: 10 }));
  for (const size of [358, 608]) {
    const scene = buildScene(view({ peers }), size, measure);
    assert.equal(scene.labels[0].text, 'alice (you)');
    assert.ok(scene.labels.length >= 5);
    for (const label of scene.labels) {
      assert.ok(label.font >= 14);
      assert.ok(inside(label.box, size));
    }
    for (let i = 0; i < scene.labels.length; i += 1) {
      for (let j = i + 1; j < scene.labels.length; j += 1) assert.ok(!overlaps(scene.labels[i].box, scene.labels[j].box));
    }
  }
});

test('scene: markers on an edge square are moved in together, whole and apart', () => {
  const corner = buildScene(view({
    selfDraw: { x: 40, y: 40 },
    items: [{ id: 'd1', type: 'dice', title: 'Dice', x: 40, y: 40 }, { id: 'd2', type: 'dice', title: 'Dice', x: 0, y: 0 }],
    peers: [{ id: 'p', nickname: 'pat', x: 0, y: 0 }],
  }), 358, measure);
  for (const m of corner.markers) {
    assert.ok(m.cx - m.r >= 0 && m.cx + m.r <= 358 && m.cy - m.r >= 0 && m.cy + m.r <= 358, `${m.id} sticks out`);
  }
  const [a, b] = corner.markers.filter((m) => m.x === 40);
  assert.ok(Math.hypot(a.cx - b.cx, a.cy - b.cy) >= a.r + b.r);
  const moved = keepInside([{ cx: -2, cy: 50, r: 5 }, { cx: 12, cy: 50, r: 5 }], 100);
  assert.deepEqual(moved.map((m) => m.cx), [5, 19]);
  assert.deepEqual(keepInside([{ cx: 50, cy: 98, r: 5 }], 100)[0].cy, 95);
});
