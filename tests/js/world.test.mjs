// World state, chat lines and sounds, naming newcomers, text clean-up, lists, teleports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrivalNames, WorldState } from '../../web/js/world-state.js';
import { chatLine, chatSound, loggedInNickname } from '../../web/js/chat.js';
import { charName, sanitizeNickname, sanitizeUsername } from '../../web/js/text.js';
import { ListCursor } from '../../web/js/listnav.js';
import { glideDurationMs, glidePoint, stepToward } from '../../web/js/teleport.js';
import { helpLines } from '../../web/js/help.js';
import { spatialMix } from '../../web/js/spatial.js';

const welcome = {
  id: 'me',
  player: { id: 'me', nickname: 'Maria', x: 50, y: -2 },
  users: [{ id: 'b', nickname: 'zed', x: 1, y: 1 }, { id: 'c', nickname: 'Bob', x: 3, y: 3 }],
  items: [{ id: 'i', type: 'dice', title: 'Dice', x: 40, y: 0 }, { id: 'j', type: 'dice', title: 'Held', x: 0, y: 0, carrierId: 'b' }],
  worldConfig: { gridSize: 41, movementTickMs: 250 },
  uiDefinitions: { itemTypes: [{ type: 'dice', label: 'dice game', editableProperties: [] }] },
};

test('welcome is loaded and the spawn clamped into the grid', () => {
  const s = new WorldState();
  s.loadWelcome(welcome);
  assert.deepEqual(s.self, { x: 40, y: 0, nickname: 'Maria' });
  assert.equal(s.movementTickMs, 250);
  assert.equal(s.movementMaxStepsPerTick, 1);
  assert.deepEqual(s.peersByName().map((p) => p.nickname), ['Bob', 'zed']);
  assert.equal(s.nearestPeer().nickname, 'Bob');
  assert.deepEqual(s.groundItemsByDistance().map((i) => i.id), ['i']);
  assert.equal(s.typeLabel('dice'), 'dice game');
  assert.deepEqual(s.itemsAt(40, 0).map((i) => i.id), ['i']);
});

test('unknown ids in update_position become peers', () => {
  const s = new WorldState();
  s.loadWelcome(welcome);
  const result = s.movePeer('new', 5, 5, 'newcomer');
  assert.equal(result.added, true);
  assert.equal(s.peers.get('new').nickname, 'newcomer');
  assert.equal(s.movePeer('new', 6, 5, 'ignored').previous.x, 5);
});

test('arrival names pair with the next unknown id, oldest first, and expire', () => {
  const names = new ArrivalNames(1000);
  names.loggedIn('ann', 0);
  names.loggedIn('ben', 10);
  assert.equal(names.take(20), 'ann');
  assert.equal(names.take(2000), null);
});

test('chat lines and sounds', () => {
  assert.equal(chatLine({ message: 'hi', senderNickname: 'bob', system: false, action: false }), 'bob: hi');
  assert.equal(chatLine({ message: 'bob waves', senderNickname: 'bob', system: false, action: true }), 'bob waves');
  assert.equal(chatLine({ message: 'bob has logged in.', system: true, action: false }), 'bob has logged in.');
  assert.equal(chatSound({ message: 'bob waves', action: true }), 'action');
  assert.equal(chatSound({ message: 'bob has logged in.', system: true }), 'logon');
  assert.equal(chatSound({ message: 'bob has logged out.', system: true }), 'logout');
  assert.equal(chatSound({ message: 'a is now known as b.', system: true }), 'notify');
  assert.equal(chatSound({ message: 'Server reboot already in progress.', system: true }), 'blip');
  assert.equal(chatSound({ message: 'hello', system: false }), null);
  assert.equal(loggedInNickname({ message: 'Mr. X has logged in.', system: true }), 'Mr. X');
  assert.equal(loggedInNickname({ message: 'Mr. X has logged in.', system: false }), null);
});

test('usernames and nicknames are cleaned before sending', () => {
  assert.equal(sanitizeUsername('  Maria K!_1-  '), 'mariak_1-');
  assert.equal(sanitizeNickname('  <b>Bob</b>\u0007 '), 'bBob/b');
  assert.equal([...sanitizeNickname('x'.repeat(40))].length, 32);
  assert.equal(charName('('), 'left parenthesis');
  assert.equal(charName('q'), 'q');
});

test('list cursor wraps and jumps by first letter', () => {
  const c = new ListCursor(['anna', 'bob', 'bea', 'carl']);
  assert.equal(c.up(), 'carl');
  assert.equal(c.down(), 'anna');
  assert.equal(c.jump('b'), 'bob');
  assert.equal(c.jump('B'), 'bea');
  assert.equal(c.jump('b'), 'bob');
  assert.equal(c.jump('z'), null);
  assert.equal(c.end(), 'carl');
  assert.equal(c.home(), 'anna');
});

test('teleport glide at 20 tiles per second with one-tile steps', () => {
  assert.equal(glideDurationMs({ x: 0, y: 0 }, { x: 20, y: 0 }), 1000);
  assert.deepEqual(glidePoint({ x: 0, y: 0 }, { x: 20, y: 0 }, 500), { x: 10, y: 0 });
  assert.deepEqual(glidePoint({ x: 0, y: 0 }, { x: 20, y: 0 }, 5000), { x: 20, y: 0 });
  assert.deepEqual(stepToward({ x: 0, y: 0 }, { x: 10, y: -3 }), { x: 1, y: -1 });
  assert.deepEqual(stepToward({ x: 4, y: 4 }, { x: 4.2, y: 3.9 }), { x: 4, y: 4 });
});

test('help lines from help.json', () => {
  assert.deepEqual(helpLines({ sections: [{ title: 'Moving', items: [{ keys: 'C', description: 'coordinates' }] }] }), ['Moving', 'C: coordinates']);
  assert.deepEqual(helpLines(null), []);
});

test('spatial mix: range, smoothstep, pan', () => {
  assert.deepEqual(spatialMix({ x: 0, y: 0 }, { x: 0, y: 0 }, { range: 20 }), { gain: 1, pan: 0 });
  assert.equal(spatialMix({ x: 30, y: 0 }, { x: 0, y: 0 }, { range: 20 }).gain, 0);
  const half = spatialMix({ x: 10, y: 0 }, { x: 0, y: 0 }, { range: 20, baseGain: 1 });
  assert.equal(half.gain, 0.5);
  assert.ok(Math.abs(half.pan - Math.SQRT1_2) < 1e-9);
  assert.equal(spatialMix({ x: 10, y: 0 }, { x: 0, y: 0 }, { range: 20, mono: true }).pan, 0);
});
