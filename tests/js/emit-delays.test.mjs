// Widget emit loop: changing the rate or loop delay of a running schedule (upstream-0.1.md §19).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emitPhase, reanchorMs } from '../../web/js/emit-schedule.js';

const phaseAt = (at, now, duration, timing) => emitPhase(now - at, duration, { ...timing, initialDelay: 0 });

test('mid-play the same media position carries on under the new timing', () => {
  // 4 s sound, rate 1, loop delay 2 (6 s cycles): at 7 s it is 1 s into its second play
  const before = { rate: 1, loopDelay: 2 };
  const at = reanchorMs(0, 7000, 4, before, { rate: 2, loopDelay: 2 }); // 7 % 6 = 1 s into play
  assert.deepEqual(phaseAt(at, 7000, 4, { rate: 2, loopDelay: 2 }), { playing: true, offset: 1, waitMs: 0 });
});

test('switching the loop delay to 0 in the silence plays from the start at once', () => {
  const before = { rate: 1, loopDelay: 5 };
  assert.equal(phaseAt(0, 6000, 4, before).playing, false); // 2 s into the 5 s gap
  const after = { rate: 1, loopDelay: 0 };
  const at = reanchorMs(0, 6000, 4, before, after);
  assert.equal(at, 6000);
  assert.deepEqual(phaseAt(at, 6000, 4, after), { playing: true, offset: 0, waitMs: 0 });
});

test('a new positive loop delay in the silence starts its full wait now', () => {
  const before = { rate: 1, loopDelay: 5 };
  const after = { rate: 1, loopDelay: 3 };
  const at = reanchorMs(0, 6000, 4, before, after);
  assert.deepEqual(phaseAt(at, 6000, 4, after), { playing: false, offset: 0, waitMs: 3000 });
});

test('still in the initial delay, or unknown length: the anchor stays', () => {
  assert.equal(reanchorMs(5000, 1000, 4, { rate: 1, loopDelay: 0 }, { rate: 2, loopDelay: 1 }), 5000);
  assert.equal(reanchorMs(0, 9000, NaN, { rate: 1, loopDelay: 0 }, { rate: 1, loopDelay: 1 }), 0);
  assert.equal(reanchorMs(0, 9000, Infinity, { rate: 1, loopDelay: 0 }, { rate: 1, loopDelay: 1 }), 0);
});
