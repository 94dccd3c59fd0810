// Item menus from uiDefinitions: the add-item menu in the server's order, visibleWhen
// (params, globalProperties fallback, "!" negation), and the editor and inspector keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addMenuEntries, editorKeys, inspectorKeys, isEditableKey, onOffValue, paramOrGlobal, typeDefinition, visibleWhenHolds,
} from '../../web/js/item-schema.js';

const GLOBALS = { useSound: 'none', emitSound: 'none', useCooldownMs: 1000, emitRange: 15, directional: false };
const ui = {
  itemTypeOrder: ['clock', 'dice', 'radio_station', 'widget'],
  itemTypes: [
    { type: 'widget', label: 'widget', tooltip: 'A basic item.', editableProperties: ['title', 'enabled', 'directional', 'facing', 'emitRange'],
      propertyMetadata: { facing: { valueType: 'number', visibleWhen: { directional: true } }, enabled: { valueType: 'boolean' } },
      globalProperties: GLOBALS },
    { type: 'dice', label: 'dice', tooltip: 'Great for drinking games or boredom.', editableProperties: ['title', 'sides', 'number'],
      propertyMetadata: { sides: { valueType: 'number', range: { min: 1, max: 100, step: 1 } } }, globalProperties: { ...GLOBALS, useSound: 'sounds/roll.ogg' } },
    { type: 'clock', label: 'clock', editableProperties: ['title', 'timeZone', 'alarmEnabled', 'alarmTime'],
      propertyMetadata: { alarmTime: { valueType: 'text', maxLength: 8, visibleWhen: { alarmEnabled: true } } }, globalProperties: GLOBALS },
    { type: 'radio_station', label: 'radio', editableProperties: ['title', 'mediaEffect', 'mediaEffectValue', 'facing'],
      propertyMetadata: {
        mediaEffectValue: { valueType: 'number', visibleWhen: { mediaEffect: '!off' } },
        facing: { valueType: 'number', visibleWhen: { directional: true } },
      },
      globalProperties: { ...GLOBALS, directional: true } },
  ],
};

test('the add-item menu follows itemTypeOrder with labels and tooltips', () => {
  assert.deepEqual(addMenuEntries(ui).map((e) => [e.type, e.label]), [
    ['clock', 'clock'], ['dice', 'dice'], ['radio_station', 'radio'], ['widget', 'widget']]);
  assert.equal(addMenuEntries(ui)[1].tooltip, 'Great for drinking games or boredom.');
  assert.equal(addMenuEntries(ui)[0].tooltip, '');
});

test('without itemTypeOrder the itemTypes order is used; no definitions, no menu', () => {
  assert.deepEqual(addMenuEntries({ itemTypes: ui.itemTypes }).map((e) => e.type), ['widget', 'dice', 'clock', 'radio_station']);
  assert.deepEqual(addMenuEntries(null), []);
  assert.deepEqual(addMenuEntries({ itemTypeOrder: ['rocket'] }), [{ type: 'rocket', label: 'rocket', tooltip: '' }]);
});

test('a value comes from params, else from globalProperties', () => {
  const def = typeDefinition(ui, 'radio_station');
  assert.equal(paramOrGlobal({ params: { directional: false } }, def, 'directional'), false);
  assert.equal(paramOrGlobal({ params: {} }, def, 'directional'), true);
  assert.equal(paramOrGlobal({ params: {} }, def, 'nothing'), undefined);
});

test('visibleWhen: equality, booleans, negation, global fallback', () => {
  const widget = typeDefinition(ui, 'widget');
  assert.equal(visibleWhenHolds({ directional: true }, { params: { directional: false } }, widget), false);
  assert.equal(visibleWhenHolds({ directional: true }, { params: { directional: true } }, widget), true);
  assert.equal(visibleWhenHolds({ directional: true }, { params: { directional: 'on' } }, widget), true);
  assert.equal(visibleWhenHolds({ directional: true }, { params: {} }, widget), false, 'global false');
  const radio = typeDefinition(ui, 'radio_station');
  assert.equal(visibleWhenHolds({ directional: true }, { params: {} }, radio), true, 'global true');
  assert.equal(visibleWhenHolds({ mediaEffect: '!off' }, { params: { mediaEffect: 'off' } }, radio), false);
  assert.equal(visibleWhenHolds({ mediaEffect: '!off' }, { params: { mediaEffect: 'echo' } }, radio), true);
  assert.equal(visibleWhenHolds({ mediaEffect: 'echo' }, { params: { mediaEffect: 'ECHO' } }, radio), true);
  assert.equal(visibleWhenHolds({ emitRange: 15 }, { params: {} }, radio), true);
  assert.equal(visibleWhenHolds({ emitRange: 15, mediaEffect: 'off' }, { params: { mediaEffect: 'echo' } }, radio), false, 'every condition');
  assert.equal(visibleWhenHolds(undefined, { params: {} }, radio), true);
});

test('editor keys are the editable properties that are visible', () => {
  const clock = typeDefinition(ui, 'clock');
  assert.deepEqual(editorKeys({ params: { alarmEnabled: false } }, clock), ['title', 'timeZone', 'alarmEnabled']);
  assert.deepEqual(editorKeys({ params: { alarmEnabled: true } }, clock), ['title', 'timeZone', 'alarmEnabled', 'alarmTime']);
  const radio = typeDefinition(ui, 'radio_station');
  assert.deepEqual(editorKeys({ params: { mediaEffect: 'off' } }, radio), ['title', 'mediaEffect', 'facing']);
  assert.equal(isEditableKey(radio, 'facing'), true);
  assert.equal(isEditableKey(radio, 'version'), false);
  assert.deepEqual(editorKeys({ params: {} }, null), ['title']);
});

test('inspector keys: editor keys, record fields, radio keys, other params and globals, alphabetical, no duplicates', () => {
  const radio = typeDefinition(ui, 'radio_station');
  const item = { type: 'radio_station', params: { mediaEffect: 'off', stationName: 'X', zeta: 1, emitRange: 10 } };
  assert.deepEqual(inspectorKeys(item, radio), [
    'title', 'mediaEffect', 'facing',
    'type', 'x', 'y', 'carrierId', 'version', 'createdBy', 'updatedBy', 'createdAt', 'updatedAt', 'capabilities', 'useSound', 'emitSound',
    'stationName', 'nowPlaying',
    'emitRange', 'zeta',
    'directional', 'useCooldownMs',
  ]);
  const widget = typeDefinition(ui, 'widget');
  assert.ok(!inspectorKeys({ type: 'widget', params: { directional: false, facing: 0 } }, widget).includes('facing'));
});

test('on/off spellings', () => {
  for (const v of [true, 1, 'on', 'TRUE', ' yes ', '1']) assert.equal(onOffValue(v), true, String(v));
  for (const v of [false, 0, 'off', 'False', 'no', '0']) assert.equal(onOffValue(v), false, String(v));
  for (const v of ['maybe', null, undefined, {}]) assert.equal(onOffValue(v), null, String(v));
});
