// The menu input mode: intro, wrap-around, Home/End, first-letter jump, paging, Space,
// Enter and Escape, and the cursor following its entry when the entries change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MenuMode } from '../../web/js/menu-mode.js';
import { windowStart } from '../../web/js/menu-panel.js';
import { fakeGame } from './fake-game.mjs';

function open(entries, extra = {}) {
  const game = fakeGame();
  const picked = [];
  const mode = new MenuMode(game, {
    title: 'Test',
    entries: () => entries,
    key: (e) => e,
    label: (e) => e,
    intro: (label) => `Pick: ${label}.`,
    onEnter: (e) => picked.push(e),
    onSpace: (e) => `help for ${e}`,
    ...extra,
  });
  game.pushMode(mode);
  return { game, mode, picked };
}

test('intro, wrap-around, Home/End and letters', () => {
  const { game } = open(['apple', 'banana', 'cherry', 'blueberry']);
  assert.equal(game.lastSaid(), 'Pick: apple.');
  game.key('ArrowUp');
  assert.equal(game.lastSaid(), 'blueberry');
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'apple');
  game.key('End');
  assert.equal(game.lastSaid(), 'blueberry');
  game.key('Home');
  game.key('b');
  assert.equal(game.lastSaid(), 'banana');
  game.key('b');
  assert.equal(game.lastSaid(), 'blueberry');
  game.key('z');
  assert.deepEqual(game.tones, ['blip']);
});

test('Space, Enter and Escape', () => {
  const { game, mode, picked } = open(['one', 'two']);
  game.key('ArrowDown');
  game.key(' ');
  assert.equal(game.lastSaid(), 'help for two');
  game.key('Enter');
  assert.deepEqual(picked, ['two']);
  game.key('Escape');
  assert.equal(game.lastSaid(), 'Cancelled.');
  assert.ok(!game.modes.includes(mode));
});

test('PageDown/PageUp jump ten entries with wrap when the menu adjusts nothing', () => {
  const entries = Array.from({ length: 25 }, (_, i) => `e${i}`);
  const { game } = open(entries);
  game.key('PageDown');
  assert.equal(game.lastSaid(), 'e10');
  game.key('PageDown');
  game.key('PageDown');
  assert.equal(game.lastSaid(), 'e5');
  game.key('PageUp');
  assert.equal(game.lastSaid(), 'e20');
});

test('Left/Right and paging go to onAdjust when given', () => {
  const calls = [];
  const { game } = open(['a', 'b'], { onAdjust: (e, steps, page) => calls.push([e, steps, page]) });
  game.key('ArrowRight');
  game.key('ArrowLeft');
  game.key('PageUp');
  game.key('PageDown');
  assert.deepEqual(calls, [['a', 1, false], ['a', -1, false], ['a', 1, true], ['a', -1, true]]);
});

test('the cursor follows its entry, and stays near when the entry goes', () => {
  const entries = ['a', 'b', 'c'];
  const { game, mode } = open(entries);
  game.key('ArrowDown');
  game.key('ArrowDown');
  entries.unshift('first');
  assert.equal(mode.current(), 'c');
  entries.splice(entries.indexOf('c'), 1);
  assert.equal(mode.current(), 'b');
});

test('an initial key, and an empty menu', () => {
  const { game } = open(['x', 'y', 'z'], { initialKey: 'y' });
  assert.equal(game.lastSaid(), 'Pick: y.');
  const empty = open([], { emptyText: 'Nothing.' });
  assert.equal(empty.game.lastSaid(), 'Nothing.');
  empty.game.key('Enter');
  assert.deepEqual(empty.picked, []);
});

test('describe() says the open menu and its entry, for the focus line', () => {
  const { mode, game } = open(['apple', 'banana']);
  game.key('ArrowDown');
  assert.equal(mode.describe(), 'Test: banana.');
});

test('the visible window keeps the current entry in the middle when it can', () => {
  assert.equal(windowStart(0, 30, 11), 0);
  assert.equal(windowStart(15, 30, 11), 10);
  assert.equal(windowStart(29, 30, 11), 19);
  assert.equal(windowStart(2, 3, 11), 0);
  for (const rows of [1, 3, 5]) {
    for (let index = 0; index < 20; index += 1) {
      const start = windowStart(index, 20, rows);
      assert.ok(index >= start && index < start + rows);
    }
  }
});
