// A placed sound in the Web Audio graph: input gain → stereo panner → its layer's bus.
// It asks `where()` and `model()` for its position and spatial parameters and applies the
// mix of spatial-model.js, smoothed (time constant 0.2/3 s). Tracked nodes are re-evaluated
// by the engine whenever the listener moves or the output mode changes; fixed ones (piano
// notes) keep the mix computed when they start.
import { sourceMix, SMOOTHING_TIME_CONSTANT } from './spatial-model.js';

export class SpatialNode {
  /**
   * @param {object} engine the AudioEngine (ctx, listener, mono, bus(), track())
   * @param {{layer?: string|null, where: () => ({x:number,y:number}|null),
   *          model: () => object, fixed?: boolean}} options
   */
  constructor(engine, { layer = null, where, model, fixed = false }) {
    this.engine = engine;
    this.where = where;
    this.model = model;
    this.fixed = fixed;
    const { ctx } = engine;
    this.input = ctx.createGain();
    this.input.gain.value = 0;
    this.panner = typeof ctx.createStereoPanner === 'function' ? ctx.createStereoPanner() : null;
    if (this.panner) this.input.connect(this.panner).connect(engine.bus(layer));
    else this.input.connect(engine.bus(layer));
    this.mix = { gain: 0, pan: 0, distance: Infinity };
    this.disposed = false;
    this.update({ immediate: true });
    if (!fixed) engine.track(this);
  }

  /** Recompute gain and pan from the current positions. */
  update({ immediate = false } = {}) {
    if (this.disposed) return this.mix;
    const at = this.where();
    const model = this.model();
    this.mix = at
      ? sourceMix(at, this.engine.listener, { ...model, mono: this.engine.mono })
      : { gain: model.baseGain ?? 1, pan: 0, distance: 0 };
    const now = this.engine.ctx.currentTime;
    if (immediate) {
      this.input.gain.cancelScheduledValues(now);
      this.input.gain.setValueAtTime(this.mix.gain, now);
      if (this.panner) {
        this.panner.pan.cancelScheduledValues(now);
        this.panner.pan.setValueAtTime(this.mix.pan, now);
      }
    } else {
      this.input.gain.setTargetAtTime(this.mix.gain, now, SMOOTHING_TIME_CONSTANT);
      if (this.panner) this.panner.pan.setTargetAtTime(this.mix.pan, now, SMOOTHING_TIME_CONSTANT);
    }
    return this.mix;
  }

  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.untrack(this);
    this.input.disconnect();
    this.panner?.disconnect();
  }
}
