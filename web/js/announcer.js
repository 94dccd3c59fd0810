// Announcements (client.md §1): in the world they go to the status live region (cleared
// and re-filled on the next frame so screen readers re-read it, cleared after 4 s, the
// same text within 300 ms not repeated); before joining they go to the connection status
// line. Every announcement is also appended to the visible message log.
import { collapseWhitespace } from './text.js';

const REPEAT_WINDOW_MS = 300;
const CLEAR_AFTER_MS = 4000;
const LOG_LIMIT = 200;

function nextFrame(fn) {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      fn();
    }
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
  setTimeout(run, 50);
}

export class Announcer {
  constructor({ statusEl, connectionEl, logEl }) {
    this.statusEl = statusEl;
    this.connectionEl = connectionEl;
    this.logEl = logEl;
    this.inWorld = false;
    this.last = { text: '', at: -Infinity };
    this.pending = [];
    this.clearTimer = null;
    this.connectionPending = [];
  }

  /** Speak `text` where it belongs now. */
  say(raw) {
    const text = collapseWhitespace(raw);
    if (!text) return;
    const now = performance.now();
    if (text === this.last.text && now - this.last.at < REPEAT_WINDOW_MS) return;
    this.last = { text, at: now };
    this.#log(text);
    if (this.inWorld) this.#toStatus(text);
    else this.#toConnection(text);
  }

  /** Always to the connection status line (pre-join messages, even while leaving the world). */
  connection(raw) {
    const text = collapseWhitespace(raw);
    if (!text) return;
    this.#log(text);
    this.#toConnection(text);
  }

  /** Empty the connection status line without announcing anything. */
  clearConnection() {
    this.connectionPending = [];
    this.connectionEl.textContent = '';
  }

  #toStatus(text) {
    const first = this.pending.length === 0;
    this.pending.push(text);
    if (!first) return;
    this.statusEl.textContent = '';
    nextFrame(() => {
      this.statusEl.textContent = this.pending.join(' ');
      this.pending = [];
      clearTimeout(this.clearTimer);
      this.clearTimer = setTimeout(() => { this.statusEl.textContent = ''; }, CLEAR_AFTER_MS);
    });
  }

  #toConnection(text) {
    const first = this.connectionPending.length === 0;
    this.connectionPending.push(text);
    if (!first) return;
    this.connectionEl.textContent = '';
    nextFrame(() => {
      this.connectionEl.textContent = this.connectionPending.join(' ');
      this.connectionPending = [];
    });
  }

  #log(text) {
    if (!this.logEl) return;
    const entry = document.createElement('li');
    entry.textContent = text;
    this.logEl.append(entry);
    while (this.logEl.childElementCount > LOG_LIMIT) this.logEl.firstElementChild.remove();
    const scroller = this.logEl.parentElement;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }
}
