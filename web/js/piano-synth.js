// The piano synthesizer (client.md §5.7) on the item layer: preset oscillators through a
// low-pass filter and an attack/decay/sustain/release envelope, vibrato where the preset
// has one, and synthesised percussion for the drum kit. Notes are keyed (local keys by key
// id, remote ones by "senderId:itemId:keyId") and placed once at note-on. A record of
// every note started is kept for the test hook.
import {
  drumFor, envelope, midiFrequency, presetFor,
} from './piano-model.js';
import { SOURCE_KINDS } from './spatial-model.js';

const NOTE_LOG_LIMIT = 500;

export class PianoSynth {
  constructor(engine) {
    this.engine = engine;
    this.voices = new Map(); // key → voice
    this.noiseBuffer = null;
    this.log = [];
  }

  /**
   * Start a note under `key` (an earlier note on the same key is released first).
   * @param {string} key
   * @param {{midi: number, instrument?: string, attack?: number, decay?: number, release?: number,
   *          brightness?: number, at?: {x:number,y:number}|null, range?: number, source?: string,
   *          itemId?: string, senderId?: string}} note
   */
  noteOn(key, note) {
    const { ctx } = this.engine;
    if (!ctx) return;
    if (!this.engine.settings.layers.item) return;
    this.noteOff(key);
    const instrument = note.instrument || 'piano';
    const env = envelope(instrument, note);
    const at = note.at ? { x: note.at.x, y: note.at.y } : null;
    const node = this.engine.placed({
      layer: 'item',
      fixed: true,
      where: () => at,
      model: () => ({ ...SOURCE_KINDS.piano, range: note.range || SOURCE_KINDS.piano.range, baseGain: 1 }),
    });
    this.#remember(key, note, instrument, node.mix);
    if (at && node.mix.gain <= 0) {
      node.dispose();
      return;
    }
    const voice = instrument === 'drum_kit'
      ? this.#drum(note.midi, env, node)
      : this.#tone(instrument, note.midi, env, node);
    voice.node = node;
    this.voices.set(key, voice);
  }

  #remember(key, note, instrument, mix) {
    this.log.push({
      key,
      midi: note.midi,
      instrument,
      source: note.source || 'local',
      senderId: note.senderId ?? null,
      itemId: note.itemId ?? null,
      gain: mix.gain,
      pan: mix.pan,
      at: Date.now(),
    });
    if (this.log.length > NOTE_LOG_LIMIT) this.log.shift();
  }

  #tone(instrument, midi, env, node) {
    const { ctx } = this.engine;
    const preset = presetFor(instrument);
    const now = ctx.currentTime;
    const freq = midiFrequency(midi);
    const filter = ctx.createBiquadFilter();
    filter.type = 'lowpass';
    filter.frequency.value = Math.min(env.cutoff, ctx.sampleRate / 2 - 100);
    filter.Q.value = preset.filter[1];
    const amp = ctx.createGain();
    amp.gain.setValueAtTime(0, now);
    amp.gain.linearRampToValueAtTime(env.peak, now + env.attack);
    const sustainLevel = env.peak * env.sustain;
    amp.gain.setTargetAtTime(sustainLevel, now + env.attack, env.decay / 3);
    if (!env.holds) amp.gain.setTargetAtTime(0, now + env.attack + env.decay, (2 * env.decay) / 3);
    filter.connect(amp).connect(node.input);
    const sources = [];
    let lfo = null;
    let lfoGain = null;
    if (preset.vibrato) {
      lfo = ctx.createOscillator();
      lfo.frequency.value = preset.vibrato[0];
      lfoGain = ctx.createGain();
      lfoGain.gain.value = preset.vibrato[1];
      lfo.connect(lfoGain);
      lfo.start(now);
      sources.push(lfo);
    }
    for (const [type, ratio, gain, detune] of preset.osc) {
      const osc = ctx.createOscillator();
      osc.type = type;
      osc.frequency.value = freq * ratio;
      osc.detune.value = detune;
      if (lfoGain) lfoGain.connect(osc.detune);
      const level = ctx.createGain();
      level.gain.value = gain;
      osc.connect(level).connect(filter);
      osc.start(now);
      sources.push(osc);
    }
    return { amp, sources, release: env.release };
  }

  #noise() {
    const { ctx } = this.engine;
    if (!this.noiseBuffer) {
      const length = ctx.sampleRate;
      this.noiseBuffer = ctx.createBuffer(1, length, ctx.sampleRate);
      const data = this.noiseBuffer.getChannelData(0);
      for (let i = 0; i < length; i += 1) data[i] = Math.random() * 2 - 1;
    }
    const source = ctx.createBufferSource();
    source.buffer = this.noiseBuffer;
    source.loop = true;
    return source;
  }

  /** Synthesised percussion: a pitched body (sweeping sine/square) and/or filtered noise. */
  #drum(midi, env, node) {
    const { ctx } = this.engine;
    const now = ctx.currentTime;
    const kind = drumFor(midi);
    const DRUM = {
      kick_sub: { body: ['sine', 110, 38, 0.45], noise: null },
      kick_punch: { body: ['sine', 160, 50, 0.25], noise: ['lowpass', 1800, 0.03, 0.4] },
      snare_tight: { body: ['triangle', 260, 180, 0.08], noise: ['highpass', 2500, 0.12, 0.7] },
      snare_body: { body: ['triangle', 200, 150, 0.14], noise: ['bandpass', 1800, 0.2, 0.6] },
      hat_closed: { body: null, noise: ['highpass', 8000, 0.05, 0.5] },
      hat_open: { body: null, noise: ['highpass', 7000, 0.35, 0.45] },
      tom_low: { body: ['sine', 140, 80, 0.35], noise: null },
      tom_mid: { body: ['sine', 200, 120, 0.3], noise: null },
      tom_high: { body: ['sine', 280, 170, 0.25], noise: null },
      clap: { body: null, noise: ['bandpass', 1200, 0.18, 0.8] },
      pow_mid: { body: ['square', 330, 90, 0.2], noise: null },
      pow_high: { body: ['square', 660, 160, 0.15], noise: null },
      snare_noise: { body: null, noise: ['bandpass', 3000, 0.25, 0.7] },
      noise_8bit: { body: ['square', 1800, 1700, 0.12], noise: ['highpass', 4000, 0.12, 0.4] },
    }[kind];
    const amp = ctx.createGain();
    amp.gain.value = env.peak;
    amp.connect(node.input);
    const sources = [];
    let longest = 0.05;
    if (DRUM.body) {
      const [type, from, to, seconds] = DRUM.body;
      const osc = ctx.createOscillator();
      osc.type = type;
      osc.frequency.setValueAtTime(from, now);
      osc.frequency.exponentialRampToValueAtTime(Math.max(1, to), now + seconds);
      const g = ctx.createGain();
      g.gain.setValueAtTime(1, now);
      g.gain.exponentialRampToValueAtTime(0.001, now + seconds);
      osc.connect(g).connect(amp);
      osc.start(now);
      osc.stop(now + seconds + 0.05);
      sources.push(osc);
      longest = Math.max(longest, seconds);
    }
    if (DRUM.noise) {
      const [type, freq, seconds, level] = DRUM.noise;
      const noise = this.#noise();
      const filter = ctx.createBiquadFilter();
      filter.type = type;
      filter.frequency.value = Math.min(freq * (0.5 + env.cutoff / 8000), ctx.sampleRate / 2 - 100);
      const g = ctx.createGain();
      g.gain.setValueAtTime(level, now);
      g.gain.exponentialRampToValueAtTime(0.001, now + seconds);
      noise.connect(filter).connect(g).connect(amp);
      noise.start(now);
      noise.stop(now + seconds + 0.05);
      sources.push(noise);
      longest = Math.max(longest, seconds);
    }
    const voice = { amp, sources, release: 0.05, oneShot: true };
    voice.timer = setTimeout(() => this.#dispose(voice), (longest + 0.2) * 1000);
    return voice;
  }

  /** Release the note under `key` (its release phase, then silence). */
  noteOff(key) {
    const voice = this.voices.get(key);
    if (!voice) return;
    this.voices.delete(key);
    if (voice.oneShot) return; // percussion rings out by itself
    const { ctx } = this.engine;
    const now = ctx.currentTime;
    if (typeof voice.amp.gain.cancelAndHoldAtTime === 'function') voice.amp.gain.cancelAndHoldAtTime(now);
    else {
      voice.amp.gain.cancelScheduledValues(now);
      voice.amp.gain.setValueAtTime(voice.amp.gain.value, now);
    }
    voice.amp.gain.setTargetAtTime(0, now, voice.release / 4);
    for (const source of voice.sources) {
      try {
        source.stop(now + voice.release + 0.1);
      } catch { /* already stopped */ }
    }
    voice.timer = setTimeout(() => this.#dispose(voice), (voice.release + 0.3) * 1000);
  }

  #dispose(voice) {
    clearTimeout(voice.timer);
    for (const source of voice.sources) {
      try {
        source.stop();
      } catch { /* already stopped */ }
    }
    voice.amp.disconnect();
    voice.node?.dispose();
  }

  /** Release every note whose key starts with `prefix` (a sender's notes, a piano's notes). */
  releaseWhere(predicate) {
    for (const key of [...this.voices.keys()]) if (predicate(key)) this.noteOff(key);
  }

  /** Silence at once (item layer off, leaving the world). */
  stopAll() {
    for (const [key, voice] of [...this.voices]) {
      this.voices.delete(key);
      this.#dispose(voice);
    }
  }
}
