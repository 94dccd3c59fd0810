// Reconnect backoff (docs/client.md "Staying connected"): 1 s doubling to a 30 s cap, ±20 %
// jitter; and the heartbeat probe used when the page is shown again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs, backoffSchedule } from '../../web/js/reconnect-policy.js';
import { Heartbeat } from '../../web/js/heartbeat.js';

test('nominal schedule doubles from 1 s and stops at 30 s', () => {
  assert.deepEqual(backoffSchedule(8), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(backoffDelayMs(1000, { random: () => 0.5 }), 30000); // no overflow far out
});

test('jitter stays within ±20 % and reaches both ends', () => {
  assert.equal(backoffDelayMs(1, { random: () => 0 }), 800);
  assert.equal(backoffDelayMs(1, { random: () => 0.999999 }), 1200);
  assert.equal(backoffDelayMs(3, { random: () => 0 }), 3200);
  assert.equal(backoffDelayMs(9, { random: () => 0.999999 }), 36000);
  for (let attempt = 1; attempt <= 12; attempt += 1) {
    for (const r of [0, 0.1, 0.37, 0.5, 0.82, 0.999]) {
      const nominal = Math.min(30000, 1000 * 2 ** (attempt - 1));
      const delay = backoffDelayMs(attempt, { random: () => r });
      assert.ok(delay >= nominal * 0.8 && delay <= nominal * 1.2, `${attempt}/${r}: ${delay}`);
    }
  }
});

test('two clients with different random draws do not wait the same time', () => {
  assert.notEqual(backoffDelayMs(4, { random: () => 0.1 }), backoffDelayMs(4, { random: () => 0.9 }));
});

test('attempt numbers below 1 count as the first', () => {
  assert.equal(backoffDelayMs(0, { random: () => 0.5 }), 1000);
  assert.equal(backoffDelayMs(-3, { random: () => 0.5 }), 1000);
});

function harness() {
  const sent = [];
  let stale = 0;
  let tick = null;
  let intervals = 0;
  const beat = new Heartbeat({
    sendPing: (id) => sent.push(id),
    onStale: () => { stale += 1; },
    setInterval: (fn) => { tick = fn; intervals += 1; return intervals; },
    clearInterval: () => { tick = null; },
  });
  return {
    beat, sent, stale: () => stale, tick: () => tick && tick(), intervals: () => intervals,
  };
}

test('probe sends the next heartbeat at once and restarts the interval', () => {
  const h = harness();
  h.beat.start();
  h.beat.pong(-1);
  h.beat.probe();
  assert.deepEqual(h.sent, [-1, -2]);
  assert.equal(h.intervals(), 2);
  h.tick(); // no pong for -2 within one interval: stale
  assert.equal(h.stale(), 1);
});

test('probe waits for an unanswered heartbeat and does nothing when stopped', () => {
  const h = harness();
  h.beat.probe();
  assert.deepEqual(h.sent, []);
  h.beat.start();
  h.beat.probe(); // -1 still unanswered
  assert.deepEqual(h.sent, [-1]);
  h.beat.pong(-1);
  h.beat.probe();
  h.beat.pong(-2);
  h.tick();
  assert.deepEqual(h.sent, [-1, -2, -3]);
  assert.equal(h.stale(), 0);
});
