// The list input mode used by the user list (Shift+L) and item list (Shift+I): Up/Down
// wrap, Home/End, a typed letter or digit jumps to the next entry starting with it;
// Enter, Escape and Left/Right do what the caller says. Entries are re-read on every key
// so positions stay current, and the cursor follows its entry by key. The list is also
// shown in the menu panel over the grid.
import { ListCursor } from './listnav.js';

export class ListMode {
  /**
   * @param {object} game
   * @param {{title?: string, entries: () => any[], key: (e) => string, name: (e) => string, label: (e) => string,
   *          intro: (count: number, firstLabel: string) => string, exitText: string,
   *          onEnter: (e) => void, onAdjust?: (e, delta: number) => string}} options
   */
  constructor(game, options) {
    this.game = game;
    this.options = options;
    this.name = 'list';
    this.currentKey = null;
  }

  /** A ListCursor over the current entries, positioned on the remembered entry. */
  #cursor() {
    const entries = this.options.entries();
    const keys = entries.map(this.options.key);
    const cursor = new ListCursor(entries.map(this.options.name), Math.max(0, keys.indexOf(this.currentKey)));
    return { entries, keys, cursor };
  }

  #move(op, arg) {
    const { entries, keys, cursor } = this.#cursor();
    if (!entries.length) return null;
    const moved = cursor[op](arg);
    if (moved === null) return null;
    this.currentKey = keys[cursor.index];
    this.#render();
    return entries[cursor.index];
  }

  #render() {
    const { entries, cursor } = this.#cursor();
    this.game.menuPanel?.show(this, {
      title: this.options.title || 'List', labels: entries.map(this.options.label), index: Math.max(0, cursor.index),
    });
  }

  leave() {
    this.game.menuPanel?.hide(this);
  }

  describe() {
    const entry = this.#current();
    return entry ? `${this.options.title || 'List'}: ${this.options.label(entry)}.` : null;
  }

  #current() {
    const { entries, cursor } = this.#cursor();
    return entries.length ? entries[cursor.index] : null;
  }

  enter() {
    const entries = this.options.entries();
    this.currentKey = entries.length ? this.options.key(entries[0]) : null;
    this.game.say(this.options.intro(entries.length, entries.length ? this.options.label(entries[0]) : ''));
    this.#render();
  }

  #say(entry) {
    if (entry) this.game.say(this.options.label(entry));
    else this.game.audio.tone('blip');
  }

  keydown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return false;
    const moves = { ArrowDown: 'down', ArrowUp: 'up', Home: 'home', End: 'end' };
    if (moves[event.key]) {
      this.#say(this.#move(moves[event.key]));
      return true;
    }
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      const entry = this.#current();
      if (entry && this.options.onAdjust) this.game.say(this.options.onAdjust(entry, event.key === 'ArrowRight' ? 1 : -1));
      this.#render();
      return true;
    }
    if (event.key === 'Enter') {
      const entry = this.#current();
      this.game.popMode(this);
      if (entry) this.options.onEnter(entry);
      return true;
    }
    if (event.key === 'Escape') {
      this.game.popMode(this);
      this.game.say(this.options.exitText);
      return true;
    }
    if (!event.repeat && /^[\p{L}\p{N}]$/u.test(event.key || '')) {
      this.#say(this.#move('jump', event.key));
      return true;
    }
    return true; // the list keeps other keys from reaching normal mode
  }
}
