// The piano's rules without sound (client.md §4.4, §5.7): the key map, note numbers with
// the octave, the instrument presets and envelope mapping, the drum kit's voices, and the
// held-key logic of poly and mono voice modes. Pure.

/** KeyboardEvent.code → MIDI note at octave 0: white keys A…' and sharps W…]. */
export const PIANO_KEYS = {
  KeyA: 60, KeyW: 61, KeyS: 62, KeyE: 63, KeyD: 64, KeyF: 65, KeyT: 66, KeyG: 67, KeyY: 68,
  KeyH: 69, KeyU: 70, KeyJ: 71, KeyK: 72, KeyO: 73, KeyL: 74, KeyP: 75, Semicolon: 76,
  Quote: 77, BracketRight: 78,
};

export const INSTRUMENTS = [
  'piano', 'electric_piano', 'guitar', 'organ', 'bass', 'violin', 'synth_lead', 'brass', 'nintendo', 'drum_kit',
];

export const OCTAVE_MIN = -2;
export const OCTAVE_MAX = 2;

function clamp(value, min, max) {
  return Math.max(min, Math.min(max, value));
}

/** The MIDI note for a key code at an octave (clamped 0–127), or null for other keys. */
export function noteFor(code, octave = 0) {
  const base = PIANO_KEYS[code];
  if (base === undefined) return null;
  return clamp(base + 12 * clamp(Math.round(Number(octave) || 0), OCTAVE_MIN, OCTAVE_MAX), 0, 127);
}

export function midiFrequency(midi) {
  return 440 * 2 ** ((midi - 69) / 12);
}

/** Instrument shortcut: digit 1–9 → entries 0–8, 0 → entry 9 of the options list. */
export function instrumentForDigit(digit, options = INSTRUMENTS) {
  const index = digit === 0 ? 9 : digit - 1;
  return options[index] ?? null;
}

/**
 * Presets (client.md §5.7): oscillators [type, frequency ratio, gain, detune cents],
 * low-pass [Hz, Q], gain, sustain ratio, whether a held note sustains, release scale and
 * vibrato [Hz, cents].
 */
export const PRESETS = {
  piano: { osc: [['triangle', 1, 1, 0], ['sine', 2, 0.28, 0]], filter: [5200, 0.7], gain: 0.32, sustain: 0.5, holds: false, releaseScale: 0.9, vibrato: null },
  electric_piano: { osc: [['sine', 1, 1, 0], ['triangle', 1, 0.35, 5]], filter: [4200, 0.8], gain: 0.30, sustain: 0.52, holds: false, releaseScale: 0.8, vibrato: null },
  guitar: { osc: [['triangle', 1, 1, 0], ['sawtooth', 1, 0.2, -3]], filter: [3200, 0.9], gain: 0.24, sustain: 0.48, holds: false, releaseScale: 0.7, vibrato: null },
  organ: { osc: [['square', 1, 0.8, 0], ['sine', 2, 0.28, 0], ['sine', 3, 0.2, 0]], filter: [6500, 0.6], gain: 0.18, sustain: 0.72, holds: true, releaseScale: 1.4, vibrato: null },
  bass: { osc: [['sawtooth', 1, 0.9, 0], ['square', 0.5, 0.25, 0]], filter: [1500, 1.1], gain: 0.28, sustain: 0.45, holds: false, releaseScale: 0.9, vibrato: null },
  violin: { osc: [['sawtooth', 1, 0.8, 0], ['triangle', 1, 0.35, 3]], filter: [3600, 1.0], gain: 0.24, sustain: 0.68, holds: true, releaseScale: 1.5, vibrato: [5.7, 12] },
  synth_lead: { osc: [['sawtooth', 1, 0.85, 0], ['square', 1, 0.3, 6]], filter: [5400, 0.9], gain: 0.20, sustain: 0.6, holds: true, releaseScale: 1.0, vibrato: [6.8, 9] },
  brass: { osc: [['sawtooth', 1, 0.72, 0], ['square', 2, 0.2, 0]], filter: [3300, 1.05], gain: 0.22, sustain: 0.62, holds: true, releaseScale: 0.92, vibrato: [5.1, 5] },
  nintendo: { osc: [['square', 1, 1, 0], ['square', 1, 0.08, 2]], filter: [5200, 1.2], gain: 0.22, sustain: 0.62, holds: true, releaseScale: 0.65, vibrato: null },
  drum_kit: { osc: [], filter: [8000, 0.7], gain: 0.5, sustain: 0, holds: false, releaseScale: 0.5, vibrato: null },
};

export const DRUMS = [
  'kick_sub', 'kick_punch', 'snare_tight', 'snare_body', 'hat_closed', 'hat_open', 'tom_low',
  'tom_mid', 'tom_high', 'clap', 'pow_mid', 'pow_high', 'snare_noise', 'noise_8bit',
];

export function drumFor(midi) {
  return DRUMS[((midi % 14) + 14) % 14];
}

export function presetFor(instrument) {
  return PRESETS[instrument] || PRESETS.piano;
}

function control(value, fallback) {
  const n = Number(value);
  return Number.isFinite(n) ? clamp(n, 0, 100) / 100 : fallback / 100;
}

/**
 * Envelope of a note from the item's 0–100 controls (client.md §5.7).
 * @returns {{attack: number, decay: number, release: number, cutoff: number, sustain: number,
 *            holds: boolean, peak: number}} seconds, Hz, gain ratios
 */
export function envelope(instrument, { attack = 15, decay = 45, release = 35, brightness = 55 } = {}) {
  const preset = presetFor(instrument);
  const a = control(attack, 15);
  const d = control(decay, 45);
  const r = control(release, 35);
  const b = control(brightness, 55);
  return {
    attack: 0.002 + 0.6 * a,
    decay: 0.05 + 2.7 * d,
    release: Math.max(0.02, (0.03 + 3.4 * r) * preset.releaseScale),
    cutoff: preset.filter[0] * (0.45 + 1.55 * b),
    sustain: preset.sustain,
    holds: preset.holds,
    peak: preset.gain,
  };
}

/**
 * The keys held on the local keyboard and what pressing or releasing one sounds.
 * Poly: every key sounds. Mono: a new key silences the sounding one; releasing the
 * sounding key re-triggers the most recent key still held.
 * Actions are {on: boolean, keyId, midi}, to be played locally and sent.
 */
export class HeldKeys {
  constructor() {
    this.held = []; // [{keyId, midi}] in press order
    this.sounding = new Map(); // keyId → midi
  }

  press(keyId, midi, mono) {
    if (this.held.some((k) => k.keyId === keyId)) return [];
    const actions = [];
    if (mono) {
      for (const [id, note] of this.sounding) actions.push({ on: false, keyId: id, midi: note });
      this.sounding.clear();
    }
    this.held.push({ keyId, midi });
    this.sounding.set(keyId, midi);
    actions.push({ on: true, keyId, midi });
    return actions;
  }

  release(keyId, mono) {
    const index = this.held.findIndex((k) => k.keyId === keyId);
    if (index < 0) return [];
    this.held.splice(index, 1);
    const actions = [];
    if (this.sounding.has(keyId)) {
      actions.push({ on: false, keyId, midi: this.sounding.get(keyId) });
      this.sounding.delete(keyId);
      if (mono && this.held.length && !this.sounding.size) {
        const last = this.held[this.held.length - 1];
        this.sounding.set(last.keyId, last.midi);
        actions.push({ on: true, keyId: last.keyId, midi: last.midi });
      }
    }
    return actions;
  }

  /** Note-offs for everything sounding; forgets every key (leaving piano mode, blur). */
  releaseAll() {
    const actions = [...this.sounding].map(([keyId, midi]) => ({ on: false, keyId, midi }));
    this.held = [];
    this.sounding.clear();
    return actions;
  }
}
