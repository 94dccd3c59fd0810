// Changing properties by metadata: number steps (snapped, clamped), list cycling with
// wrap-around and paging, and the local check of typed values with its messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cycleOption, optionPage, snapToStep, stepNumber, validateInput } from '../../web/js/property-input.js';

const pct = { min: 0, max: 100, step: 0.1 };
const sides = { min: 1, max: 100, step: 1 };

test('numbers step, snap and clamp', () => {
  assert.equal(stepNumber(6, sides, 1), 7);
  assert.equal(stepNumber(6, sides, -10), 1, 'clamped at the minimum');
  assert.equal(stepNumber(99, sides, 10), 100, 'clamped at the maximum');
  assert.equal(stepNumber(50, pct, 1), 50.1);
  assert.equal(stepNumber(0.2, pct, 1), 0.3, 'no floating-point residue');
  assert.equal(stepNumber(undefined, sides, 1), 2, 'a missing value starts at the minimum');
  assert.equal(stepNumber(0, { min: -2, max: 2, step: 1 }, -1), -1);
  assert.equal(snapToStep(12.34, pct), 12.3);
  assert.equal(snapToStep(4.6, sides), 5);
  assert.equal(snapToStep(500, sides), 100);
  assert.equal(snapToStep(3.3, undefined), 3);
});

test('list options cycle with wrap-around', () => {
  const options = ['stereo', 'mono', 'left', 'right'];
  assert.equal(cycleOption(options, 'stereo', 1), 'mono');
  assert.equal(cycleOption(options, 'stereo', -1), 'right');
  assert.equal(cycleOption(options, 'right', 1), 'stereo');
  assert.equal(cycleOption(options, 'MONO', 3), 'stereo');
  assert.equal(cycleOption(options, 'nothing', 1), 'stereo');
  assert.equal(cycleOption([], 'x', 1), null);
  assert.equal(optionPage(options), 3);
  assert.equal(optionPage(new Array(40).fill('z')), 10);
  assert.equal(optionPage(['only']), 1);
});

test('title: required, trimmed, sent as title', () => {
  assert.deepEqual(validateInput('title', '   ', { valueType: 'text', maxLength: 80 }), { ok: false, error: 'Value is required.' });
  assert.deepEqual(validateInput('title', ' Big dice ', { valueType: 'text', maxLength: 80 }),
    { ok: true, value: 'Big dice', patch: { title: 'Big dice' } });
});

test('numbers: must be a number within the range, then snapped', () => {
  const meta = { valueType: 'number', range: sides };
  assert.deepEqual(validateInput('sides', 'lots', meta), { ok: false, error: 'sides must be a number.' });
  assert.deepEqual(validateInput('sides', '', meta), { ok: false, error: 'sides must be a number.' });
  assert.deepEqual(validateInput('sides', '101', meta), { ok: false, error: 'sides must be between 1 and 100.' });
  assert.deepEqual(validateInput('sides', ' 20 ', meta), { ok: true, value: 20, patch: { params: { sides: 20 } } });
  assert.equal(validateInput('sides', '12.6', meta).value, 13);
  assert.equal(validateInput('emitSoundSpeed', '33.33', { valueType: 'number', range: pct }).value, 33.3);
  assert.deepEqual(validateInput('mediaEffectValue', '-1', { valueType: 'number', range: pct }),
    { ok: false, error: 'media effect value must be between 0 and 100.' });
});

test('booleans, lists, text and sounds', () => {
  assert.deepEqual(validateInput('enabled', 'maybe', { valueType: 'boolean' }), { ok: false, error: 'enabled must be on or off.' });
  assert.equal(validateInput('enabled', 'Yes', { valueType: 'boolean' }).value, true);
  assert.equal(validateInput('enabled', 'off', { valueType: 'boolean' }).value, false);
  const list = { valueType: 'list', options: ['poly', 'mono'] };
  assert.equal(validateInput('voiceMode', 'MONO', list).value, 'mono');
  assert.deepEqual(validateInput('voiceMode', 'duo', list), { ok: false, error: 'voice mode must be one of: poly, mono.' });
  assert.deepEqual(validateInput('alarmTime', '123456789', { valueType: 'text', maxLength: 8 }),
    { ok: false, error: 'alarm time must be 8 characters or less.' });
  assert.deepEqual(validateInput('alarmTime', '7:30 pm', { valueType: 'text', maxLength: 8 }),
    { ok: true, value: '7:30 pm', patch: { params: { alarmTime: '7:30 pm' } } });
  assert.deepEqual(validateInput('streamUrl', '', { valueType: 'text' }), { ok: true, value: '', patch: { params: { streamUrl: '' } } });
  assert.equal(validateInput('useSound', 'ping.ogg', { valueType: 'sound', maxLength: 2048 }).value, 'ping.ogg');
});
