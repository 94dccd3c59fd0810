// How properties read: labels from keys, values from display text or by value type,
// numbers rounded to the step, sound names, and the Space line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decimalsOf, formatNumber, propertyLabel, propertyLine, propertyValue, soundName, tooltipLine,
} from '../../web/js/property-format.js';

const def = {
  type: 'widget',
  editableProperties: ['title', 'enabled', 'emitSoundSpeed', 'useSound', 'emitEffect'],
  propertyMetadata: {
    enabled: { valueType: 'boolean' },
    directional: { valueType: 'boolean' },
    emitSoundSpeed: { valueType: 'number', range: { min: 0, max: 100, step: 0.1 } },
    emitRange: { valueType: 'number', range: { min: 1, max: 20, step: 1 } },
    useSound: { valueType: 'sound', maxLength: 2048 },
    emitEffect: { valueType: 'list', options: ['reverb', 'off'] },
    x: { valueType: 'number', label: 'X' },
  },
  globalProperties: { directional: false, useCooldownMs: 1000 },
};

test('labels: metadata label, else the key split and lower-cased', () => {
  assert.equal(propertyLabel('mediaEffectValue'), 'media effect value');
  assert.equal(propertyLabel('use24Hour'), 'use24 hour');
  assert.equal(propertyLabel('alarm_time'), 'alarm time');
  assert.equal(propertyLabel('title'), 'title');
  assert.equal(propertyLabel('streamURLValue'), 'stream url value');
  assert.equal(propertyLabel('x', { label: 'X' }), 'X');
});

test('values: title, display text first, then by value type', () => {
  const item = { title: 'Beacon', type: 'widget', params: { emitSoundSpeed: 37.25, emitRange: 4, useSound: 'sounds/ping.ogg?x=1', emitEffect: 'reverb' }, display: { x: '14', useSound: 'ping.ogg' } };
  assert.equal(propertyValue(item, def, 'title'), 'Beacon');
  assert.equal(propertyValue(item, def, 'x'), '14');
  assert.equal(propertyValue(item, def, 'enabled'), 'on', 'a missing enabled reads on');
  assert.equal(propertyValue(item, def, 'directional'), 'off', 'from globalProperties');
  assert.equal(propertyValue(item, def, 'emitSoundSpeed'), '37.3');
  assert.equal(propertyValue(item, def, 'emitRange'), '4');
  assert.equal(propertyValue(item, def, 'useSound'), 'ping.ogg');
  assert.equal(propertyValue({ ...item, display: {} }, def, 'useSound'), 'ping.ogg');
  assert.equal(propertyValue(item, def, 'emitEffect'), 'reverb');
  assert.equal(propertyValue(item, def, 'useCooldownMs'), '1000');
  assert.equal(propertyValue({ ...item, params: { enabled: false } }, def, 'enabled'), 'off');
  assert.equal(propertyLine({ ...item, params: { useSound: '' }, display: {} }, def, 'useSound'), 'useSound: none'.replace('useSound', 'use sound'));
  assert.equal(propertyLine({ title: 'R', params: { streamUrl: '' } }, def, 'streamUrl'), 'stream url: blank');
});

test('numbers are rounded to the step decimals', () => {
  assert.equal(decimalsOf(0.1), 1);
  assert.equal(decimalsOf(1), 0);
  assert.equal(decimalsOf(0.25), 2);
  assert.equal(decimalsOf(undefined), null);
  assert.equal(formatNumber(50, 0.1), '50');
  assert.equal(formatNumber(12.345, 0.1), '12.3');
  assert.equal(formatNumber(7.6, 1), '8');
  assert.equal(formatNumber(7.6, undefined), '7.6');
});

test('sound names', () => {
  assert.equal(soundName('sounds/roll.ogg'), 'roll.ogg');
  assert.equal(soundName('https://x.test/a/b.mp3?q=1#f'), 'b.mp3');
  assert.equal(soundName(''), 'none');
  assert.equal(soundName('OFF'), 'none');
  assert.equal(soundName(undefined), 'none');
});

test('the Space line', () => {
  assert.equal(
    tooltipLine({ valueType: 'number', tooltip: 'Number of sides on each die.', range: { min: 1, max: 100, step: 1 } }, true),
    'Number of sides on each die. Type: number. Range: 1 to 100 step 1. Editable.',
  );
  assert.equal(
    tooltipLine({ valueType: 'list', tooltip: 'Pick one', options: ['a', 'b'] }, true),
    'Pick one. Type: list. Options: a, b. Editable.',
  );
  assert.equal(tooltipLine({ valueType: 'text', maxLength: 80 }, false), 'No tooltip available. Type: text. Max length: 80 characters. Read only.');
  assert.equal(tooltipLine(undefined, false), 'No tooltip available. Read only.');
});
