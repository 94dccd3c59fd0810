// Cursor over a list of spoken labels (client.md §3): Up/Down wrap around, a typed letter
// or digit jumps to the next entry starting with it, Home/End go to the ends. Pure.

export class ListCursor {
  constructor(labels, index = 0) {
    this.labels = labels;
    this.index = labels.length ? Math.max(0, Math.min(labels.length - 1, index)) : -1;
  }

  get current() {
    return this.index >= 0 ? this.labels[this.index] : null;
  }

  down() {
    if (!this.labels.length) return null;
    this.index = (this.index + 1) % this.labels.length;
    return this.current;
  }

  up() {
    if (!this.labels.length) return null;
    this.index = (this.index - 1 + this.labels.length) % this.labels.length;
    return this.current;
  }

  home() {
    if (!this.labels.length) return null;
    this.index = 0;
    return this.current;
  }

  end() {
    if (!this.labels.length) return null;
    this.index = this.labels.length - 1;
    return this.current;
  }

  /** Jump to the next entry (after the current one, wrapping) starting with `ch`; null if none. */
  jump(ch) {
    const wanted = ch.toLowerCase();
    const n = this.labels.length;
    for (let step = 1; step <= n; step += 1) {
      const i = (this.index + step) % n;
      if (this.labels[i].toLowerCase().startsWith(wanted)) {
        this.index = i;
        return this.current;
      }
    }
    return null;
  }
}
