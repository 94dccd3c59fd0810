// The effects of client.md §5.6 (outgoing voice, radio and widget effects): their ids and
// labels, the parameter formulas (pure, unit-tested), and EffectSlot, a fixed input and
// output pair of Web Audio nodes whose inner effect chain can be swapped at any time.

export const EFFECT_IDS = ['reverb', 'echo', 'flanger', 'high_pass', 'low_pass', 'off'];
export const EFFECT_LABELS = {
  reverb: 'Reverb', echo: 'Echo', flanger: 'Flanger', high_pass: 'High Pass', low_pass: 'Low Pass', off: 'Off',
};
export const DEFAULT_EFFECT_VALUE = 50;

/** 0–100, rounded to 0.1; anything unreadable is the default 50. */
export function effectValue(value) {
  const n = Number(value);
  if (value === null || value === '' || !Number.isFinite(n)) return DEFAULT_EFFECT_VALUE;
  return Math.round(Math.max(0, Math.min(100, n)) * 10) / 10;
}

export function effectId(id) {
  const value = String(id ?? 'off').toLowerCase();
  return EFFECT_IDS.includes(value) ? value : 'off';
}

/** The node parameters of an effect at amount `value` (0–100). */
export function effectParams(id, value) {
  const m = effectValue(value) / 100;
  switch (effectId(id)) {
    case 'high_pass':
      return { type: 'highpass', frequency: 120 + 7000 * m, q: 0.7 + 8 * m };
    case 'low_pass':
      return { type: 'lowpass', frequency: 7800 - 7750 * m, q: 0.7 + 8 * m };
    case 'echo': {
      const t = 0.8 * m;
      return { delay: 0.04 + 0.76 * t, feedback: 0.02 + 0.44 * t, wet: 0.08 + 0.92 * t, dry: 1 - 0.85 * t };
    }
    case 'reverb':
      return { seconds: 0.4 + 4.2 * m, decayPower: 1 + 3.6 * m, wet: 0.06 + 0.94 * m, dry: 1 - 0.8 * m };
    case 'flanger':
      return {
        delay: 0.0005 + 0.012 * m,
        lfoHz: 0.05 + 1.8 * m,
        depth: 0.0002 + 0.015 * m,
        feedback: 0.04 + 0.9 * m,
        wet: 0.05 + 0.95 * m,
        dry: 1 - 0.82 * m,
      };
    default:
      return {};
  }
}

/** A stereo noise impulse decaying as (1 − i/n)^power (the reverb's room). */
function reverbImpulse(ctx, seconds, power) {
  const length = Math.max(1, Math.floor(ctx.sampleRate * seconds));
  const buffer = ctx.createBuffer(2, length, ctx.sampleRate);
  for (let channel = 0; channel < 2; channel += 1) {
    const data = buffer.getChannelData(channel);
    for (let i = 0; i < length; i += 1) data[i] = (Math.random() * 2 - 1) * (1 - i / length) ** power;
  }
  return buffer;
}

/** Build the inner chain between `input` and `output`; returns the nodes to tear down. */
function buildChain(ctx, input, output, id, value) {
  const p = effectParams(id, value);
  const nodes = [];
  const gain = (v) => {
    const node = ctx.createGain();
    node.gain.value = v;
    nodes.push(node);
    return node;
  };
  switch (effectId(id)) {
    case 'high_pass':
    case 'low_pass': {
      const filter = ctx.createBiquadFilter();
      filter.type = p.type;
      filter.frequency.value = p.frequency;
      filter.Q.value = p.q;
      nodes.push(filter);
      input.connect(filter).connect(output);
      break;
    }
    case 'echo': {
      const delay = ctx.createDelay(2);
      delay.delayTime.value = p.delay;
      nodes.push(delay);
      const feedback = gain(p.feedback);
      input.connect(gain(p.dry)).connect(output);
      input.connect(delay);
      delay.connect(feedback).connect(delay);
      delay.connect(gain(p.wet)).connect(output);
      break;
    }
    case 'reverb': {
      const convolver = ctx.createConvolver();
      convolver.buffer = reverbImpulse(ctx, p.seconds, p.decayPower);
      nodes.push(convolver);
      input.connect(gain(p.dry)).connect(output);
      input.connect(convolver).connect(gain(p.wet)).connect(output);
      break;
    }
    case 'flanger': {
      const delay = ctx.createDelay(0.1);
      delay.delayTime.value = p.delay;
      const lfo = ctx.createOscillator();
      lfo.frequency.value = p.lfoHz;
      nodes.push(delay, lfo);
      lfo.connect(gain(p.depth)).connect(delay.delayTime);
      lfo.start();
      input.connect(gain(p.dry)).connect(output);
      input.connect(delay);
      delay.connect(gain(p.feedback)).connect(delay);
      delay.connect(gain(p.wet)).connect(output);
      break;
    }
    default:
      input.connect(output);
  }
  return nodes;
}

/** A swappable effect between two fixed gain nodes: connect to `input`, take from `output`. */
export class EffectSlot {
  constructor(ctx, id = 'off', value = DEFAULT_EFFECT_VALUE) {
    this.ctx = ctx;
    this.input = ctx.createGain();
    this.output = ctx.createGain();
    this.nodes = [];
    this.id = null;
    this.value = null;
    this.set(id, value);
  }

  /** Switch to effect `id` at amount `value` (rebuilt only when something changed). */
  set(id, value) {
    const nextId = effectId(id);
    const nextValue = effectValue(value);
    if (nextId === this.id && nextValue === this.value) return;
    this.#teardown();
    this.id = nextId;
    this.value = nextValue;
    this.nodes = buildChain(this.ctx, this.input, this.output, nextId, nextValue);
  }

  #teardown() {
    this.input.disconnect();
    for (const node of this.nodes) {
      try {
        if (typeof node.stop === 'function') node.stop();
      } catch { /* not started */ }
      node.disconnect();
    }
    this.nodes = [];
  }

  dispose() {
    this.#teardown();
    this.output.disconnect();
  }
}
