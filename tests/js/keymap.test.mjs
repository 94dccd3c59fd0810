// Key mapping of normal mode: codes for letters and arrows, typed characters for symbols,
// modifiers ignored, no auto-repeat for letters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrowDirection, keyCode, normalCommand, suppressRepeat } from '../../web/js/keymap.js';

const key = (code, keyValue, mods = {}) => ({ code, key: keyValue, shiftKey: false, altKey: false, ctrlKey: false, metaKey: false, ...mods });

test('arrows move', () => {
  assert.equal(normalCommand(key('ArrowUp', 'ArrowUp')), 'move_up');
  assert.equal(arrowDirection(key('ArrowLeft', 'ArrowLeft')), 'left');
  assert.equal(arrowDirection(key('KeyA', 'a')), null);
});

test('letters by code, shifted variants', () => {
  assert.equal(normalCommand(key('KeyC', 'c')), 'coordinates');
  assert.equal(normalCommand(key('KeyL', 'l')), 'locate_user');
  assert.equal(normalCommand(key('KeyL', 'L', { shiftKey: true })), 'list_users');
  assert.equal(normalCommand(key('KeyU', 'u')), 'count_users');
  assert.equal(normalCommand(key('KeyN', 'n')), 'edit_nickname');
  assert.equal(normalCommand(key('KeyP', 'p')), 'ping');
  assert.equal(normalCommand(key('KeyI', 'I', { shiftKey: true })), 'list_items');
  assert.equal(normalCommand(key('KeyM', 'M', { shiftKey: true })), 'output_mode');
  assert.equal(normalCommand(key('Escape', 'Escape')), 'escape');
});

test('letters follow the physical key on other layouts', () => {
  // AZERTY: the key labelled "q" sits where US "a" is; code stays KeyA.
  assert.equal(normalCommand(key('KeyC', 'c')), 'coordinates');
});

test('symbols follow the typed character', () => {
  assert.equal(normalCommand(key('Slash', '/')), 'chat');
  assert.equal(normalCommand(key('Slash', '?', { shiftKey: true })), 'help');
  assert.equal(normalCommand(key('Slash', '?')), 'help');
  assert.equal(normalCommand(key('Comma', ',')), 'history_previous');
  assert.equal(normalCommand(key('Comma', '<', { shiftKey: true })), 'history_first');
  assert.equal(normalCommand(key('Period', '.')), 'history_next');
  assert.equal(normalCommand(key('Period', '>', { shiftKey: true })), 'history_last');
  assert.equal(normalCommand(key('Minus', '-')), 'master_volume_down');
  assert.equal(normalCommand(key('Equal', '=')), 'master_volume_up');
  assert.equal(normalCommand(key('Digit1', '!', { shiftKey: true })), 'loopback');
  // German layout: "/" is Shift+7.
  assert.equal(normalCommand(key('Digit7', '/', { shiftKey: true })), 'chat');
});

test('digits toggle layers', () => {
  assert.equal(normalCommand(key('Digit1', '1')), 'layer_voice');
  assert.equal(normalCommand(key('Digit4', '4')), 'layer_world');
});

test('alt and ctrl combinations are ignored in normal mode', () => {
  assert.equal(normalCommand(key('KeyC', 'c', { altKey: true })), null);
  assert.equal(normalCommand(key('KeyC', 'c', { ctrlKey: true })), null);
  assert.equal(normalCommand(key('Slash', '/', { metaKey: true })), null);
  assert.equal(normalCommand(key('KeyC', 'c', { metaKey: true })), null);
  assert.equal(normalCommand(key('KeyC', 'c', { ctrlKey: true })), null);
});

test('unmapped keys give nothing', () => {
  assert.equal(normalCommand(key('Tab', 'Tab')), null);
  assert.equal(normalCommand(key('KeyQ', 'q')), null);
});

test('codes are derived from key when missing', () => {
  assert.equal(keyCode({ key: 'x' }), 'KeyX');
  assert.equal(keyCode({ key: '7' }), 'Digit7');
  assert.equal(keyCode({ key: 'ArrowDown' }), 'ArrowDown');
  assert.equal(keyCode({ key: '<' }), 'Comma');
  assert.equal(normalCommand({ key: 'c' }), 'coordinates');
});

test('only arrows auto-repeat', () => {
  assert.equal(suppressRepeat(key('KeyC', 'c')), true);
  assert.equal(suppressRepeat(key('Space', ' ')), true);
  assert.equal(suppressRepeat(key('ArrowUp', 'ArrowUp')), false);
});

test('shifted variants that used to act like the plain key do nothing (upstream §18)', () => {
  const shift = { shiftKey: true };
  assert.equal(normalCommand(key('Digit2', '@', shift)), null);
  assert.equal(normalCommand(key('Digit3', '#', shift)), null);
  assert.equal(normalCommand(key('Digit4', '$', shift)), null);
  assert.equal(normalCommand(key('Escape', 'Escape', shift)), null);
  assert.equal(normalCommand(key('KeyD', 'D', shift)), null);
  // I, L and O keep their shifted meanings.
  assert.equal(normalCommand(key('KeyI', 'I', shift)), 'list_items');
  assert.equal(normalCommand(key('KeyL', 'L', shift)), 'list_users');
  assert.equal(normalCommand(key('KeyO', 'O', shift)), 'inspect_item');
  assert.equal(normalCommand(key('Digit2', '2')), 'layer_item');
  assert.equal(normalCommand(key('Escape', 'Escape')), 'escape');
});
