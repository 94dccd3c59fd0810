// The property list against the server's real uiDefinitions (fixtures/ui-definitions.json,
// as sent in welcome): opening, a visibleWhen key appearing after the server's upsert,
// Left/Right on numbers and lists, Enter on booleans and lists, the text editor with its
// local checks, Space, read-only keys in the inspector, and the item going away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ITEM_COMMANDS } from '../../web/js/item-commands.js';
import { fakeGame } from './fake-game.mjs';

const ui = JSON.parse(readFileSync(new URL('./fixtures/ui-definitions.json', import.meta.url)));

function clock(params = {}, extra = {}) {
  return {
    id: 'c1', type: 'clock', title: 'clock', x: 5, y: 5, version: 1, capabilities: ['editable', 'carryable', 'deletable', 'usable'],
    params: { timeZone: 'America/Detroit', use24Hour: false, topOfHourAnnounce: true, alarmEnabled: false, alarmTime: '12:00 AM', ...params },
    display: { type: 'clock', x: '5', y: '5', version: '1', carrierId: 'none' },
    ...extra,
  };
}

function upsert(game, item) {
  game.deliver({ type: 'item_upsert', item });
}

test('O opens the editor list; alarm time appears once the alarm is on', () => {
  const game = fakeGame({ items: [clock()], ui });
  ITEM_COMMANDS.edit_item(game);
  assert.equal(game.lastSaid(), 'title: clock');
  game.key('ArrowUp');
  assert.equal(game.lastSaid(), 'alarm enabled: off');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'alarm enabled: on');
  assert.deepEqual(game.sent.at(-1), { type: 'item_update', itemId: 'c1', params: { alarmEnabled: true } });
  upsert(game, clock({ alarmEnabled: true }, { version: 2 }));
  game.deliver({ type: 'item_action_result', ok: true, action: 'update', message: 'Updated clock.', itemId: 'c1' });
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'alarm time: 12:00 AM');
  game.key(' ');
  assert.match(game.lastSaid(), /^Alarm time\. Uses 24-hour .* Type: text\. Max length: 8 characters\. Editable\.$/);
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Edit alarm time: 12:00 AM');
  game.type('7:30 pm');
  game.key('Enter');
  assert.deepEqual(game.sent.at(-1), { type: 'item_update', itemId: 'c1', params: { alarmTime: '7:30 pm' } });
  assert.equal(game.mode.name, 'menu', 'back in the list');
  upsert(game, clock({ alarmEnabled: true, alarmTime: '7:30 PM' }, { version: 3 }));
  assert.equal(game.lastSaid(), 'alarm time: 7:30 PM');
  game.key('Escape');
  assert.equal(game.lastSaid(), 'Closed item properties.');
  assert.equal(game.modes.length, 1);
});

test('a list opens its options; Left/Right cycle and send at once', () => {
  const game = fakeGame({ items: [clock()], ui });
  ITEM_COMMANDS.edit_item(game);
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'time zone: America/Detroit');
  game.key('ArrowRight');
  assert.equal(game.lastSaid(), 'America/Halifax');
  assert.deepEqual(game.sent.at(-1).params, { timeZone: 'America/Halifax' });
  game.key('ArrowRight');
  assert.deepEqual(game.sent.at(-1).params, { timeZone: 'America/Indiana/Indianapolis' }, 'counts from the value just sent');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Select time zone: America/Indiana/Indianapolis');
  game.key('u');
  assert.equal(game.lastSaid(), 'UTC');
  game.key('Enter');
  assert.deepEqual(game.sent.at(-1).params, { timeZone: 'UTC' });
  assert.equal(game.mode.name, 'menu');
  game.key('Escape');
});

test('numbers: Left/Right by step, PageUp by ten, clamped; the editor checks and steps', () => {
  const dice = { id: 'd1', type: 'dice', title: 'Dice', x: 5, y: 5, params: { sides: 6, number: 2 } };
  const game = fakeGame({ items: [dice], ui });
  ITEM_COMMANDS.edit_item(game);
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'sides: 6');
  game.key('ArrowRight');
  assert.equal(game.lastSaid(), '7');
  game.key('PageUp');
  assert.equal(game.lastSaid(), '17');
  assert.deepEqual(game.sent.at(-1).params, { sides: 17 });
  game.key('ArrowLeft', {});
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Edit sides: 16');
  game.key('ArrowUp');
  assert.equal(game.lastSaid(), '17');
  game.key('Backspace');
  game.type('500');
  const sends = game.sent.length;
  game.key('Enter');
  assert.equal(game.lastSaid(), 'sides must be between 1 and 100.');
  assert.equal(game.sent.length, sends, 'nothing sent');
  assert.equal(game.mode.name, 'property-edit', 'still editing');
  game.key('a', { ctrlKey: true });
  game.type('x');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'sides must be a number.');
  game.key('Escape');
  assert.equal(game.lastSaid(), 'Cancelled.');
  game.key('ArrowUp');
  game.key('Enter');
  game.key('a', { ctrlKey: true });
  game.key('Backspace');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Value is required.');
});

test('the server refusing an update brings its value back', () => {
  const dice = { id: 'd1', type: 'dice', title: 'Dice', x: 5, y: 5, params: { sides: 6, number: 2 } };
  const game = fakeGame({ items: [dice], ui });
  ITEM_COMMANDS.edit_item(game);
  game.key('ArrowDown');
  game.key('ArrowRight');
  game.deliver({ type: 'item_action_result', ok: false, action: 'update', message: 'Not authorized to edit this item.', itemId: 'd1' });
  game.key('ArrowUp');
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'sides: 6');
});

test('Shift+O inspects: record fields read from display, read-only keys say so', () => {
  const game = fakeGame({ items: [clock()], ui });
  ITEM_COMMANDS.inspect_item(game);
  game.key('v');
  assert.equal(game.lastSaid(), 'Version: 1', 'the metadata label');
  game.key('ArrowRight');
  assert.equal(game.lastSaid(), 'Version is not editable.');
  game.key(' ');
  assert.match(game.lastSaid(), /Read only\.$/);
  game.key('End');
  assert.equal(game.lastSaid(), 'use cooldown ms: 1000', 'global keys come last');
  game.key('u');
  assert.equal(game.lastSaid(), 'use24 hour: off');
});

test('the item going away closes the list and anything above it', () => {
  const game = fakeGame({ items: [clock()], ui });
  ITEM_COMMANDS.edit_item(game);
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Edit title: clock');
  game.deliver({ type: 'item_remove', itemId: 'c1' });
  assert.equal(game.lastSaid(), 'Item no longer exists.');
  assert.equal(game.modes.length, 1);
});

test('several items here: the selection asks first', () => {
  const game = fakeGame({ items: [clock(), { ...clock(), id: 'c2', title: 'other' }], ui });
  ITEM_COMMANDS.use_item(game);
  assert.equal(game.lastSaid(), 'Select item. clock (clock).');
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'other (clock)');
  game.key('Enter');
  assert.deepEqual(game.sent, [{ type: 'item_use', itemId: 'c2' }]);
  assert.equal(game.modes.length, 1);
  ITEM_COMMANDS.edit_item(game);
  game.key('Escape');
  assert.equal(game.lastSaid(), 'Cancelled.');
});

test('A: the add menu in the server order with tooltips', () => {
  const game = fakeGame({ ui });
  ITEM_COMMANDS.add_item(game);
  assert.equal(game.lastSaid(), 'Add item. clock.');
  game.key(' ');
  assert.equal(game.lastSaid(), 'It tells the time. What did you think it did?');
  game.key('ArrowDown');
  game.key('ArrowDown');
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'radio');
  game.key('Enter');
  assert.deepEqual(game.sent, [{ type: 'item_add', itemType: 'radio_station' }]);
});

test('A reopens on the type placed last; Escape does not count as a choice', () => {
  const game = fakeGame({ ui });
  ITEM_COMMANDS.add_item(game);
  game.key('ArrowDown');
  game.key('Enter');
  assert.deepEqual(game.sent, [{ type: 'item_add', itemType: 'dice' }]);
  ITEM_COMMANDS.add_item(game);
  assert.equal(game.lastSaid(), 'Add item. dice.');
  game.key('ArrowDown');
  game.key('Escape');
  ITEM_COMMANDS.add_item(game);
  assert.equal(game.lastSaid(), 'Add item. dice.');
  game.key('Escape');
  assert.equal(fakeGame({ ui }).lastAddedType, undefined); // a new page starts on the first type
});

test('D drops the carried item at the own tile; nothing here says so', () => {
  const held = { ...clock(), carrierId: 'me' };
  const game = fakeGame({ items: [held], ui });
  ITEM_COMMANDS.pickup_drop(game);
  assert.deepEqual(game.sent, [{ type: 'item_drop', itemId: 'c1', x: 5, y: 5 }]);
  const empty = fakeGame({ ui });
  ITEM_COMMANDS.pickup_drop(empty);
  ITEM_COMMANDS.edit_item(empty);
  assert.deepEqual(empty.said, ['No items to pick up.', 'No editable item here.']);
});
