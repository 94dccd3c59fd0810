// One-shot item sounds on the world layer (client.md §5.2, items.md §6): the use sound of
// `item_use_sound`, and the speaking clock's `item_clock_announce`, whose samples are
// fetched in order and played back to back at the clock's tile. Announcements of one clock
// queue behind each other. Both are re-evaluated as the listener moves.
import { soundUrl } from './sound-url.js';
import { HEARING_RANGE } from './spatial-model.js';

const GAP_SECONDS = 0.02;

/** Start times (context seconds) of clips of `durations` played back to back from `start`. */
export function sequenceTimes(durations, start, gap = GAP_SECONDS) {
  const times = [];
  let at = start;
  for (const duration of durations) {
    times.push(at);
    at += duration + gap;
  }
  return { times, end: at };
}

export class ItemSounds {
  constructor(engine, page = {}) {
    this.engine = engine;
    this.page = page;
    this.clockQueues = new Map(); // item id → promise of the announcement playing
    this.playing = new Set();
  }

  /** `item_use_sound {itemId, sound, x, y, range}` */
  useSound(packet) {
    const url = soundUrl(packet.sound, this.page);
    if (!url) return;
    this.#track(this.engine.playUrl(url, { at: packet, range: packet.range || HEARING_RANGE, layer: 'world' }));
  }

  /** `item_clock_announce {itemId, sounds[], x, y, range}` */
  clockAnnounce(packet) {
    const urls = packet.sounds.map((s) => soundUrl(s, this.page)).filter(Boolean);
    if (!urls.length || !this.engine.ctx) return;
    if (!this.engine.settings.layers.world) return;
    const buffers = urls.map((url) => this.engine.loadBuffer(url)); // requested in order
    const previous = this.clockQueues.get(packet.itemId) || Promise.resolve();
    const done = previous.then(() => this.#speak(packet, buffers)).catch((error) => {
      console.warn('chgrid audio: clock announcement failed', error);
    });
    this.clockQueues.set(packet.itemId, done);
    done.then(() => {
      if (this.clockQueues.get(packet.itemId) === done) this.clockQueues.delete(packet.itemId);
    });
  }

  async #speak(packet, pending) {
    const buffers = (await Promise.all(pending)).filter(Boolean);
    if (!buffers.length || !this.engine.settings.layers.world) return;
    const { ctx } = this.engine;
    const { times, end } = sequenceTimes(buffers.map((b) => b.duration), ctx.currentTime + 0.05);
    const range = packet.range || HEARING_RANGE;
    const handles = buffers.map((buffer, i) => this.engine.playBuffer(buffer, {
      at: packet, range, layer: 'world', when: times[i],
    }));
    for (const handle of handles) this.#track(Promise.resolve(handle));
    await new Promise((resolve) => { setTimeout(resolve, Math.max(0, (end - ctx.currentTime) * 1000)); });
  }

  #track(pending) {
    pending.then((handle) => {
      if (!handle) return;
      this.playing.add(handle);
      handle.ended.then(() => this.playing.delete(handle));
    });
  }

  /** World layer off or leaving the world: stop everything playing. */
  stopAll() {
    for (const handle of this.playing) handle.stop();
    this.playing.clear();
    this.clockQueues.clear();
  }
}
