// Heartbeat: -1 first, next ids only after the previous pong, a missed pong is stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Heartbeat } from '../../web/js/heartbeat.js';

function harness() {
  const sent = [];
  let stale = 0;
  let tick = null;
  const beat = new Heartbeat({
    sendPing: (id) => sent.push(id),
    onStale: () => { stale += 1; },
    setInterval: (fn) => { tick = fn; return 1; },
    clearInterval: () => { tick = null; },
  });
  return { beat, sent, stale: () => stale, tick: () => tick && tick() };
}

test('pings -1 at once, then -2, -3 while pongs come back', () => {
  const h = harness();
  h.beat.start();
  assert.deepEqual(h.sent, [-1]);
  assert.equal(h.beat.pong(-1), true);
  h.tick();
  assert.equal(h.beat.pong(-2), true);
  h.tick();
  assert.deepEqual(h.sent, [-1, -2, -3]);
  assert.equal(h.stale(), 0);
});

test('a missing pong makes the connection stale', () => {
  const h = harness();
  h.beat.start();
  h.tick();
  assert.equal(h.stale(), 1);
  assert.deepEqual(h.sent, [-1]);
});

test('positive pongs are user pings, not heartbeats', () => {
  const h = harness();
  h.beat.start();
  assert.equal(h.beat.pong(1764000000000), false);
});
