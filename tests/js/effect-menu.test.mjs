// The effect menu (E) and the microphone gain editor (V) open title-first (upstream-0.1.md
// §18); Escape in the effect menu says "Cancelled." and returns to normal mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectMenu } from '../../web/js/effect-menu-mode.js';
import { MicGainMode } from '../../web/js/mic-gain-mode.js';
import { EFFECT_LABELS } from '../../web/js/audio-effects.js';
import { fakeGame } from './fake-game.mjs';

test('effect menu: "Effects. {label}.", Escape cancels back to normal mode', () => {
  const game = fakeGame();
  const chosen = [];
  game.pushMode(effectMenu(game, { current: 'off', onSelect: (id) => chosen.push(id) }));
  assert.equal(game.lastSaid(), `Effects. ${EFFECT_LABELS.off}.`);
  game.key('ArrowDown');
  game.key('Escape');
  assert.equal(game.lastSaid(), 'Cancelled.');
  assert.equal(game.modes.length, 1);
  assert.equal(game.mode.name, 'normal');
  assert.deepEqual(chosen, []);
});

test('microphone gain: "Microphone gain. {value}."', () => {
  const game = fakeGame();
  game.settings = { micInputGain: 1.5 };
  const gains = [];
  const sound = { mic: { loopback: false, setLoopback() {}, setGain: (g) => gains.push(g) } };
  game.pushMode(new MicGainMode(game, sound));
  assert.equal(game.lastSaid(), 'Microphone gain. 1.5.');
  game.key('Escape');
  assert.equal(game.modes.length, 1);
  assert.deepEqual(gains, [1.5]); // Escape restores the old gain
});
