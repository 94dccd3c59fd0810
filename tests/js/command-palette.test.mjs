// The command palette (upstream-0.1 §15): spoken shortcuts, the key events commands run
// with, the entries and their conditions, server label overrides, type-ahead search,
// and the palette mode's keys over a stand-in game.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NORMAL_COMMAND_IDS, normalEntries, pianoEntries, shortcutEvent, speakShortcut, typeAhead,
} from '../../web/js/palette-commands.js';
import { CommandPalette, isPaletteKey, paletteFacts } from '../../web/js/command-palette.js';
import { fakeGame } from './fake-game.mjs';

const NONE = {};
const ALL = {
  voiceSend: true, usable: true, itemTypes: true, groundItems: true, pickupDrop: true, manage: true,
  itemHere: true, peers: true, help: true, admin: true, history: true,
};

test('shortcuts are spoken character by character', () => {
  assert.equal(speakShortcut('Shift+='), 'Shift+equals');
  assert.equal(speakShortcut('?'), 'question mark');
  assert.equal(speakShortcut('-'), 'dash');
  assert.equal(speakShortcut('Shift+,'), 'Shift+comma');
  assert.equal(speakShortcut('Shift+Enter'), 'Shift+Enter');
  assert.equal(speakShortcut('N'), 'N');
});

test('each shortcut becomes the key event its key would send', () => {
  assert.deepEqual(
    [shortcutEvent('Shift+=')].map(({ key, code, shiftKey }) => [key, code, shiftKey]),
    [['+', 'Equal', true]],
  );
  const pick = (s) => { const e = shortcutEvent(s); return [e.key, e.code, e.shiftKey]; };
  assert.deepEqual(pick('?'), ['?', 'Slash', true]);
  assert.deepEqual(pick('Shift+1'), ['!', 'Digit1', true]);
  assert.deepEqual(pick('N'), ['n', 'KeyN', false]);
  assert.deepEqual(pick('Shift+O'), ['O', 'KeyO', true]);
  assert.deepEqual(pick('Escape'), ['Escape', 'Escape', false]);
  assert.deepEqual(pick('Shift+.'), ['>', 'Period', true]);
});

test('normal entries: always-on ones alone without facts, every one with all facts', () => {
  const bare = normalEntries(NONE).map((e) => e.id);
  assert.equal(bare[0], 'editNickname');
  assert.ok(!bare.includes('useItem') && !bare.includes('openItemManagement') && !bare.includes('chatPrev'));
  assert.equal(bare.at(-1), 'escape');
  assert.deepEqual(normalEntries(ALL).map((e) => e.id), NORMAL_COMMAND_IDS);
  assert.equal(NORMAL_COMMAND_IDS.length, 37);
  const texts = normalEntries(ALL).map((e) => e.text);
  assert.ok(texts.includes('Raise active effect value: Shift+equals'));
  assert.ok(texts.includes('Open help: question mark'));
});

test('server metadata replaces label and tooltip of its seven ids only, when not blank', () => {
  const entries = normalEntries(ALL, [
    { id: 'pickupDropItem', label: 'Pick up or drop item', tooltip: 'Pick up an item or drop your carried item.' },
    { id: 'editItem', label: '  ', tooltip: '' },
    { id: 'editNickname', label: 'Hacked', tooltip: 'no' },
  ]);
  const byId = Object.fromEntries(entries.map((e) => [e.id, e]));
  assert.equal(byId.pickupDropItem.tooltip, 'Pick up an item or drop your carried item.');
  assert.equal(byId.editItem.label, 'Edit item properties');
  assert.equal(byId.editNickname.label, 'Edit nickname');
});

test('piano entries hide demo and playback while recording; presets by digit', () => {
  const idle = pianoEntries({ recording: false, instruments: ['piano', 'electric_piano'] });
  assert.deepEqual(idle.map((e) => e.text).slice(0, 3), ['Open piano help: question mark', 'Exit piano mode: Escape', 'Play demo: Enter']);
  const preset = idle.find((e) => e.id === 'instrument2');
  assert.equal(preset.text, 'Switch to electric piano preset: 2');
  assert.equal(preset.tooltip, 'Switch to instrument preset 2: electric_piano.');
  const recording = pianoEntries({ recording: true, instruments: [] }).map((e) => e.id);
  assert.ok(!recording.includes('pianoDemo') && !recording.includes('pianoPlayback'));
  const ten = pianoEntries({ recording: false, instruments: 'abcdefghij'.split('') });
  assert.equal(ten.at(-1).event.code, 'Digit0');
});

test('type-ahead: single letters cycle, quick letters narrow, word starts count', () => {
  const texts = ['Edit nickname: N', 'Mute or unmute microphone: M', 'Master volume: M', 'Set microphone gain: V'];
  assert.deepEqual(typeAhead(texts, 0, '', 'm'), { index: 1, query: 'm' });
  assert.deepEqual(typeAhead(texts, 1, 'm', 'm'), { index: 2, query: 'mm' });
  assert.deepEqual(typeAhead(texts, 1, 'm', 'a'), { index: 2, query: 'ma' });
  assert.deepEqual(typeAhead(texts, 0, 'mi', 'c'), { index: 1, query: 'mic' });
  assert.equal(typeAhead(texts, 0, '', 'q'), null);
  assert.deepEqual(typeAhead(texts, 1, 'm', 's'), { index: 3, query: 's' }, 'no "ms": a new search for s');
});

test('palette keys: Shift+K, ContextMenu, Shift+F10; never with Ctrl, Alt or Cmd', () => {
  assert.ok(isPaletteKey({ key: 'K', code: 'KeyK', shiftKey: true }));
  assert.ok(isPaletteKey({ key: 'ContextMenu', code: 'ContextMenu' }));
  assert.ok(isPaletteKey({ key: 'F10', code: 'F10', shiftKey: true }));
  assert.ok(!isPaletteKey({ key: 'k', code: 'KeyK' }));
  assert.ok(!isPaletteKey({ key: 'F10', code: 'F10' }));
  assert.ok(!isPaletteKey({ key: 'K', code: 'KeyK', shiftKey: true, ctrlKey: true }));
  assert.ok(!isPaletteKey({ key: 'ContextMenu', code: 'ContextMenu', metaKey: true }));
});

function world(extra = {}) {
  const game = fakeGame(extra);
  Object.assign(game.state, { peers: new Map(), permissions: [], userId: '1' });
  game.helpLines = [];
  game.history = { size: 0 };
  game.modes = [{ name: 'normal', pressed: [], keydown(event) { this.pressed.push(event); return true; }, keyup(event) { this.released = event; } }];
  let clock = 0;
  game.tick = (ms) => { clock += ms; };
  game.keydown = (event) => game.mode.keydown(event);
  game.openPalette = () => {
    const palette = new CommandPalette(game, game.mode, { now: () => clock });
    game.pushMode(palette);
    return palette;
  };
  return game;
}

test('facts follow the world: items here, peers, history, voice', () => {
  const game = world({ items: [{ id: 'd', type: 'dice', x: 5, y: 5, createdBy: '1', capabilities: ['usable'] }] });
  const facts = paletteFacts(game);
  assert.equal(facts.usable, true);
  assert.equal(facts.pickupDrop, true);
  assert.equal(facts.manage, false); // no itemManagement metadata
  assert.equal(facts.peers, false);
  assert.equal(facts.voiceSend, false);
});

test('the palette mode: opens title first, moves, searches, reads tooltips, runs, closes', () => {
  const game = world();
  const below = game.mode;
  game.openPalette();
  assert.equal(game.lastSaid(), 'Commands. Edit nickname: N.');
  assert.deepEqual(game.tones, ['blip']);
  game.key('ArrowUp');
  assert.equal(game.lastSaid(), 'Disconnect prompt: Escape');
  game.key('ArrowDown');
  game.key(' ');
  assert.equal(game.lastSaid(), 'Change the nickname others see.');
  game.key('t');
  assert.equal(game.lastSaid(), 'Toggle stereo or mono output: Shift+M');
  game.key('t');
  assert.equal(game.lastSaid(), 'Toggle loopback monitor: Shift+1');
  game.tick(2000);
  game.key('s');
  game.key('p');
  assert.equal(game.lastSaid(), 'Speak coordinates: C');
  game.key('K', { shiftKey: true, code: 'KeyK' }); // opening again from the palette does nothing
  assert.equal(game.modes.length, 2);
  game.key('Enter');
  assert.equal(game.mode, below);
  assert.deepEqual([below.pressed[0].key, below.pressed[0].code], ['c', 'KeyC']);
  game.openPalette();
  game.key('Escape');
  assert.equal(game.lastSaid(), 'Closed commands.');
  assert.equal(game.tones.at(-1), 'cancel');
  assert.equal(game.mode, below);
});

test('key releases reach the mode below (held piano notes stop)', () => {
  const game = world();
  const below = game.mode;
  const palette = game.openPalette();
  palette.keyup({ key: 'a', code: 'KeyA' });
  assert.equal(below.released.code, 'KeyA');
});

test('the palette opens only over normal or piano mode', () => {
  const game = world();
  game.modes = [{ name: 'menu' }];
  assert.equal(CommandPalette.open(game), false);
  assert.equal(game.modes.length, 1);
});
