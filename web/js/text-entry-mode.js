// The text-entry input mode (nickname, chat): wraps a TextEditor, speaks what each key
// does, mirrors the text in the visible editor line, and reports Enter or Escape.
import { TextEditor } from './editor.js';

export class TextEntryMode {
  /**
   * @param {object} game
   * @param {{prompt: string, label: string, text?: string, maxLength: number, selectAll?: boolean,
   *          onConfirm: (text: string) => void, onCancel?: () => void}} options
   */
  constructor(game, options) {
    this.game = game;
    this.options = options;
    this.editor = new TextEditor({ text: options.text || '', maxLength: options.maxLength, selectAll: options.selectAll });
    this.name = 'text';
  }

  enter() {
    this.game.say(this.options.prompt);
    this.#show();
  }

  leave() {
    this.game.ui.showEditor(null);
  }

  /** What is open, for the focus announcement: "{label}: {text}". */
  describe() {
    return `${this.options.label}: ${this.editor.text}`;
  }

  #show() {
    this.game.ui.showEditor({ label: this.options.label, text: this.editor.text, cursor: this.editor.cursor, selected: this.editor.allSelected });
  }

  keydown(event) {
    const result = this.editor.handleKey(event);
    if (result.wantsPaste) return false; // let the browser fire the paste event
    if (!result.handled) return false;
    if (result.confirm) {
      this.game.popMode(this);
      this.options.onConfirm(this.editor.text);
      return true;
    }
    if (result.cancel) {
      this.game.popMode(this);
      this.game.say('Cancelled.');
      this.options.onCancel?.();
      return true;
    }
    if (result.clipboard !== undefined) navigator.clipboard?.writeText(result.clipboard).catch(() => {});
    if (result.speak) this.game.say(result.speak);
    this.#show();
    return true;
  }

  paste(text) {
    const result = this.editor.paste(text);
    if (result.speak) this.game.say(result.speak);
    this.#show();
  }
}
