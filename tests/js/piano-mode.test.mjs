// Piano mode keys (upstream-0.1.md §18): ? opens the piano help and plain / does not,
// shifted note keys are ignored, C stops everything with a spoken line and the cancel
// tone, octave and instrument changes blip, and X plays back even while recording.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PianoMode } from '../../web/js/piano-mode.js';
import { fakeGame } from './fake-game.mjs';

const PIANO = { id: 'p1', type: 'piano', title: 'grand', x: 5, y: 5, params: { octave: 0, instrument: 'piano' } };

function piano() {
  const game = fakeGame({ items: [PIANO] });
  const notes = [];
  const sound = {
    types: {},
    synth: { noteOn: (key) => notes.push(['on', key]), noteOff: (key) => notes.push(['off', key]) },
    instrumentOptions: () => null,
    pianoHelp: async () => ['Playing', 'A: C'],
    pianoDemo: async () => ({ songs: {} }),
  };
  const mode = new PianoMode(game, sound, 'p1');
  game.pushMode(mode);
  return { game, mode, notes };
}

const press = (game, key, code, extra = {}) => game.key(key, { code, ...extra });
const settle = () => new Promise((resolve) => { setTimeout(resolve, 0); });

test('? opens the piano help, plain / does nothing', async () => {
  const { game } = piano();
  press(game, '/', 'Slash');
  await settle();
  assert.equal(game.modes.length, 2);
  press(game, '?', 'Slash', { shiftKey: true });
  await settle();
  assert.equal(game.modes.length, 3);
  assert.equal(game.mode.name, 'help');
});

test('note keys play, but not with Shift', () => {
  const { game, notes } = piano();
  press(game, 'a', 'KeyA');
  assert.deepEqual(game.sent.map((p) => [p.type, p.keyId, p.midi, p.on]), [['item_piano_note', 'KeyA', 60, true]]);
  assert.equal(notes.length, 1);
  game.mode.keyup({ key: 'a', code: 'KeyA' });
  game.sent.length = 0;
  press(game, 'S', 'KeyS', { shiftKey: true });
  assert.deepEqual(game.sent, []);
  assert.equal(notes.length, 2); // only the earlier note-off
});

test('C stops playback and recording with a spoken line and the cancel tone', () => {
  const { game } = piano();
  press(game, 'c', 'KeyC');
  assert.deepEqual(game.sent.map((p) => p.action), ['stop_playback', 'stop_record']);
  assert.equal(game.lastSaid(), 'Stopped piano playback and recording.');
  assert.deepEqual(game.tones, ['cancel']);
});

test('octave and instrument changes play the blip', () => {
  const { game } = piano();
  press(game, '=', 'Equal');
  assert.equal(game.lastSaid(), 'octave 1.');
  press(game, '4', 'Digit4');
  assert.equal(game.lastSaid(), 'Instrument organ.');
  assert.deepEqual(game.tones, ['blip', 'blip']);
  assert.deepEqual(game.sent.map((p) => p.params), [{ octave: 1 }, { instrument: 'organ' }]);
});

test('X plays back at once even while recording (no local refusal)', () => {
  const { game, mode } = piano();
  mode.status({ type: 'item_piano_status', itemId: 'p1', recordingState: 'recording' });
  press(game, 'x', 'KeyX');
  assert.deepEqual(game.sent.map((p) => [p.type, p.action]), [['item_piano_recording', 'playback']]);
  assert.deepEqual(game.tones, []);
  assert.ok(!game.said.includes('Stop or pause recording first.'));
});

test('Ctrl and Cmd combinations are left alone', () => {
  const { game } = piano();
  assert.equal(press(game, 'a', 'KeyA', { metaKey: true }), false);
  assert.equal(press(game, 'c', 'KeyC', { ctrlKey: true }), false);
  assert.deepEqual(game.sent, []);
});
