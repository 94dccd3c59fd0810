// The one text editor shared by the text-entry modes (client.md §3): cursor movement by
// character and word, deletion, select-all, copy/cut/paste, and what each key announces.
// Pure: it returns what happened; the caller speaks it and touches the clipboard.
import { charName, sanitizePaste } from './text.js';

const WORD_CHAR = /[\p{L}\p{N}_]/u;

export class TextEditor {
  constructor({ text = '', maxLength = 500, selectAll = false } = {}) {
    this.maxLength = maxLength;
    this.chars = [...text].slice(0, maxLength);
    this.cursor = this.chars.length;
    this.allSelected = selectAll && this.chars.length > 0;
  }

  get text() {
    return this.chars.join('');
  }

  #charAtCursor() {
    return this.cursor >= this.chars.length ? 'space' : charName(this.chars[this.cursor]);
  }

  #wordAt(index) {
    let start = index;
    let end = index;
    while (start > 0 && WORD_CHAR.test(this.chars[start - 1])) start -= 1;
    while (end < this.chars.length && WORD_CHAR.test(this.chars[end])) end += 1;
    return this.chars.slice(start, end).join('');
  }

  /** Insert typed or pasted text; with everything selected it replaces the text. */
  insert(text) {
    let incoming = [...text];
    if (this.allSelected) {
      this.chars = [];
      this.cursor = 0;
      this.allSelected = false;
    }
    const room = this.maxLength - this.chars.length;
    if (room <= 0) return { changed: false, speak: 'Maximum length reached.' };
    incoming = incoming.slice(0, room);
    this.chars.splice(this.cursor, 0, ...incoming);
    this.cursor += incoming.length;
    return { changed: true, speak: '' };
  }

  backspace() {
    if (this.allSelected) return this.#deleteAll();
    if (this.cursor === 0) return { changed: false, speak: 'blank' };
    const [removed] = this.chars.splice(this.cursor - 1, 1);
    this.cursor -= 1;
    return { changed: true, speak: charName(removed) };
  }

  delete() {
    if (this.allSelected) return this.#deleteAll();
    if (this.cursor >= this.chars.length) return { changed: false, speak: 'blank' };
    const [removed] = this.chars.splice(this.cursor, 1);
    return { changed: true, speak: charName(removed) };
  }

  #deleteAll() {
    this.chars = [];
    this.cursor = 0;
    this.allSelected = false;
    return { changed: true, speak: 'blank' };
  }

  #move(to) {
    this.allSelected = false;
    this.cursor = Math.max(0, Math.min(this.chars.length, to));
  }

  left() {
    this.#move(this.cursor - 1);
    return { changed: false, speak: this.#charAtCursor() };
  }

  right() {
    this.#move(this.cursor + 1);
    return { changed: false, speak: this.#charAtCursor() };
  }

  home() {
    this.#move(0);
    return { changed: false, speak: this.#charAtCursor() };
  }

  end() {
    this.#move(this.chars.length);
    return { changed: false, speak: this.#charAtCursor() };
  }

  wordLeft() {
    let i = this.cursor;
    while (i > 0 && !WORD_CHAR.test(this.chars[i - 1])) i -= 1;
    while (i > 0 && WORD_CHAR.test(this.chars[i - 1])) i -= 1;
    this.#move(i);
    return { changed: false, speak: this.#wordAt(i) || this.#charAtCursor() };
  }

  wordRight() {
    let i = this.cursor;
    while (i < this.chars.length && WORD_CHAR.test(this.chars[i])) i += 1;
    while (i < this.chars.length && !WORD_CHAR.test(this.chars[i])) i += 1;
    this.#move(i);
    return { changed: false, speak: this.#wordAt(i) || this.#charAtCursor() };
  }

  selectAll() {
    this.allSelected = this.chars.length > 0;
    return { changed: false, speak: this.allSelected ? `${this.text} selected` : 'blank' };
  }

  /** Text to put on the clipboard: the whole text when selected or when nothing is. */
  copy() {
    return { changed: false, speak: 'copied', clipboard: this.text };
  }

  cut() {
    const clipboard = this.text;
    this.chars = [];
    this.cursor = 0;
    this.allSelected = false;
    return { changed: true, speak: 'cut', clipboard };
  }

  paste(raw) {
    const clean = sanitizePaste(raw, this.maxLength);
    if (!clean) return { changed: false, speak: '' };
    const result = this.insert(clean);
    return { ...result, speak: result.changed ? 'pasted' : result.speak };
  }

  /**
   * Handle one keydown ({key, code, ctrlKey, metaKey, shiftKey}).
   * @returns {{handled: boolean, confirm?: boolean, cancel?: boolean, changed?: boolean,
   *   speak?: string, clipboard?: string, wantsPaste?: boolean}}
   */
  handleKey(event) {
    const ctrl = event.ctrlKey || event.metaKey;
    const lower = (event.key || '').toLowerCase();
    if (event.key === 'Enter') return { handled: true, confirm: true };
    if (event.key === 'Escape') return { handled: true, cancel: true };
    if (ctrl) {
      if (event.key === 'ArrowLeft') return { handled: true, ...this.wordLeft() };
      if (event.key === 'ArrowRight') return { handled: true, ...this.wordRight() };
      if (lower === 'a') return { handled: true, ...this.selectAll() };
      if (lower === 'c') return { handled: true, ...this.copy() };
      if (lower === 'x') return { handled: true, ...this.cut() };
      if (lower === 'v') return { handled: false, wantsPaste: true };
      return { handled: false };
    }
    if (event.altKey) return { handled: false };
    switch (event.key) {
      case 'ArrowLeft': return { handled: true, ...this.left() };
      case 'ArrowRight': return { handled: true, ...this.right() };
      case 'Home': return { handled: true, ...this.home() };
      case 'End': return { handled: true, ...this.end() };
      case 'Backspace': return { handled: true, ...this.backspace() };
      case 'Delete': return { handled: true, ...this.delete() };
      default: break;
    }
    if (typeof event.key === 'string' && [...event.key].length === 1) {
      return { handled: true, ...this.insert(event.key) };
    }
    return { handled: false };
  }
}
