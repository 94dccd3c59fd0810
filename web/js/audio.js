// The audio seam: UI tones (Web Audio oscillators, client.md §1) and the client's sound
// samples (web/sounds/*.ogg), placed with the spatial mix of spatial.js. The world code
// only calls the methods of AudioEngine; voice, radios, emit loops and the piano
// (client.md §5–6) will plug in here in part 2. Missing samples are skipped quietly.
import { spatialMix } from './spatial.js';

const TONES = {
  confirm: { freq: 880, type: 'sine', duration: 0.1, gain: 0.5 },
  cancel: { freq: 440, type: 'sawtooth', duration: 0.1, gain: 0.3 },
  blip: { freq: 660, type: 'triangle', duration: 0.05, gain: 0.35 },
  effectDefault: { freq: 659.25, type: 'sine', duration: 0.1, gain: 0.35 },
  effectOther: { freq: 440, type: 'sine', duration: 0.1, gain: 0.35 },
  itemPing: { freq: 1320, type: 'sine', duration: 0.12, gain: 0.45 },
  userPing: { freq: 880, type: 'sine', duration: 0.12, gain: 0.45 },
  locate: { freq: 880, type: 'sine', duration: 0.2, gain: 0.5 },
};

export class AudioEngine {
  constructor(settings) {
    this.settings = settings;
    this.ctx = null;
    this.master = null;
    this.buffers = new Map();
    this.listener = { x: 0, y: 0 };
  }

  /** Create or resume the audio context; call from a user gesture (Connect). */
  unlock() {
    const Context = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!Context) return;
    if (!this.ctx) {
      try {
        this.ctx = new Context();
      } catch (error) {
        console.warn('chgrid audio: no audio context', error);
        return;
      }
      this.master = this.ctx.createGain();
      this.master.connect(this.ctx.destination);
      this.setMasterVolume(this.settings.masterVolume);
      this.applyOutputDevice();
    }
    if (this.ctx.state === 'suspended') this.ctx.resume().catch(() => {});
  }

  setMasterVolume(volume) {
    if (this.master) this.master.gain.value = volume / 100;
  }

  applyOutputDevice() {
    const device = this.settings.device('output');
    if (this.ctx && device && typeof this.ctx.setSinkId === 'function') {
      this.ctx.setSinkId(device.id).catch(() => {});
    }
  }

  setListener(x, y) {
    this.listener = { x, y };
  }

  #route(gainValue, pan) {
    const gain = this.ctx.createGain();
    gain.gain.value = gainValue;
    let head = gain;
    if (pan && typeof this.ctx.createStereoPanner === 'function') {
      const panner = this.ctx.createStereoPanner();
      panner.pan.value = pan;
      gain.connect(panner);
      head = panner;
    }
    head.connect(this.master);
    return gain;
  }

  #mix(at, range, baseGain) {
    if (!at) return { gain: baseGain, pan: 0 };
    return spatialMix(at, this.listener, { range, baseGain, mono: this.settings.outputMode === 'mono' });
  }

  /** Play a UI tone by name; `at` places it spatially (the locate tone). */
  tone(name, { at = null, range = 20 } = {}) {
    const spec = TONES[name];
    if (!this.ctx || !spec) return;
    const { gain, pan } = this.#mix(at, range, spec.gain);
    if (gain <= 0) return;
    const osc = this.ctx.createOscillator();
    osc.type = spec.type;
    osc.frequency.value = spec.freq;
    const out = this.#route(gain, pan);
    const now = this.ctx.currentTime;
    out.gain.setValueAtTime(gain, now);
    out.gain.linearRampToValueAtTime(0, now + spec.duration);
    osc.connect(out);
    osc.start(now);
    osc.stop(now + spec.duration + 0.02);
  }

  async #buffer(name) {
    if (this.buffers.has(name)) return this.buffers.get(name);
    const pending = fetch(`sounds/${name}.ogg`)
      .then((response) => (response.ok ? response.arrayBuffer() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((data) => this.ctx.decodeAudioData(data))
      .catch((error) => {
        console.debug(`chgrid audio: sound ${name} unavailable`, error.message);
        return null;
      });
    this.buffers.set(name, pending);
    return pending;
  }

  /**
   * Play a sample from web/sounds. `layer` (voice/item/media/world) mutes it when that
   * layer is off; `at` places it in the world.
   * @returns {Promise<{stop: Function}|null>}
   */
  async sample(name, { gain = 1, at = null, range = 20, layer = null, loop = false } = {}) {
    if (!this.ctx) return null;
    if (layer && !this.settings.layers[layer]) return null;
    const mix = this.#mix(at, range, gain);
    if (mix.gain <= 0) return null;
    const buffer = await this.#buffer(name);
    if (!buffer) return null;
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.loop = loop;
    source.connect(this.#route(mix.gain, mix.pan));
    source.start();
    return { stop: () => { try { source.stop(); } catch { /* already stopped */ } } };
  }

  footstep({ at = null, layer = null } = {}) {
    const n = 1 + Math.floor(Math.random() * 11);
    return this.sample(`step-${n}`, { gain: 0.7, at, layer });
  }

  /** A peer's listening volume (0.5–4) for its voice; applied when voice arrives in part 2. */
  setPeerGain(peerId, gain) {
    this.peerGains = this.peerGains || new Map();
    this.peerGains.set(peerId, gain);
  }

  /** Stop everything that belongs to being in the world (voice and loops in part 2). */
  leaveWorld() {}
}
