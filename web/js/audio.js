// The audio seam: one Web Audio context with a master gain and the four layer buses of
// client.md §5.1 (voice, item, media, world; UI tones bypass them), UI tones (client.md §1),
// and samples by name (web/sounds/*.ogg) or URL, placed with SpatialNode. Placed sounds are
// re-evaluated when the listener moves or the output mode changes; watchers (sound-world.js)
// hear about listener, layer, output, device, peer-volume and leave-world changes.
// Missing samples are skipped quietly.
import { spatialMix } from './spatial.js';
import { SpatialNode } from './spatial-node.js';

export const LAYERS = ['voice', 'item', 'media', 'world'];

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
    this.buses = {};
    this.nodes = new Set();
    this.watchers = new Set();
    this.peerGains = new Map();
    this.probe = null; // test mode only: {samples: [url, …]}
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
      for (const layer of LAYERS) {
        this.buses[layer] = this.ctx.createGain();
        this.buses[layer].connect(this.master);
      }
      this.#applyBusGains();
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
    const moved = x !== this.listener.x || y !== this.listener.y;
    this.listener = { x, y };
    if (!moved) return;
    for (const node of this.nodes) node.update();
    this.#notify('listener');
  }

  get mono() {
    return this.settings.outputMode === 'mono';
  }

  /** The bus of a layer (the master for null or an unknown layer). */
  bus(layer) {
    return (layer && this.buses[layer]) || this.master;
  }

  track(node) {
    this.nodes.add(node);
  }

  untrack(node) {
    this.nodes.delete(node);
  }

  /** `fn(kind)` hears of 'listener', 'layers', 'output', 'input', 'peerGain' and 'leave'. */
  watch(fn) {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  #notify(kind, detail) {
    for (const fn of this.watchers) {
      try {
        fn(kind, detail);
      } catch (error) {
        console.error('chgrid audio: watcher failed', error);
      }
    }
  }

  #applyBusGains() {
    const { layers } = this.settings;
    const now = this.ctx.currentTime;
    for (const layer of LAYERS) this.buses[layer].gain.setTargetAtTime(layers[layer] ? 1 : 0, now, 0.02);
  }

  /** The sound layers in settings changed (keys 1–4). */
  applyLayers() {
    if (this.ctx) this.#applyBusGains();
    this.#notify('layers');
  }

  /** Stereo/mono changed: every pan is recomputed. */
  applyOutputMode() {
    for (const node of this.nodes) node.update();
    this.#notify('output');
  }

  /** The chosen microphone changed (Audio setup). */
  applyInputDevice() {
    this.#notify('input');
  }

  /** A placed sound: connect a source to the returned node's `input`. */
  placed(options) {
    return new SpatialNode(this, options);
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
    this.probe?.tones.push(name);
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

  /** The decoded sample at `url` (cached), or null when it cannot be had. */
  loadBuffer(url) {
    this.probe?.samples.push(url);
    if (this.buffers.has(url)) return this.buffers.get(url);
    const pending = fetch(url)
      .then((response) => (response.ok ? response.arrayBuffer() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((data) => this.ctx.decodeAudioData(data))
      .catch((error) => {
        console.debug(`chgrid audio: sound ${url} unavailable`, error.message);
        this.buffers.delete(url);
        return null;
      });
    this.buffers.set(url, pending);
    return pending;
  }

  /**
   * Play a decoded buffer now or at context time `when`. With `at` it is placed in the
   * world (re-evaluated as the listener moves); `layer` routes it through that layer's bus.
   * @returns {{stop: Function, ended: Promise<void>, node: SpatialNode|null}}
   */
  playBuffer(buffer, { gain = 1, at = null, range = 20, layer = null, loop = false, when = 0 } = {}) {
    const source = this.ctx.createBufferSource();
    source.buffer = buffer;
    source.loop = loop;
    let node = null;
    if (at) {
      const where = { x: at.x, y: at.y };
      node = this.placed({ layer, where: () => where, model: () => ({ range, baseGain: gain }) });
      source.connect(node.input);
    } else {
      const out = this.ctx.createGain();
      out.gain.value = gain;
      out.connect(this.bus(layer));
      source.connect(out);
    }
    const ended = new Promise((resolve) => {
      source.onended = () => {
        node?.dispose();
        resolve();
      };
    });
    source.start(when);
    return { stop: () => { try { source.stop(); } catch { /* already stopped */ } }, ended, node };
  }

  /**
   * Play a sample by URL. `layer` (voice/item/media/world) skips it when that layer is off;
   * `at` places it in the world.
   * @returns {Promise<{stop: Function, ended: Promise<void>}|null>}
   */
  async playUrl(url, options = {}) {
    if (!this.ctx || !url) return null;
    if (options.layer && !this.settings.layers[options.layer]) return null;
    const buffer = await this.loadBuffer(url);
    if (!buffer || (options.layer && !this.settings.layers[options.layer])) return null;
    return this.playBuffer(buffer, options);
  }

  /** Play a sample from web/sounds by name (see playUrl). */
  sample(name, options = {}) {
    return this.playUrl(`sounds/${name}.ogg`, options);
  }

  footstep({ at = null, layer = null } = {}) {
    const n = 1 + Math.floor(Math.random() * 11);
    return this.sample(`step-${n}`, { gain: 0.7, at, layer });
  }

  /** A peer's listening volume (0.5–4) changed (user list, Left/Right). */
  setPeerGain(peerId, gain) {
    this.peerGains.set(peerId, gain);
    this.#notify('peerGain', peerId);
  }

  /** Stop everything that belongs to being in the world (voice, radios, loops, notes). */
  leaveWorld() {
    this.#notify('leave');
  }
}
