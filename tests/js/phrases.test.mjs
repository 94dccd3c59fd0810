// Spoken phrases: distance and direction, counts, locate and list lines, tile contents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  directionWord, distancePhrase, focusLine, formatGain, itemLine, itemListIntro, locateLine, tileContentsLine, titled,
  userCount, userListEntry, userListIntro, usersLine,
} from '../../web/js/phrases.js';

test('directions, with y growing north', () => {
  assert.equal(directionWord(0, 3), 'directly north');
  assert.equal(directionWord(0, -3), 'directly south');
  assert.equal(directionWord(2, 0), 'directly east');
  assert.equal(directionWord(-2, 0), 'directly west');
  assert.equal(directionWord(2, 2), 'northeast');
  assert.equal(directionWord(-2, 2), 'northwest');
  assert.equal(directionWord(-2, -2), 'southwest');
  assert.equal(directionWord(2, -2), 'southeast');
  assert.equal(directionWord(5, 1), 'east');
  assert.equal(directionWord(1, 5), 'north');
});

test('distance phrases', () => {
  assert.equal(distancePhrase({ x: 1, y: 1 }, { x: 1, y: 1 }), 'here');
  assert.equal(distancePhrase({ x: 1, y: 1 }, { x: 2, y: 1 }), '1 square directly east');
  assert.equal(distancePhrase({ x: 0, y: 0 }, { x: 3, y: 4 }), '5 squares northeast');
});

test('user lines', () => {
  assert.equal(usersLine('Maria', []), '1 user: Maria');
  assert.equal(usersLine('Maria', ['bob', 'zed']), '3 users: Maria, bob, zed');
  assert.equal(locateLine({ x: 0, y: 0 }, { nickname: 'bob', x: 0, y: 2 }), 'bob, 2 squares directly north, 0, 2');
  assert.equal(userListEntry({ x: 0, y: 0 }, { nickname: 'bob', x: 0, y: 0 }, 1.05), 'bob, volume 1.05, here, 0, 0');
});

test('U and Shift+L count the same users: everyone, you included', () => {
  for (const others of [1, 2, 5]) {
    const names = Array.from({ length: others }, (_, i) => `p${i}`);
    const u = usersLine('me', names);
    const list = userListIntro(others, 'p0, volume 1, here, 0, 0');
    const count = (line) => line.match(/^(\d+) users?\b/)[1];
    assert.equal(count(u), count(list));
    assert.equal(count(list), String(others + 1));
  }
  assert.equal(userCount(0), '1 user');
  assert.equal(userListIntro(1, 'bob, volume 1, here, 0, 0'), '2 users, 1 other. bob, volume 1, here, 0, 0.');
  assert.equal(userListIntro(2, 'bob'), '3 users, 2 others. bob.');
});

test('title-first announcements end in one period (upstream §18)', () => {
  assert.equal(titled('Effects', 'Off'), 'Effects. Off.');
  assert.equal(titled('Microphone gain', '1.05'), 'Microphone gain. 1.05.');
  assert.equal(titled('Users', 'bob, admin, active.'), 'Users. bob, admin, active.');
  assert.equal(titled('Items', 'Surprise!'), 'Items. Surprise!');
  assert.equal(titled('Items', 'Who?'), 'Items. Who?');
  assert.equal(itemListIntro(1, 'dice (Dice), here, 5, 5'), '1 item. dice (Dice), here, 5, 5.');
  assert.equal(itemListIntro(3, 'a (Clock), 2 squares directly north, 5, 7'), '3 items. a (Clock), 2 squares directly north, 5, 7.');
});

test('the focus line says where you are and what is open', () => {
  assert.equal(focusLine({ x: 3, y: 4 }), 'You are at 3, 4.');
  assert.equal(focusLine({ x: 3, y: 4 }, 'Add item: dice.'), 'You are at 3, 4. Add item: dice.');
});

test('item lines', () => {
  assert.equal(itemLine({ x: 0, y: 0 }, { title: 'Dice', type: 'dice', x: 1, y: 0 }, 'dice'), 'Dice (dice), 1 square directly east, 1, 0');
});

test('gains are spoken without trailing zeros', () => {
  assert.equal(formatGain(1), '1');
  assert.equal(formatGain(0.5), '0.5');
  assert.equal(formatGain(1.0500000001), '1.05');
});

test('tile contents', () => {
  assert.equal(tileContentsLine([], []), '');
  assert.equal(tileContentsLine(['bob'], []), 'bob.');
  assert.equal(tileContentsLine(['bob', 'al'], ['Dice (dice)']), 'bob, al. Dice (dice).');
});
