// The outgoing voice (client.md §6): the chosen microphone (48 kHz, 2 channels, echo
// cancellation, noise suppression and auto gain off) → input gain → the outgoing effect →
// a MediaStream destination whose one track every peer connection sends. The track exists
// before (and without) a microphone, so peers can be connected at once. Also mute (the
// track disabled), the voice.send permission, the loopback monitor and the 5-second
// calibration.
import { EffectSlot } from './audio-effects.js';
import { micErrorText, micUnavailableText } from './mic-errors.js';

const CALIBRATION_MS = 5000;
const CALIBRATION_TARGET_RMS = 0.08;
const SILENCE_RMS = 0.002;

/** Calibrated gain for a measured RMS level: toward the target, 0.5–4 in 0.05 steps; null if silent. */
export function calibratedGain(rms) {
  if (!(rms > SILENCE_RMS)) return null;
  const gain = Math.max(0.5, Math.min(4, CALIBRATION_TARGET_RMS / rms));
  return Math.round(gain * 20) / 20;
}

export class Microphone {
  constructor(engine, settings) {
    this.engine = engine;
    this.settings = settings;
    this.graph = null;
    this.stream = null; // the device's stream
    this.source = null;
    this.muted = false;
    this.sendAllowed = true;
    this.loopback = false;
    this.effect = 'off';
    this.problem = null; // what was said when the microphone last failed to open
    this.onTrackChange = () => {};
  }

  #build() {
    if (this.graph || !this.engine.ctx) return this.graph;
    const { ctx } = this.engine;
    const input = ctx.createGain();
    input.gain.value = this.settings.micInputGain;
    const slot = new EffectSlot(ctx, this.effect, this.settings.effectLevel(this.effect));
    const destination = ctx.createMediaStreamDestination();
    destination.channelCount = 2;
    const monitor = ctx.createGain();
    monitor.gain.value = this.loopback ? 1 : 0;
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    input.connect(slot.input);
    slot.output.connect(destination);
    slot.output.connect(monitor).connect(this.engine.master);
    this.graph = { input, slot, destination, monitor, analyser };
    this.#applyEnabled();
    return this.graph;
  }

  /** The track sent to peers (silence until a microphone is open). */
  get track() {
    return this.#build()?.destination.stream.getAudioTracks()[0] ?? null;
  }

  get outStream() {
    return this.#build()?.destination.stream ?? null;
  }

  /** The track peers should be sending now: null without voice.send. */
  get sendTrack() {
    return this.sendAllowed ? this.track : null;
  }

  get hasDevice() {
    return Boolean(this.stream);
  }

  /**
   * Open the chosen microphone (or the default one when it is gone).
   * @returns {Promise<string|null>} an error text to announce, or null
   */
  async open() {
    this.problem = await this.#open();
    return this.problem;
  }

  async #open() {
    if (!this.#build()) return null;
    const media = globalThis.navigator?.mediaDevices;
    const unavailable = micUnavailableText({ secure: globalThis.isSecureContext, hasApi: typeof media?.getUserMedia === 'function' });
    if (unavailable) return unavailable;
    const base = {
      sampleRate: 48000, channelCount: 2, echoCancellation: false, noiseSuppression: false, autoGainControl: false,
    };
    const device = this.settings.device('input');
    let stream = null;
    try {
      stream = await media.getUserMedia({ audio: device ? { ...base, deviceId: { exact: device.id } } : base });
    } catch (error) {
      // a refusal stands for every device; anything else may be the chosen one only
      if (!device || error?.name === 'NotAllowedError' || error?.name === 'SecurityError') return micErrorText(error);
      try {
        stream = await media.getUserMedia({ audio: base });
      } catch (again) {
        return micErrorText(again);
      }
    }
    this.close();
    this.stream = stream;
    this.source = this.engine.ctx.createMediaStreamSource(stream);
    this.source.connect(this.graph.input);
    this.source.connect(this.graph.analyser);
    return null;
  }

  /** Release the device (the outgoing track stays, silent). */
  close() {
    if (this.source) this.source.disconnect();
    this.source = null;
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
  }

  #applyEnabled() {
    const track = this.graph?.destination.stream.getAudioTracks()[0];
    if (track) track.enabled = !this.muted && this.sendAllowed;
  }

  setMuted(muted) {
    this.muted = Boolean(muted);
    this.#applyEnabled();
  }

  /** voice.send granted or revoked; peers swap the track they send. */
  setSendAllowed(allowed) {
    const changed = this.sendAllowed !== Boolean(allowed);
    this.sendAllowed = Boolean(allowed);
    this.#applyEnabled();
    if (changed) this.onTrackChange();
  }

  setGain(gain) {
    if (this.graph) this.graph.input.gain.setTargetAtTime(gain, this.engine.ctx.currentTime, 0.02);
  }

  setLoopback(on) {
    this.loopback = Boolean(on);
    if (this.graph) this.graph.monitor.gain.setTargetAtTime(this.loopback ? 1 : 0, this.engine.ctx.currentTime, 0.02);
  }

  setEffect(id, value) {
    this.effect = id;
    this.#build()?.slot.set(id, value);
  }

  /** Listen for 5 s and return the calibrated gain, or null when nothing was heard. */
  calibrate(durationMs = CALIBRATION_MS) {
    const graph = this.#build();
    if (!graph || !this.source) return Promise.resolve(null);
    const data = new Float32Array(graph.analyser.fftSize);
    let sum = 0;
    let count = 0;
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        graph.analyser.getFloatTimeDomainData(data);
        let frame = 0;
        for (const v of data) frame += v * v;
        sum += frame / data.length;
        count += 1;
      }, 50);
      setTimeout(() => {
        clearInterval(timer);
        resolve(calibratedGain(count ? Math.sqrt(sum / count) : 0));
      }, durationMs);
    });
  }

  state() {
    return {
      device: this.hasDevice, muted: this.muted, sendAllowed: this.sendAllowed, loopback: this.loopback,
      effect: this.effect, trackEnabled: this.graph?.destination.stream.getAudioTracks()[0]?.enabled ?? null,
    };
  }
}
