// Movement: directions (y grows north), edges, pacing against the server window, held
// arrows, and reconciling echoes and corrections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldDirections, MovementPacer, PositionReconciler, clampToGrid, stepTarget } from '../../web/js/movement.js';

test('up grows y, right grows x', () => {
  assert.deepEqual(stepTarget({ x: 5, y: 5 }, 'up', 41), { x: 5, y: 6, blocked: false });
  assert.deepEqual(stepTarget({ x: 5, y: 5 }, 'down', 41), { x: 5, y: 4, blocked: false });
  assert.deepEqual(stepTarget({ x: 5, y: 5 }, 'right', 41), { x: 6, y: 5, blocked: false });
  assert.deepEqual(stepTarget({ x: 5, y: 5 }, 'left', 41), { x: 4, y: 5, blocked: false });
});

test('the edges block', () => {
  assert.equal(stepTarget({ x: 0, y: 3 }, 'left', 41).blocked, true);
  assert.equal(stepTarget({ x: 40, y: 3 }, 'right', 41).blocked, true);
  assert.equal(stepTarget({ x: 3, y: 40 }, 'up', 41).blocked, true);
  assert.equal(stepTarget({ x: 3, y: 0 }, 'down', 41).blocked, true);
});

test('clamping into the grid', () => {
  assert.equal(clampToGrid(-3, 41), 0);
  assert.equal(clampToGrid(99, 41), 40);
  assert.equal(clampToGrid(7, 41), 7);
});

test('the pacer allows one step per tick plus a jitter guard', () => {
  const pacer = new MovementPacer(200, 1);
  assert.equal(pacer.intervalMs, 220);
  assert.equal(pacer.canStep(0), true);
  pacer.markStep(1000);
  assert.equal(pacer.canStep(1100), false);
  assert.equal(pacer.waitMs(1100), 120);
  assert.equal(pacer.canStep(1219), false);
  assert.equal(pacer.canStep(1220), true);
});

test('the pacer follows the server movement settings', () => {
  const pacer = new MovementPacer(100, 2, 0);
  assert.equal(pacer.intervalMs, 50);
  pacer.configure(300, 1, 0);
  assert.equal(pacer.intervalMs, 300);
});

test('paced steps never share a 200 ms server window', () => {
  const pacer = new MovementPacer(200, 1);
  const windows = new Set();
  for (let now = 13; now < 5000; now += 7) {
    if (pacer.canStep(now)) {
      pacer.markStep(now);
      const w = Math.floor(now / 200);
      assert.equal(windows.has(w), false);
      windows.add(w);
    }
  }
});

test('the most recently pressed held arrow wins', () => {
  const held = new HeldDirections();
  held.press('up');
  held.press('left');
  assert.equal(held.current(), 'left');
  held.release('left');
  assert.equal(held.current(), 'up');
  held.release('up');
  assert.equal(held.current(), null);
});

test('echoes confirm pending steps without snapping', () => {
  const r = new PositionReconciler();
  r.sent(1, 0);
  r.sent(2, 0);
  assert.deepEqual(r.received(1, 0), { snap: false });
  assert.deepEqual(r.received(2, 0), { snap: false });
  assert.equal(r.pending.length, 0);
});

test('a correction snaps and clears the pending steps', () => {
  const r = new PositionReconciler();
  r.sent(1, 0);
  r.sent(2, 0);
  assert.deepEqual(r.received(0, 0), { snap: true });
  assert.equal(r.pending.length, 0);
});

test('a pending teleport landing supersedes corrections of the glide steps', () => {
  const r = new PositionReconciler();
  r.sent(1, 1);
  r.sent(2, 2);
  r.sent(10, 10, { landing: true });
  assert.deepEqual(r.received(1, 1), { snap: false });
  assert.deepEqual(r.received(1, 1), { snap: false }); // correction of the (2,2) step
  assert.deepEqual(r.received(10, 10), { snap: false });
  assert.deepEqual(r.received(3, 3), { snap: true });
});
