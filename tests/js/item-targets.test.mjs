// Which items the item keys act on: items on the own tile (never ones carried by anyone),
// the carried item first for use, fallbacks to the carried item, and the "none" lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { itemTargets } from '../../web/js/item-targets.js';

const ALL = ['editable', 'carryable', 'deletable', 'usable'];
const item = (id, x, y, extra = {}) => ({ id, title: id, type: 'dice', x, y, capabilities: ALL, ...extra });
const self = { x: 5, y: 5 };
const world = (items) => ({ items, self, selfId: 'me' });

test('nothing here: each action has its line', () => {
  const w = world([item('far', 1, 1)]);
  assert.equal(itemTargets('edit', w).none, 'No editable item here.');
  assert.equal(itemTargets('inspect', w).none, 'No item to inspect.');
  assert.equal(itemTargets('pickup', w).none, 'No items to pick up.');
  assert.equal(itemTargets('delete', w).none, 'No items to delete.');
  assert.equal(itemTargets('use', w).none, 'No usable items here.');
  assert.equal(itemTargets('secondary_use', w).none, 'No usable items here.');
  for (const action of ['edit', 'inspect', 'pickup', 'delete', 'use']) assert.deepEqual(itemTargets(action, w).items, []);
});

test('items carried by others are never targets, even on the tile', () => {
  const w = world([item('theirs', 5, 5, { carrierId: 'other' }), item('mine', 5, 5)]);
  for (const action of ['edit', 'inspect', 'pickup', 'delete', 'use']) {
    assert.deepEqual(itemTargets(action, w).items.map((i) => i.id), ['mine'], action);
  }
});

test('several on the tile are all offered (the selection)', () => {
  const w = world([item('a', 5, 5), item('b', 5, 5), item('c', 4, 5)]);
  assert.deepEqual(itemTargets('pickup', w).items.map((i) => i.id), ['a', 'b']);
});

test('carrying: D drops, Enter uses the carried item, O falls back to it', () => {
  const carried = item('held', 5, 5, { carrierId: 'me' });
  const w = world([carried, item('ground', 5, 5)]);
  assert.equal(itemTargets('pickup', w).drop, carried);
  assert.deepEqual(itemTargets('use', w).items, [carried]);
  assert.deepEqual(itemTargets('secondary_use', w).items, [carried]);
  assert.deepEqual(itemTargets('edit', w).items.map((i) => i.id), ['ground']);
  const alone = world([carried]);
  assert.deepEqual(itemTargets('edit', alone).items, [carried]);
  assert.deepEqual(itemTargets('inspect', alone).items, [carried]);
  assert.deepEqual(itemTargets('delete', alone).items, [carried]);
});

test('capabilities filter the candidates', () => {
  const w = world([item('fixed', 5, 5, { capabilities: ['usable'] })]);
  assert.deepEqual(itemTargets('pickup', w).items, []);
  assert.deepEqual(itemTargets('edit', w).items, []);
  assert.deepEqual(itemTargets('delete', w).items, []);
  assert.equal(itemTargets('use', w).items.length, 1);
  assert.equal(itemTargets('inspect', w).items.length, 1);
});

test('accepts any iterable of items (the world map values)', () => {
  const map = new Map([['a', item('a', 5, 5)]]);
  assert.equal(itemTargets('use', { items: map.values(), self, selfId: 'me' }).items.length, 1);
});
