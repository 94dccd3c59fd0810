// Message history: 300 lines kept, cursor browsing with edges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageHistory, HISTORY_LIMIT } from '../../web/js/history.js';

test('empty history reads nothing', () => {
  const h = new MessageHistory();
  assert.deepEqual(h.previous(), { text: null, edge: true });
});

test('browsing back and forth with edges', () => {
  const h = new MessageHistory();
  h.push('one');
  h.push('two');
  h.push('three');
  assert.deepEqual(h.previous(), { text: 'two', edge: false });
  assert.deepEqual(h.previous(), { text: 'one', edge: false });
  assert.deepEqual(h.previous(), { text: 'one', edge: true });
  assert.deepEqual(h.next(), { text: 'two', edge: false });
  assert.deepEqual(h.last(), { text: 'three', edge: false });
  assert.deepEqual(h.next(), { text: 'three', edge: true });
  assert.deepEqual(h.first(), { text: 'one', edge: false });
  assert.deepEqual(h.first(), { text: 'one', edge: true });
});

test('a new line moves the cursor to the newest', () => {
  const h = new MessageHistory();
  h.push('a');
  h.push('b');
  h.first();
  h.push('c');
  assert.deepEqual(h.previous(), { text: 'b', edge: false });
});

test('only the newest 300 lines are kept', () => {
  const h = new MessageHistory();
  for (let i = 0; i < 305; i += 1) h.push(`line ${i}`);
  assert.equal(HISTORY_LIMIT, 300);
  assert.equal(h.size, 300);
  assert.equal(h.first().text, 'line 5');
  assert.equal(h.last().text, 'line 304');
});
