// The message history browsed with , . < > (client.md §1): the newest 300 lines, with a
// reading cursor that jumps to the newest line whenever a line is added.

export const HISTORY_LIMIT = 300;

export class MessageHistory {
  constructor(limit = HISTORY_LIMIT) {
    this.limit = limit;
    this.lines = [];
    this.cursor = -1;
  }

  get size() {
    return this.lines.length;
  }

  push(line) {
    this.lines.push(line);
    if (this.lines.length > this.limit) this.lines.splice(0, this.lines.length - this.limit);
    this.cursor = this.lines.length - 1;
  }

  /** Read one line relative to the cursor. `edge` is true when the cursor could not move. */
  #read(target) {
    if (!this.lines.length) return { text: null, edge: true };
    const clamped = Math.max(0, Math.min(this.lines.length - 1, target));
    const edge = clamped !== target || clamped === this.cursor;
    this.cursor = clamped;
    return { text: this.lines[clamped], edge };
  }

  previous() {
    return this.#read(this.cursor - 1);
  }

  next() {
    return this.#read(this.cursor + 1);
  }

  first() {
    return this.#read(0);
  }

  last() {
    return this.#read(this.lines.length - 1);
  }

  clear() {
    this.lines = [];
    this.cursor = -1;
  }
}
