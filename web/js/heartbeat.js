// The 10-second heartbeat (client.md §7): negative ping ids, a missed pong means the
// connection is stale. Timers are injected so the logic runs in tests without waiting.

export const HEARTBEAT_INTERVAL_MS = 10000;

export class Heartbeat {
  /**
   * @param {object} deps
   * @param {(id: number) => void} deps.sendPing
   * @param {() => void} deps.onStale
   * @param {(fn: Function, ms: number) => any} [deps.setInterval]
   * @param {(handle: any) => void} [deps.clearInterval]
   */
  constructor({
    sendPing, onStale, intervalMs = HEARTBEAT_INTERVAL_MS,
    setInterval = (fn, ms) => globalThis.setInterval(fn, ms),
    clearInterval = (handle) => globalThis.clearInterval(handle),
  }) {
    this.sendPing = sendPing;
    this.onStale = onStale;
    this.setIntervalFn = setInterval;
    this.clearIntervalFn = clearInterval;
    this.intervalMs = intervalMs;
    this.handle = null;
    this.awaiting = null;
    this.nextId = -1;
  }

  start() {
    this.stop();
    this.nextId = -1;
    this.#beat();
    this.handle = this.setIntervalFn(() => this.tick(), this.intervalMs);
  }

  #beat() {
    this.awaiting = this.nextId;
    this.nextId -= 1;
    this.sendPing(this.awaiting);
  }

  /** One interval elapsed. */
  tick() {
    if (this.awaiting !== null) {
      this.stop();
      this.onStale();
      return;
    }
    this.#beat();
  }

  /**
   * Check the connection now (the page was shown again): send the next heartbeat at once
   * and restart the interval, so a dead socket is found one interval from now rather than
   * up to two. Does nothing when stopped or while a heartbeat is still unanswered.
   */
  probe() {
    if (this.handle === null || this.awaiting !== null) return;
    this.clearIntervalFn(this.handle);
    this.#beat();
    this.handle = this.setIntervalFn(() => this.tick(), this.intervalMs);
  }

  /** Feed a pong; returns true when it was a heartbeat pong (consumed silently). */
  pong(clientSentAt) {
    if (clientSentAt >= 0) return false;
    if (clientSentAt === this.awaiting) this.awaiting = null;
    return true;
  }

  stop() {
    if (this.handle !== null) this.clearIntervalFn(this.handle);
    this.handle = null;
    this.awaiting = null;
  }
}
