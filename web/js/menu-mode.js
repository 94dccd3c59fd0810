// The menu input mode behind the item and admin menus (client.md §3, §4.2–4.5, §4.8):
// Up/Down wrap, Home/End, a typed letter or digit jumps to the next entry starting with
// it, Enter selects, Space asks for help on the entry, Left/Right and PageUp/PageDown
// adjust the entry when the menu can (else PageUp/PageDown jump ten entries), Escape
// leaves. Entries are re-read on every key and the cursor follows its entry by key.
// The open menu is mirrored in the visible menu panel.
import { ListCursor } from './listnav.js';

export class MenuMode {
  /**
   * @param {object} game
   * @param {{title: string|(() => string), entries: () => any[], key: (e) => string, label: (e) => string,
   *   intro?: (label: string, e: any) => string, emptyText?: string, initialKey?: string,
   *   onEnter: (e, mode: MenuMode) => void, onSpace?: (e) => string,
   *   onAdjust?: (e, steps: number, page: boolean) => void, escapeText?: string,
   *   onEscape?: (mode: MenuMode) => void, onPacket?: (packet: object, mode: MenuMode) => void}} options
   */
  constructor(game, options) {
    this.game = game;
    this.options = options;
    this.name = 'menu';
    this.currentKey = options.initialKey ?? null;
    this.lastIndex = 0;
  }

  /** The current entries and the cursor's index among them (-1 when empty). */
  #resolve() {
    const entries = this.options.entries();
    if (!entries.length) return { entries, index: -1 };
    const keys = entries.map(this.options.key);
    let index = keys.indexOf(this.currentKey);
    if (index < 0) index = Math.max(0, Math.min(entries.length - 1, this.lastIndex));
    this.currentKey = keys[index];
    this.lastIndex = index;
    return { entries, index };
  }

  current() {
    const { entries, index } = this.#resolve();
    return index >= 0 ? entries[index] : null;
  }

  /** Put the cursor on the entry with this key (if present). */
  focus(key) {
    this.currentKey = key;
  }

  enter() {
    const entry = this.current();
    if (!entry) this.game.say(this.options.emptyText || 'Empty.');
    else {
      const label = this.options.label(entry);
      this.game.say(this.options.intro ? this.options.intro(label, entry) : label);
    }
    this.render();
  }

  leave() {
    this.game.menuPanel?.hide(this);
  }

  /** What is open, for the focus announcement: "{title}: {entry}." */
  describe() {
    const entry = this.current();
    const title = typeof this.options.title === 'function' ? this.options.title() : this.options.title;
    return entry ? `${title}: ${this.options.label(entry)}.` : `${title}.`;
  }

  /** Say the current entry again (after returning to this menu or a change of its data). */
  announceCurrent() {
    const entry = this.current();
    this.game.say(entry ? this.options.label(entry) : (this.options.emptyText || 'Empty.'));
    this.render();
  }

  render() {
    const { entries, index } = this.#resolve();
    const title = typeof this.options.title === 'function' ? this.options.title() : this.options.title;
    this.game.menuPanel?.show(this, { title, labels: entries.map(this.options.label), index: Math.max(0, index) });
  }

  onPacket(packet) {
    this.options.onPacket?.(packet, this);
  }

  #move(op, arg) {
    const { entries, index } = this.#resolve();
    if (index < 0) {
      this.game.audio.tone('blip');
      return;
    }
    const labels = entries.map(this.options.label);
    const cursor = new ListCursor(labels, index);
    if (op === 'page') {
      const n = entries.length;
      cursor.index = (((index + arg) % n) + n) % n;
    } else if (cursor[op](arg) === null) {
      this.game.audio.tone('blip');
      return;
    }
    this.currentKey = this.options.key(entries[cursor.index]);
    this.lastIndex = cursor.index;
    this.game.say(labels[cursor.index]);
    this.render();
  }

  keydown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return false;
    const moves = { ArrowDown: 'down', ArrowUp: 'up', Home: 'home', End: 'end' };
    if (moves[event.key]) {
      this.#move(moves[event.key]);
      return true;
    }
    const adjust = { ArrowRight: [1, false], ArrowLeft: [-1, false], PageUp: [1, true], PageDown: [-1, true] }[event.key];
    if (adjust) {
      const entry = this.current();
      if (this.options.onAdjust) {
        if (entry) this.options.onAdjust(entry, adjust[0], adjust[1]);
        this.render();
      } else if (adjust[1]) {
        const n = this.options.entries().length;
        this.#move('page', -adjust[0] * Math.max(1, Math.min(10, n - 1)));
      }
      return true;
    }
    if (event.key === 'Enter') {
      const entry = this.current();
      if (entry) this.options.onEnter(entry, this);
      else this.game.audio.tone('blip');
      return true;
    }
    if (event.key === ' ') {
      const entry = this.current();
      if (entry && this.options.onSpace) this.game.say(this.options.onSpace(entry));
      return true;
    }
    if (event.key === 'Escape') {
      if (this.options.onEscape) this.options.onEscape(this);
      else {
        this.game.popMode(this);
        this.game.say(this.options.escapeText || 'Cancelled.');
      }
      return true;
    }
    if (!event.repeat && /^[\p{L}\p{N}]$/u.test(event.key || '')) {
      this.#move('jump', event.key);
      return true;
    }
    return true; // a menu keeps other keys from reaching normal mode
  }
}
