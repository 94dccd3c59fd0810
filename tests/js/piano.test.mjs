// Piano: key map, octaves, instrument shortcuts, envelopes, poly/mono held keys, songs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  drumFor, envelope, HeldKeys, instrumentForDigit, midiFrequency, noteFor, PIANO_KEYS, PRESETS, INSTRUMENTS,
} from '../../web/js/piano-model.js';
import { decodeSong, demoSongFor, SongPlayer } from '../../web/js/piano-song.js';

const near = (actual, expected, eps = 1e-9) => assert.ok(Math.abs(actual - expected) < eps, `${actual} ≉ ${expected}`);

test('the key map of client.md §4.4', () => {
  const whites = ['KeyA', 'KeyS', 'KeyD', 'KeyF', 'KeyG', 'KeyH', 'KeyJ', 'KeyK', 'KeyL', 'Semicolon', 'Quote'];
  assert.deepEqual(whites.map((k) => PIANO_KEYS[k]), [60, 62, 64, 65, 67, 69, 71, 72, 74, 76, 77]);
  const sharps = ['KeyW', 'KeyE', 'KeyT', 'KeyY', 'KeyU', 'KeyO', 'KeyP', 'BracketRight'];
  assert.deepEqual(sharps.map((k) => PIANO_KEYS[k]), [61, 63, 66, 68, 70, 73, 75, 78]);
});

test('notes shift by whole octaves and stay in MIDI range', () => {
  assert.equal(noteFor('KeyA', 0), 60);
  assert.equal(noteFor('KeyA', -2), 36);
  assert.equal(noteFor('BracketRight', 2), 102);
  assert.equal(noteFor('KeyA', 9), 84); // octave clamped to 2
  assert.equal(noteFor('KeyZ', 0), null);
  near(midiFrequency(69), 440);
  near(midiFrequency(81), 880);
});

test('digit shortcuts pick the n-th instrument, 0 the tenth', () => {
  assert.equal(instrumentForDigit(1), 'piano');
  assert.equal(instrumentForDigit(9), 'nintendo');
  assert.equal(instrumentForDigit(0), 'drum_kit');
  assert.equal(instrumentForDigit(3, ['a', 'b']), null);
  assert.deepEqual(Object.keys(PRESETS).sort(), [...INSTRUMENTS].sort());
});

test('envelope mapping (client.md §5.7)', () => {
  const env = envelope('piano', { attack: 15, decay: 45, release: 35, brightness: 55 });
  near(env.attack, 0.002 + 0.6 * 0.15);
  near(env.decay, 0.05 + 2.7 * 0.45);
  near(env.release, (0.03 + 3.4 * 0.35) * 0.9);
  near(env.cutoff, 5200 * (0.45 + 1.55 * 0.55));
  assert.equal(env.sustain, 0.5);
  assert.equal(env.holds, false);
  assert.equal(envelope('organ').holds, true);
  assert.equal(envelope('nintendo', { release: 0 }).release, Math.max(0.02, 0.03 * 0.65));
  assert.equal(envelope('unknown').peak, PRESETS.piano.gain);
});

test('drum kit voices by midi mod 14', () => {
  assert.equal(drumFor(0), 'kick_sub');
  assert.equal(drumFor(60), 'hat_closed'); // 60 mod 14 = 4
  assert.equal(drumFor(13), 'noise_8bit');
});

test('poly keys sound together', () => {
  const keys = new HeldKeys();
  assert.deepEqual(keys.press('KeyA', 60, false), [{ on: true, keyId: 'KeyA', midi: 60 }]);
  assert.deepEqual(keys.press('KeyD', 64, false), [{ on: true, keyId: 'KeyD', midi: 64 }]);
  assert.deepEqual(keys.press('KeyA', 60, false), []); // already held
  assert.deepEqual(keys.release('KeyA', false), [{ on: false, keyId: 'KeyA', midi: 60 }]);
  assert.deepEqual(keys.releaseAll(), [{ on: false, keyId: 'KeyD', midi: 64 }]);
});

test('mono: a new key silences the old one, releasing it re-triggers the last held key', () => {
  const keys = new HeldKeys();
  keys.press('KeyA', 60, true);
  assert.deepEqual(keys.press('KeyS', 62, true), [{ on: false, keyId: 'KeyA', midi: 60 }, { on: true, keyId: 'KeyS', midi: 62 }]);
  assert.deepEqual(keys.press('KeyD', 64, true), [{ on: false, keyId: 'KeyS', midi: 62 }, { on: true, keyId: 'KeyD', midi: 64 }]);
  assert.deepEqual(keys.release('KeyS', true), []); // not sounding
  assert.deepEqual(keys.release('KeyD', true), [{ on: false, keyId: 'KeyD', midi: 64 }, { on: true, keyId: 'KeyA', midi: 60 }]);
  assert.deepEqual(keys.release('KeyA', true), [{ on: false, keyId: 'KeyA', midi: 60 }]);
  assert.deepEqual(keys.releaseAll(), []);
});

test('songs decode into sorted timed events with their states', () => {
  const song = {
    meta: { instrument: 'organ', recordingLengthMs: 900 },
    keys: ['KeyA', 'KeyS'],
    states: [['bass', 'mono', 2, 24, 18, 34, 12]],
    events: [[600, 1, 62, 0, 0], [100, 0, 60, 1, 0], [300, 1, 62, 1, 0], [300, 0, 60, 0, 5], ['x'], [10, 0, 200, 1, 0]],
  };
  const events = decodeSong(song);
  assert.deepEqual(events.map((e) => [e.t, e.keyId, e.midi, e.on]), [
    [100, 'KeyA', 60, true], [300, 'KeyS', 62, true], [300, 'KeyA', 60, false], [600, 'KeyS', 62, false],
  ]);
  assert.equal(events[0].state.instrument, 'bass');
  assert.equal(events[0].state.emitRange, 12);
  assert.equal(events[2].state.instrument, 'organ'); // unknown state index: meta
  assert.deepEqual(decodeSong(null), []);
});

test('the shipped demo song file holds the default song', () => {
  const doc = JSON.parse(readFileSync(new URL('../../web/piano_demo.json', import.meta.url)));
  assert.equal(doc.defaultSongId, 'unterlandersheimweh');
  const events = decodeSong(demoSongFor(doc, 'unterlandersheimweh'));
  assert.ok(events.length > 20);
  assert.equal(demoSongFor(doc, 'item:x:recording'), doc.songs.unterlandersheimweh);
  for (const event of events) assert.ok(`__piano_demo_${event.keyId}`.length <= 32);
  const help = JSON.parse(readFileSync(new URL('../../web/piano.json', import.meta.url)));
  assert.ok(help.sections.length > 0);
  const lines = help.sections.flatMap((section) => section.items.map((item) => item.keys));
  assert.ok(lines.includes('Shifted note keys')); // upstream-0.1.md §18
});

test('the song player fires events at their times and silences what is left on stop', () => {
  const timers = [];
  const player = new SongPlayer({ setTimer: (fn, ms) => { timers.push({ fn, ms }); return timers.length - 1; }, clearTimer: (id) => { timers[id].cleared = true; } });
  const heard = [];
  player.play(decodeSong({ keys: ['k'], events: [[0, 0, 60, 1, 0], [500, 0, 60, 0, 0]] }), (e) => heard.push([e.midi, e.on]));
  assert.deepEqual(timers.map((t) => t.ms), [0, 500, 501]);
  timers[0].fn();
  assert.equal(player.playing, true);
  player.stop();
  assert.deepEqual(heard, [[60, true], [60, false]]);
  assert.ok(timers.every((t) => t.cleared));
  assert.equal(player.playing, false);
});
