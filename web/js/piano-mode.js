// Piano mode (client.md §4.4): entered when the server confirms the use of a piano. The
// letter rows play notes (local synth + item_piano_note), digits pick an instrument,
// - and = shift the octave (with a blip), Z/X/C/Enter drive recording, playback and the
// demo song, ? (Shift+/) opens the piano help and Escape stops. Shifted note keys are
// ignored. Results about this piano are spoken with a
// blip or the cancel tone; item_piano_status keeps the recording state.
import {
  HeldKeys, instrumentForDigit, noteFor, OCTAVE_MAX, OCTAVE_MIN, PIANO_KEYS, INSTRUMENTS,
} from './piano-model.js';
import { decodeSong, demoSongFor, SongPlayer } from './piano-song.js';
import { emitRange } from './item-audio-params.js';
import { keyCode } from './keymap.js';
import { HelpMode } from './help-mode.js';

const DEMO_PREFIX = '__piano_demo_';

export class PianoMode {
  /**
   * @param {object} game
   * @param {object} sound the SoundWorld (synth, types, pianoHelp(), pianoDemo())
   * @param {string} itemId
   */
  constructor(game, sound, itemId) {
    this.game = game;
    this.sound = sound;
    this.itemId = itemId;
    this.name = 'piano';
    this.keys = new HeldKeys();
    this.recordingState = 'idle';
    this.demo = new SongPlayer();
    this.octave = Number(this.item?.params?.octave) || 0;
    this.onBlur = () => this.#releaseKeys();
  }

  get item() {
    return this.game.state.items.get(this.itemId) || null;
  }

  enter() {
    const item = this.item;
    this.game.say(`using ${item ? item.title : 'piano'}, press question mark for help.`);
    this.game.canvas?.addEventListener('blur', this.onBlur);
  }

  /** What is open, for the focus announcement. */
  describe() {
    return `Playing ${this.item ? this.item.title : 'piano'}.`;
  }

  leave() {
    this.game.canvas?.removeEventListener('blur', this.onBlur);
    this.#releaseKeys();
    this.#stopDemo();
  }

  /** Leave piano mode (Escape, or the piano went away). */
  stop() {
    this.game.popMode(this);
    this.game.say('Stopped piano.');
  }

  #send(packet) {
    this.game.send({ itemId: this.itemId, ...packet });
  }

  #note(action, { demo = false, state = null } = {}) {
    const item = this.item;
    if (!item) return;
    const keyId = demo ? `${DEMO_PREFIX}${action.keyId}`.slice(0, 32) : action.keyId;
    const params = state || item.params || {};
    const key = `local:${this.itemId}:${keyId}`;
    if (action.on) {
      this.sound.synth.noteOn(key, {
        midi: action.midi,
        instrument: params.instrument,
        attack: params.attack,
        decay: params.decay,
        release: params.release,
        brightness: params.brightness,
        at: item,
        range: emitRange(item, this.sound.types),
        source: demo ? 'demo' : 'local',
        itemId: this.itemId,
      });
    } else {
      this.sound.synth.noteOff(key);
    }
    this.#send({
      type: 'item_piano_note', keyId, midi: action.midi, on: action.on,
    });
  }

  #releaseKeys() {
    for (const action of this.keys.releaseAll()) this.#note(action);
  }

  get #mono() {
    return this.item?.params?.voiceMode === 'mono';
  }

  keydown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return false;
    const code = keyCode(event);
    if (event.key === '?') {
      if (!event.repeat) this.#help();
      return true;
    }
    if (PIANO_KEYS[code] !== undefined) {
      // Shifted note keys are ignored so shifted shortcuts stay distinct (upstream §18).
      if (event.repeat || event.shiftKey) return true;
      const midi = noteFor(code, this.octave);
      for (const action of this.keys.press(code, midi, this.#mono)) this.#note(action);
      return true;
    }
    if (event.repeat) return true;
    const digit = /^Digit(\d)$/.exec(code);
    if (digit) {
      this.#instrument(Number(digit[1]));
      return true;
    }
    switch (code) {
      case 'Minus': case 'NumpadSubtract': this.#shiftOctave(-1); break;
      case 'Equal': case 'NumpadAdd': this.#shiftOctave(1); break;
      case 'KeyZ': this.#send({ type: 'item_piano_recording', action: 'toggle_record' }); break;
      case 'KeyX': this.#playback(); break;
      case 'Enter': case 'NumpadEnter': this.#playDemo(); break;
      case 'KeyC':
        this.#stopDemo();
        this.#send({ type: 'item_piano_recording', action: 'stop_playback' });
        this.#send({ type: 'item_piano_recording', action: 'stop_record' });
        this.game.audio.tone('cancel');
        this.game.say('Stopped piano playback and recording.');
        break;
      case 'Escape': this.stop(); break;
      default: break;
    }
    return true; // piano mode keeps every other key from reaching normal mode
  }

  keyup(event) {
    const code = keyCode(event);
    if (PIANO_KEYS[code] === undefined) return;
    for (const action of this.keys.release(code, this.#mono)) this.#note(action);
  }

  #instrument(digit) {
    const options = this.sound.instrumentOptions() || INSTRUMENTS;
    const instrument = instrumentForDigit(digit, options);
    if (!instrument) {
      this.game.audio.tone('cancel');
      return;
    }
    this.#send({ type: 'item_update', params: { instrument } });
    this.game.audio.tone('blip');
    this.game.say(`Instrument ${instrument}.`);
  }

  #shiftOctave(delta) {
    const next = Math.max(OCTAVE_MIN, Math.min(OCTAVE_MAX, this.octave + delta));
    this.octave = next;
    this.#send({ type: 'item_update', params: { octave: next } });
    this.game.audio.tone('blip');
    this.game.say(`octave ${next}.`);
  }

  // Acts even while recording, as upstream v0.1.0 does (the server decides); the
  // palette hides it then.
  #playback() {
    this.#send({ type: 'item_piano_recording', action: 'playback' });
  }

  async #playDemo() {
    this.#send({ type: 'item_piano_recording', action: 'stop_playback' });
    const doc = await this.sound.pianoDemo();
    const song = demoSongFor(doc, this.item?.params?.songId);
    const events = decodeSong(song);
    if (!events.length) {
      this.game.say('No demo loaded.');
      return;
    }
    this.game.say('demo play');
    this.demo.play(events, (event) => this.#note(
      { on: event.on, keyId: event.keyId, midi: event.midi },
      { demo: true, state: event.state },
    ));
  }

  #stopDemo() {
    this.demo.stop();
  }

  async #help() {
    const lines = await this.sound.pianoHelp();
    if (!lines.length) {
      this.game.say('Help unavailable.');
      return;
    }
    this.#releaseKeys();
    this.game.pushMode(new HelpMode(this.game, lines, 'Piano help'));
  }

  /** The piano item changed: follow its octave. */
  itemChanged() {
    const octave = Number(this.item?.params?.octave);
    if (Number.isFinite(octave)) this.octave = octave;
  }

  /** item_piano_status for this piano. */
  status(packet) {
    if (packet.recordingState) this.recordingState = packet.recordingState;
  }

  /** item_action_result: results about this piano are spoken with a blip or cancel tone. */
  actionResult(packet) {
    if (packet.action !== 'use') return false;
    if (packet.itemId !== undefined && packet.itemId !== this.itemId) return false;
    if (packet.itemId === undefined && packet.ok) return false;
    this.game.audio.tone(packet.ok ? 'blip' : 'cancel');
    if (packet.message) this.game.record(packet.message);
    return true;
  }
}
