// An <audio> element for a radio stream or an emit loop, routed into Web Audio so it can
// be placed, filtered and panned. Web Audio only hears a cross-origin stream that allows
// CORS, so such a URL is first loaded with crossOrigin="anonymous"; if that load fails the
// element is retried through the grid's media proxy when one is given (`proxyFallback`,
// same origin, so still placed and filtered), and only then recreated without CORS to play
// directly ("direct" mode: volume only, no pan or effects) rather than not at all.
import { isCrossOrigin } from './sound-url.js';

export class MediaTap {
  /**
   * @param {object} engine the AudioEngine (ctx)
   * @param {string} url
   * @param {{onError?: (error) => void, onPlaying?: () => void, onEnded?: () => void,
   *          onMetadata?: () => void, sinkId?: string|null, proxyFallback?: string|null}} handlers
   */
  constructor(engine, url, handlers = {}) {
    this.engine = engine;
    this.url = url;
    this.handlers = handlers;
    this.output = engine.ctx.createGain();
    this.source = null;
    this.element = null;
    this.started = false;
    this.failed = false;
    this.mode = 'webaudio';
    this.triedDirect = false;
    this.triedProxy = !handlers.proxyFallback;
    this.originalUrl = url;
    this.wantPlay = false;
    this.wantOffset = null;
    const origin = globalThis.location?.origin ?? '';
    this.#load(isCrossOrigin(url, origin) ? 'cors' : 'same');
  }

  #load(kind) {
    this.#dropElement();
    const element = new Audio();
    element.preload = 'auto';
    if (kind === 'cors') element.crossOrigin = 'anonymous';
    this.mode = kind === 'direct' ? 'direct' : 'webaudio';
    element.addEventListener('playing', () => {
      if (this.element !== element) return;
      this.started = true;
      this.handlers.onPlaying?.();
    });
    element.addEventListener('ended', () => { if (this.element === element) this.handlers.onEnded?.(); });
    element.addEventListener('loadedmetadata', () => { if (this.element === element) this.handlers.onMetadata?.(); });
    element.addEventListener('error', () => {
      if (this.element !== element) return;
      if (kind === 'cors' && !this.triedProxy) {
        this.triedProxy = true;
        this.url = this.handlers.proxyFallback;
        this.#load('proxy');
        if (this.wantPlay) this.play(this.wantOffset);
        return;
      }
      if ((kind === 'cors' || kind === 'proxy') && !this.triedDirect) {
        this.triedDirect = true;
        this.url = this.originalUrl;
        this.#load('direct');
        if (this.wantPlay) this.play(this.wantOffset);
        return;
      }
      this.failed = true;
      this.handlers.onError?.(element.error);
    });
    element.src = this.url;
    this.element = element;
    if (this.mode === 'webaudio') {
      this.source = this.engine.ctx.createMediaElementSource(element);
      this.source.connect(this.output);
    } else {
      const sink = this.handlers.sinkId;
      if (sink && typeof element.setSinkId === 'function') element.setSinkId(sink).catch(() => {});
    }
  }

  #dropElement() {
    if (this.source) this.source.disconnect();
    this.source = null;
    if (this.element) {
      this.element.pause();
      this.element.removeAttribute('src');
      this.element.load();
    }
    this.element = null;
  }

  /** Start playing (from `offset` seconds when given); a refused start counts as an error. */
  play(offset = null) {
    const { element } = this;
    if (!element) return;
    this.wantPlay = true;
    this.wantOffset = offset;
    if (offset !== null && Number.isFinite(offset)) {
      try {
        element.currentTime = offset;
      } catch { /* not seekable yet */ }
    }
    element.play().catch((error) => {
      if (this.element !== element || error?.name === 'AbortError') return;
      this.failed = true;
      this.handlers.onError?.(error);
    });
  }

  pause() {
    this.wantPlay = false;
    this.element?.pause();
  }

  /** Direct mode: the element's own volume (0–1). */
  setDirectVolume(volume) {
    if (this.mode === 'direct' && this.element) this.element.volume = Math.max(0, Math.min(1, volume));
  }

  dispose() {
    this.#dropElement();
    this.output.disconnect();
  }

  describe() {
    const element = this.element;
    return {
      url: this.url,
      mode: this.mode,
      started: this.started,
      failed: this.failed,
      paused: element ? element.paused : true,
      currentTime: element ? element.currentTime : 0,
      playbackRate: element ? element.playbackRate : 1,
      preservesPitch: element ? element.preservesPitch : true,
      loop: element ? element.loop : false,
    };
  }
}
