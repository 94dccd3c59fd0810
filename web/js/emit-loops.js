// Emit loops on the item layer (client.md §5.5): the clock's ticking and widgets' sounds.
// One <audio> element per item, with the same start/keep distances as radios, playback
// rate from speed and tempo, the initial and loop delays, an effect, the volume and (for
// directional widgets) the cone. Each item's schedule is anchored when its first runtime
// starts, so a runtime recreated after walking away and back carries on in step; the
// anchor is kept only while the sound URL is the same (upstream-0.1.md §19), so a new sound
// waits its initial delay again. A loop delay of 0 loops natively (no gap); a positive one
// restarts the sound that long after each end; changing either while playing takes effect
// at once (emit-schedule.js reanchorMs).
import { EffectSlot } from './audio-effects.js';
import { MediaTap } from './media-tap.js';
import { distance, runtimeWanted } from './range-rules.js';
import { SOURCE_KINDS } from './spatial-model.js';
import { streamSource } from './sound-url.js';
import {
  delaySeconds, emitPhase, emitPlayback, emitScheduleKey, reanchorMs,
} from './emit-schedule.js';
import {
  directionalFacing, emitRange, emitSettings, emitSoundOf, itemEnabled,
} from './item-audio-params.js';

export class EmitManager {
  constructor({ engine, state, types, page = {} }) {
    this.engine = engine;
    this.state = state;
    this.types = types;
    this.page = page;
    this.runtimes = new Map(); // item id → runtime
    this.anchors = new Map(); // item id → {url, createdAt, at, rate, loopDelay}; at = first play's start
  }

  refresh() {
    if (!this.engine.ctx) return;
    const itemOn = this.engine.settings.layers.item;
    const seen = new Set();
    for (const item of this.state.items.values()) {
      const source = streamSource(emitSoundOf(item), this.page);
      if (!source) continue;
      seen.add(item.id);
      this.#decide(item, source, itemOn);
    }
    for (const id of [...this.runtimes.keys()]) if (!seen.has(id)) this.#drop(id);
    for (const id of [...this.anchors.keys()]) if (!this.state.items.has(id)) this.anchors.delete(id);
    for (const runtime of this.runtimes.values()) {
      if (runtime.tap.mode === 'direct') runtime.tap.setDirectVolume(runtime.node.mix.gain * (this.engine.settings.masterVolume / 100));
    }
  }

  #decide(item, source, itemOn) {
    const { url } = source;
    let runtime = this.runtimes.get(item.id);
    const wanted = itemOn && itemEnabled(item)
      && runtimeWanted(Boolean(runtime), distance(this.state.self, item), emitRange(item, this.types));
    if (!wanted) {
      if (runtime) this.#drop(item.id);
      return;
    }
    const settings = emitSettings(item);
    const { rate, preservesPitch } = emitPlayback(settings.speed, settings.tempo);
    const timing = { rate, initialDelay: delaySeconds(settings.initialDelay), loopDelay: delaySeconds(settings.loopDelay) };
    const key = emitScheduleKey(url, timing);
    if (runtime && runtime.url !== url) {
      this.#drop(item.id);
      runtime = null;
    }
    this.#anchor(item.id, url, timing, runtime);
    if (!runtime) runtime = this.#create(item, source);
    runtime.effect.set(settings.effect, settings.effectValue);
    runtime.node.update();
    const changed = runtime.key !== key;
    runtime.timing = timing;
    runtime.key = key;
    const { element } = runtime.tap;
    if (element) {
      element.playbackRate = rate;
      element.preservesPitch = preservesPitch;
    }
    runtime.preservesPitch = preservesPitch;
    if (changed) this.#tick(runtime);
  }

  /** Keep, start or shift the item's schedule (see the module comment). */
  #anchor(itemId, url, timing, runtime) {
    const now = performance.now();
    const anchor = this.anchors.get(itemId);
    if (!anchor || anchor.url !== url) {
      this.anchors.set(itemId, {
        url, createdAt: now, at: now + timing.initialDelay * 1000, rate: timing.rate, loopDelay: timing.loopDelay,
      });
      return;
    }
    if (now < anchor.at) anchor.at = anchor.createdAt + timing.initialDelay * 1000; // still waiting to start
    if (anchor.rate !== timing.rate || anchor.loopDelay !== timing.loopDelay) {
      const element = runtime?.tap.element;
      const duration = element && element.readyState >= 1 ? element.duration : NaN;
      anchor.at = reanchorMs(anchor.at, now, duration, anchor, timing);
      anchor.rate = timing.rate;
      anchor.loopDelay = timing.loopDelay;
      if (element) element.loop = timing.loopDelay === 0 && Number.isFinite(duration);
    }
  }

  #create(item, { url, proxyFallback }) {
    const { ctx } = this.engine;
    const runtime = {
      itemId: item.id, url, timing: null, key: null, timer: null, tap: null, effect: new EffectSlot(ctx), node: null,
    };
    runtime.node = this.engine.placed({
      layer: 'item',
      where: () => this.state.items.get(item.id) || { x: Infinity, y: Infinity },
      model: () => {
        const current = this.state.items.get(item.id) || item;
        return {
          ...SOURCE_KINDS.emit,
          range: emitRange(current, this.types),
          baseGain: emitSettings(current).baseGain,
          facing: directionalFacing(current, this.types),
        };
      },
    });
    runtime.tap = new MediaTap(this.engine, url, {
      proxyFallback,
      onEnded: () => this.#tick(runtime),
      onMetadata: () => this.#tick(runtime),
      sinkId: this.engine.settings.device('output')?.id || null,
    });
    runtime.tap.output.connect(runtime.effect.input);
    runtime.effect.output.connect(runtime.node.input);
    this.runtimes.set(item.id, runtime);
    return runtime;
  }

  /** Play or wait, by where the item's schedule is now. */
  #tick(runtime) {
    if (this.runtimes.get(runtime.itemId) !== runtime || !runtime.timing) return;
    clearTimeout(runtime.timer);
    runtime.timer = null;
    const { element } = runtime.tap;
    if (!element) return;
    element.playbackRate = runtime.timing.rate;
    element.preservesPitch = runtime.preservesPitch;
    const anchor = this.anchors.get(runtime.itemId);
    const duration = element.duration;
    const known = element.readyState >= 1;
    const phase = emitPhase(performance.now() - anchor.at, known ? duration : NaN, { ...runtime.timing, initialDelay: 0 });
    const atEnd = phase.playing && known && Number.isFinite(duration) && !element.loop
      && duration - phase.offset < 0.05 && element.ended;
    if (!phase.playing || atEnd) {
      runtime.tap.pause();
      if (atEnd) phase.waitMs = 60;
      runtime.timer = setTimeout(() => this.#tick(runtime), Math.max(10, phase.waitMs));
      return;
    }
    element.loop = runtime.timing.loopDelay === 0 && Number.isFinite(duration);
    if (!known) {
      runtime.tap.play(); // metadata will arrive and place it exactly
      return;
    }
    if (!element.paused && Math.abs(element.currentTime - phase.offset) < 0.25) return;
    runtime.tap.play(Number.isFinite(duration) ? phase.offset : null);
  }

  #drop(itemId) {
    const runtime = this.runtimes.get(itemId);
    if (!runtime) return;
    this.runtimes.delete(itemId);
    clearTimeout(runtime.timer);
    runtime.tap.dispose();
    runtime.effect.dispose();
    runtime.node.dispose();
  }

  stopAll() {
    for (const id of [...this.runtimes.keys()]) this.#drop(id);
  }

  describe() {
    return [...this.runtimes.values()].map((runtime) => ({
      itemId: runtime.itemId,
      effect: runtime.effect.id,
      timing: runtime.timing,
      ...runtime.tap.describe(),
      gain: runtime.node.mix.gain,
      pan: runtime.node.mix.pan,
    }));
  }
}
