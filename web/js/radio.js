// Radios on the media layer (client.md §5.4): one shared <audio> element per stream URL,
// so radios tuned to the same station play in sync, each radio routed through its channel
// mode → effect → volume → placement with the directional cone. A radio has a runtime
// while it is on, has a URL and the listener is within its range + 5 (kept until + 8).
// Failed starts retry every 5 s, after 6 failures every 60 s.
import { EffectSlot } from './audio-effects.js';
import { MediaTap } from './media-tap.js';
import { distance, radioRetryDelayMs, runtimeWanted } from './range-rules.js';
import { SOURCE_KINDS } from './spatial-model.js';
import { streamSource, withStartMarker } from './sound-url.js';
import {
  directionalFacing, emitRange, itemEnabled, radioSettings,
} from './item-audio-params.js';

/** The channel-mode stage: stereo as is, mono (L+R)/2, or one channel only. */
function channelStage(ctx, mode) {
  const output = ctx.createGain();
  if (mode === 'stereo') return { input: output, output, nodes: [] };
  const splitter = ctx.createChannelSplitter(2);
  const nodes = [splitter];
  if (mode === 'left' || mode === 'right') {
    splitter.connect(output, mode === 'left' ? 0 : 1);
  } else {
    for (const channel of [0, 1]) {
      const half = ctx.createGain();
      half.gain.value = 0.5;
      splitter.connect(half, channel);
      half.connect(output);
      nodes.push(half);
    }
  }
  return { input: splitter, output, nodes };
}

export class RadioManager {
  /**
   * @param {{engine: object, state: object, types: Map, page?: object}} deps
   */
  constructor({ engine, state, types, page = {} }) {
    this.engine = engine;
    this.state = state;
    this.types = types;
    this.page = page;
    this.streams = new Map(); // stream URL → {url, tap, radios: Set, failures, retryTimer}
    this.runtimes = new Map(); // item id → runtime
  }

  /** Re-decide every radio (listener moved, item changed, layer toggled). */
  refresh() {
    if (!this.engine.ctx) return;
    const mediaOn = this.engine.settings.layers.media;
    const seen = new Set();
    for (const item of this.state.items.values()) {
      if (item.type !== 'radio_station') continue;
      seen.add(item.id);
      this.#decide(item, mediaOn);
    }
    for (const id of [...this.runtimes.keys()]) if (!seen.has(id)) this.#drop(id);
    this.#updateDirectVolumes();
  }

  #decide(item, mediaOn) {
    const settings = radioSettings(item);
    let runtime = this.runtimes.get(item.id);
    const range = emitRange(item, this.types);
    const wanted = mediaOn && itemEnabled(item) && settings.streamUrl
      && runtimeWanted(Boolean(runtime), distance(this.state.self, item), range);
    if (!wanted) {
      if (runtime) this.#drop(item.id);
      return;
    }
    if (runtime && runtime.streamUrl !== settings.streamUrl) {
      this.#drop(item.id);
      runtime = null;
    }
    if (!runtime) runtime = this.#create(item, settings);
    this.#configure(runtime, item, settings);
  }

  #create(item, settings) {
    const { ctx } = this.engine;
    const stream = this.#stream(settings.streamUrl);
    const effect = new EffectSlot(ctx);
    const runtime = {
      itemId: item.id, streamUrl: settings.streamUrl, stream, channel: null, stage: null, effect, node: null,
    };
    runtime.node = this.engine.placed({
      layer: 'media',
      where: () => this.state.items.get(item.id) || { x: Infinity, y: Infinity },
      model: () => {
        const current = this.state.items.get(item.id) || item;
        return {
          ...SOURCE_KINDS.radio,
          range: emitRange(current, this.types),
          baseGain: radioSettings(current).baseGain,
          facing: directionalFacing(current, this.types),
        };
      },
    });
    effect.output.connect(runtime.node.input);
    stream.radios.add(item.id);
    this.runtimes.set(item.id, runtime);
    this.#connectStream(runtime);
    return runtime;
  }

  #configure(runtime, item, settings) {
    if (runtime.channel !== settings.channel) {
      this.#disconnectStream(runtime);
      if (runtime.stage) {
        runtime.stage.output.disconnect();
        for (const node of runtime.stage.nodes) node.disconnect();
      }
      runtime.stage = channelStage(this.engine.ctx, settings.channel);
      runtime.stage.output.connect(runtime.effect.input);
      runtime.channel = settings.channel;
      this.#connectStream(runtime);
    }
    runtime.effect.set(settings.effect, settings.effectValue);
    runtime.node.update();
  }

  #connectStream(runtime) {
    if (runtime.stage && runtime.stream.tap) runtime.stream.tap.output.connect(runtime.stage.input);
  }

  #disconnectStream(runtime) {
    if (!runtime.stage || !runtime.stream.tap) return;
    try {
      runtime.stream.tap.output.disconnect(runtime.stage.input);
    } catch { /* was not connected */ }
  }

  #stream(streamUrl) {
    let stream = this.streams.get(streamUrl);
    if (stream) return stream;
    stream = { url: streamUrl, tap: null, radios: new Set(), failures: 0, retryTimer: null };
    this.streams.set(streamUrl, stream);
    this.#start(stream);
    return stream;
  }

  #start(stream) {
    stream.tap?.dispose();
    const source = streamSource(withStartMarker(stream.url, Date.now()), this.page);
    stream.tap = new MediaTap(this.engine, source.url, {
      proxyFallback: source.proxyFallback,
      onPlaying: () => { stream.failures = 0; },
      onError: () => this.#failed(stream),
      sinkId: this.engine.settings.device('output')?.id || null,
    });
    for (const id of stream.radios) {
      const runtime = this.runtimes.get(id);
      if (runtime) this.#connectStream(runtime);
    }
    stream.tap.play();
  }

  #failed(stream) {
    if (this.streams.get(stream.url) !== stream || stream.retryTimer) return;
    stream.failures += 1;
    stream.retryTimer = setTimeout(() => {
      stream.retryTimer = null;
      if (this.streams.get(stream.url) === stream) this.#start(stream);
    }, radioRetryDelayMs(stream.failures));
  }

  #drop(itemId) {
    const runtime = this.runtimes.get(itemId);
    if (!runtime) return;
    this.runtimes.delete(itemId);
    this.#disconnectStream(runtime);
    runtime.stage?.output.disconnect();
    for (const node of runtime.stage?.nodes || []) node.disconnect();
    runtime.effect.dispose();
    runtime.node.dispose();
    const { stream } = runtime;
    stream.radios.delete(itemId);
    if (!stream.radios.size) {
      clearTimeout(stream.retryTimer);
      stream.tap?.dispose();
      this.streams.delete(stream.url);
    }
  }

  /** Streams that could not be routed into Web Audio play at the loudest radio's gain. */
  #updateDirectVolumes() {
    for (const stream of this.streams.values()) {
      if (stream.tap?.mode !== 'direct') continue;
      let loudest = 0;
      for (const id of stream.radios) loudest = Math.max(loudest, this.runtimes.get(id)?.node.mix.gain ?? 0);
      stream.tap.setDirectVolume(loudest * (this.engine.settings.masterVolume / 100));
    }
  }

  stopAll() {
    for (const id of [...this.runtimes.keys()]) this.#drop(id);
  }

  describe() {
    return [...this.streams.values()].map((stream) => ({
      streamUrl: stream.url,
      itemIds: [...stream.radios],
      failures: stream.failures,
      ...(stream.tap ? stream.tap.describe() : {}),
      radios: [...stream.radios].map((id) => {
        const runtime = this.runtimes.get(id);
        return {
          itemId: id, channel: runtime?.channel, effect: runtime?.effect.id, effectValue: runtime?.effect.value, ...runtime?.node.mix,
        };
      }),
    }));
  }
}
