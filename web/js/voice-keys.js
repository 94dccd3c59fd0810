// The normal-mode voice commands (client.md §4.1), installed on NormalMode's prototype:
// V microphone gain, Shift+V calibration, M mute, Shift+1 loopback, E the outgoing effect
// menu, _ and + the active effect's amount. Each runs with `this` = the NormalMode.
import { MicGainMode } from './mic-gain-mode.js';
import { effectMenu } from './effect-menu-mode.js';
import { DEFAULT_EFFECT_VALUE, EFFECT_LABELS } from './audio-effects.js';
import { formatGain } from './phrases.js';
import { MIC_PROBLEMS } from './mic-errors.js';

const NO_VOICE_SEND = 'Voice send is disabled for this account.';

function voiceSendAllowed(game) {
  if (game.state.hasPermission('voice.send')) return true;
  game.audio.tone('cancel');
  game.say(NO_VOICE_SEND);
  return false;
}

function effectAmount(game, delta) {
  const { sound, settings } = game;
  const id = sound.mic.effect;
  if (id === 'off') return;
  const value = Math.max(0, Math.min(100, Math.round((settings.effectLevel(id) + delta) * 10) / 10));
  settings.setEffectLevel(id, value);
  sound.mic.setEffect(id, value);
  game.audio.tone(value === DEFAULT_EFFECT_VALUE ? 'effectDefault' : 'effectOther');
  game.say(`${EFFECT_LABELS[id]} ${value}`);
}

export const voiceCommands = {
  mic_gain() {
    const { game } = this;
    if (!game.sound || !voiceSendAllowed(game)) return;
    game.pushMode(new MicGainMode(game, game.sound));
  },

  mic_calibrate() {
    const { game } = this;
    const { sound } = game;
    if (!sound) return;
    if (!sound.mic.hasDevice) {
      game.audio.tone('cancel');
      game.say(sound.mic.problem || MIC_PROBLEMS.missing); // the reason it did not open, when known
      return;
    }
    if (sound.calibrating) return;
    sound.calibrating = true;
    game.say('Speak for 5 seconds to calibrate your audio.');
    sound.mic.calibrate().then((gain) => {
      sound.calibrating = false;
      if (!game.active) return;
      if (gain === null) {
        game.audio.tone('cancel');
        game.say('No audio detected, please try again.');
        return;
      }
      game.settings.micInputGain = gain;
      sound.mic.setGain(gain);
      game.audio.tone('confirm');
      game.say(`Mic calibration set to ${formatGain(gain)}x.`);
    });
  },

  mute() {
    const { game } = this;
    if (!game.sound || !voiceSendAllowed(game)) return;
    const muted = !game.sound.mic.muted;
    game.sound.mic.setMuted(muted);
    game.say(muted ? 'Muted.' : 'Unmuted.');
  },

  loopback() {
    const { game } = this;
    if (!game.sound) return;
    const on = !game.sound.mic.loopback;
    game.sound.mic.setLoopback(on);
    game.say(on ? 'Loopback on.' : 'Loopback off.');
  },

  effect_menu() {
    const { game } = this;
    if (!game.sound) return;
    game.pushMode(effectMenu(game, {
      current: game.sound.mic.effect,
      onSelect: (id) => game.sound.mic.setEffect(id, game.settings.effectLevel(id)),
    }));
  },

  effect_level_down() {
    if (this.game.sound) effectAmount(this.game, -5);
  },

  effect_level_up() {
    if (this.game.sound) effectAmount(this.game, 5);
  },
};
