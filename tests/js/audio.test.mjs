// Spatial model, directional cone, effect formulas, sound URLs, emit timing, clock
// sequencing and item sound parameters (client.md §5, items.md §6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  angleBetween, bearingDegrees, coneFactor, sourceMix, volumeGain, SOURCE_KINDS,
} from '../../web/js/spatial-model.js';
import { effectParams, effectValue, effectId } from '../../web/js/audio-effects.js';
import { isCrossOrigin, soundUrl, streamStartUrl } from '../../web/js/sound-url.js';
import {
  controlRate, delaySeconds, emitPhase, emitPlayback,
} from '../../web/js/emit-schedule.js';
import { sequenceTimes } from '../../web/js/item-sounds.js';
import {
  directionalFacing, emitRange, emitSoundOf, itemEnabled, radioSettings, emitSettings,
} from '../../web/js/item-audio-params.js';
import { isTestMode } from '../../web/js/test-hook.js';

const near = (actual, expected, eps = 1e-9) => assert.ok(Math.abs(actual - expected) < eps, `${actual} ≉ ${expected}`);

test('distance attenuation is a smoothstep of the remaining range', () => {
  const listener = { x: 10, y: 10 };
  const mix = sourceMix({ x: 13, y: 14 }, listener, { range: 20, baseGain: 1 });
  near(mix.distance, 5);
  near(mix.gain, 0.84375); // r = 0.75 → 0.75² × 1.5
  near(mix.pan, Math.sin((3 / 20) * (Math.PI / 2)));
  assert.equal(sourceMix({ x: 31, y: 10 }, listener, { range: 20 }).gain, 0);
  near(sourceMix({ x: 30, y: 10 }, listener, { range: 20 }).gain, 0);
  near(sourceMix({ x: 10, y: 10 }, listener, { range: 20, baseGain: 2 }).gain, 2);
});

test('pan clamps at the range and mono forces the centre', () => {
  const listener = { x: 0, y: 0 };
  near(sourceMix({ x: -40, y: 0 }, listener, { range: 20 }).pan, -1);
  near(sourceMix({ x: 20, y: 0 }, listener, { range: 20 }).pan, 1);
  assert.equal(sourceMix({ x: 5, y: 0 }, listener, { range: 20, mono: true }).pan, 0);
});

test('near field: full gain, centred only where stated', () => {
  const listener = { x: 0, y: 0 };
  const voice = sourceMix({ x: 1, y: 1 }, listener, { ...SOURCE_KINDS.voice, baseGain: 1.5 });
  assert.equal(voice.gain, 1.5); // d ≈ 1.41 < 1.5
  assert.ok(voice.pan > 0); // pan kept
  const radio = sourceMix({ x: 0.5, y: 0 }, listener, { ...SOURCE_KINDS.radio, range: 10, baseGain: 0.5 });
  assert.deepEqual([radio.gain, radio.pan], [0.5, 0]);
});

test('bearings and the directional cone', () => {
  assert.equal(bearingDegrees({ x: 0, y: 0 }, { x: 0, y: 5 }), 0);
  assert.equal(bearingDegrees({ x: 0, y: 0 }, { x: 5, y: 0 }), 90);
  assert.equal(bearingDegrees({ x: 0, y: 0 }, { x: 0, y: -5 }), 180);
  assert.equal(bearingDegrees({ x: 0, y: 0 }, { x: -5, y: 0 }), 270);
  assert.equal(angleBetween(350, 10), 20);
  assert.equal(angleBetween(0, 180), 180);
  const source = { x: 0, y: 0 };
  assert.equal(coneFactor(0, source, { x: 0, y: 5 }), 1); // in front
  assert.equal(coneFactor(0, source, { x: 5, y: 5 }), 1); // 45°, inside the 120° cone
  near(coneFactor(0, source, { x: 0, y: -5 }), 0.4); // directly behind
  near(coneFactor(0, source, { x: 5, y: 0 }), 1 - (0.25 ** 2 * 2.5) * 0.6); // 90°: t = 0.25
  // Behind a radio facing north, 5 tiles away: range 10 shrinks to 4 → silent.
  assert.equal(sourceMix(source, { x: 0, y: -5 }, { range: 10, facing: 0 }).gain, 0);
  assert.ok(sourceMix(source, { x: 0, y: 5 }, { range: 10, facing: 0 }).gain > 0);
});

test('volume controls map through smoothstep', () => {
  assert.equal(volumeGain(50), 0.5);
  assert.equal(volumeGain(100), 1);
  assert.equal(volumeGain(0), 0);
  assert.equal(volumeGain(undefined, 50), 0.5);
  assert.equal(volumeGain(150), 1);
});

test('effect formulas (client.md §5.6)', () => {
  assert.deepEqual(effectParams('off', 50), {});
  const hp = effectParams('high_pass', 50);
  near(hp.frequency, 3620);
  near(hp.q, 4.7);
  near(effectParams('low_pass', 100).frequency, 50);
  const echo = effectParams('echo', 50); // t = 0.4
  near(echo.delay, 0.04 + 0.76 * 0.4);
  near(echo.feedback, 0.02 + 0.44 * 0.4);
  near(echo.wet, 0.08 + 0.92 * 0.4);
  near(echo.dry, 1 - 0.85 * 0.4);
  const reverb = effectParams('reverb', 0);
  assert.deepEqual([reverb.seconds, reverb.decayPower, reverb.wet, reverb.dry], [0.4, 1, 0.06, 1]);
  const flanger = effectParams('flanger', 100);
  near(flanger.delay, 0.0125);
  near(flanger.lfoHz, 1.85);
  near(flanger.depth, 0.0152);
  assert.equal(effectValue('12.345'), 12.3);
  assert.equal(effectValue(null), 50);
  assert.equal(effectValue(500), 100);
  assert.equal(effectId('ECHO'), 'echo');
  assert.equal(effectId('chorus'), 'off');
});

test('sound strings resolve under the client base path (items.md §6.5)', () => {
  assert.equal(soundUrl('sounds/roll.ogg'), 'sounds/roll.ogg');
  assert.equal(soundUrl('/sounds/clock/el640/its.ogg'), 'sounds/clock/el640/its.ogg');
  assert.equal(soundUrl('ping.ogg'), 'sounds/ping.ogg');
  assert.equal(soundUrl(' none '), null);
  assert.equal(soundUrl('OFF'), null);
  assert.equal(soundUrl(''), null);
  assert.equal(soundUrl('https://example.org/a.ogg'), 'https://example.org/a.ogg');
  assert.equal(soundUrl('http://example.org/a.ogg'), 'http://example.org/a.ogg');
  assert.equal(soundUrl('http://example.org/a.ogg', { pageProtocol: 'https:' }), 'media_proxy.php?url=http%3A%2F%2Fexample.org%2Fa.ogg');
  assert.equal(soundUrl('data:audio/ogg;base64,AAAA'), 'data:audio/ogg;base64,AAAA');
});

test('radio streams start with a cache-busting query, except Dropbox', () => {
  assert.equal(streamStartUrl('http://radio.example/live', 1234), 'http://radio.example/live?chgrid_start=1234');
  assert.equal(streamStartUrl('http://radio.example/live?x=1#f', 5), 'http://radio.example/live?x=1&chgrid_start=5#f');
  // Dropbox: no cache-buster, and through the media proxy (upstream-0.1.md §14.1)
  assert.equal(streamStartUrl('https://www.dropbox.com/s/abc/song.mp3?dl=1', 5), 'media_proxy.php?url=https%3A%2F%2Fwww.dropbox.com%2Fs%2Fabc%2Fsong.mp3%3Fdl%3D1');
  assert.equal(streamStartUrl('', 5), null);
  assert.equal(isCrossOrigin('sounds/a.ogg', 'http://127.0.0.1:8000'), false);
  assert.equal(isCrossOrigin('http://127.0.0.1:9000/s', 'http://127.0.0.1:8000'), true);
  assert.equal(isCrossOrigin('http://127.0.0.1:8000/s', 'http://127.0.0.1:8000'), false);
});

test('emit playback rate from speed and tempo (client.md §5.5)', () => {
  assert.equal(controlRate(0), 0.5);
  assert.equal(controlRate(50), 1);
  assert.equal(controlRate(100), 2);
  assert.equal(controlRate(25), 0.75);
  assert.equal(controlRate(75), 1.5);
  assert.deepEqual(emitPlayback(50, 50), { rate: 1, preservesPitch: true });
  assert.deepEqual(emitPlayback(50, 100), { rate: 2, preservesPitch: true });
  assert.deepEqual(emitPlayback(100, 100), { rate: 4, preservesPitch: false });
  assert.deepEqual(emitPlayback(0, 0), { rate: 0.25, preservesPitch: false });
  assert.equal(delaySeconds('x'), 0);
  assert.equal(delaySeconds(400), 300);
});

test('emit schedule: initial delay, play, loop delay, and continuing after a gap', () => {
  const timing = { rate: 1, initialDelay: 2, loopDelay: 3 };
  assert.deepEqual(emitPhase(500, 4, timing), { playing: false, offset: 0, waitMs: 1500 });
  assert.deepEqual(emitPhase(3000, 4, timing), { playing: true, offset: 1, waitMs: 0 });
  assert.deepEqual(emitPhase(7000, 4, timing), { playing: false, offset: 0, waitMs: 2000 }); // in the silence
  const later = emitPhase(2000 + 7000 * 3 + 2500, 4, timing); // 2.5 s into the fourth cycle
  assert.equal(later.playing, true);
  near(later.offset, 2.5);
  const fast = emitPhase(1000, 4, { rate: 2, initialDelay: 0, loopDelay: 0 });
  assert.deepEqual(fast, { playing: true, offset: 2, waitMs: 0 });
  assert.deepEqual(emitPhase(5000, Infinity, { rate: 1 }), { playing: true, offset: 0, waitMs: 0 });
});

test('clock samples play back to back in order', () => {
  const { times, end } = sequenceTimes([0.5, 0.25, 1], 10, 0);
  assert.deepEqual(times, [10, 10.5, 10.75]);
  assert.equal(end, 11.75);
});

test('item sound parameters', () => {
  const types = new Map([['radio_station', { globalProperties: { emitRange: 10, directional: true } }],
    ['widget', { globalProperties: { emitRange: 15, directional: false } }]]);
  const radio = { type: 'radio_station', params: { facing: 90, mediaVolume: 100, mediaChannel: 'LEFT' } };
  assert.equal(emitRange(radio, types), 10);
  assert.equal(directionalFacing(radio, types), 90);
  assert.equal(radioSettings(radio).channel, 'left');
  assert.equal(radioSettings(radio).baseGain, 1);
  assert.equal(radioSettings({ params: {} }).baseGain, 0.5);
  const widget = { type: 'widget', params: { emitRange: 4, directional: false, emitSound: '' }, emitSound: 'sounds/x.ogg' };
  assert.equal(emitRange(widget, types), 4);
  assert.equal(directionalFacing(widget, types), null);
  assert.equal(directionalFacing({ type: 'widget', params: { directional: true, facing: 180 } }, types), 180);
  assert.equal(emitSoundOf(widget), '');
  assert.equal(emitSoundOf({ params: {}, emitSound: 'sounds/clock.ogg' }), 'sounds/clock.ogg');
  assert.equal(itemEnabled({ params: {} }), true);
  assert.equal(itemEnabled({ params: { enabled: false } }), false);
  assert.equal(itemEnabled({ params: { enabled: 'off' } }), false);
  assert.equal(emitSettings({ params: {} }).baseGain, 1);
});

test('the test hook is only for ?test=1', () => {
  assert.equal(isTestMode({ search: '?test=1' }), true);
  assert.equal(isTestMode({ search: '?v=1&test=1' }), true);
  assert.equal(isTestMode({ search: '' }), false);
  assert.equal(isTestMode({ search: '?test=0' }), false);
  assert.equal(isTestMode({ search: '?test' }), false);
});
