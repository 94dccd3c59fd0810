// Editing one item property as text (client.md §4.3): "Edit {label}: {value}" with the
// value selected so typing replaces it; Up/Down step a number by its step and
// PageUp/PageDown by ten steps; Enter checks the value against the metadata and, when it
// passes, hands the item_update patch over (a failing value is spoken and stays open
// for fixing); Escape cancels. Everything else is the shared text editor.
import { TextEntryMode } from './text-entry-mode.js';
import { TextEditor } from './editor.js';
import { stepNumber, validateInput } from './property-input.js';
import { formatNumber } from './property-format.js';

const STEPS = { ArrowUp: 1, ArrowDown: -1, PageUp: 10, PageDown: -10 };

export class PropertyEditMode extends TextEntryMode {
  /**
   * @param {object} game
   * @param {{key: string, meta: object, label: string, spoken: string, text: string,
   *          onSubmit: (patch: object) => void}} options
   */
  constructor(game, { key, meta, label, spoken, text, onSubmit }) {
    super(game, {
      prompt: `Edit ${label}: ${spoken}`,
      label,
      text,
      selectAll: true,
      maxLength: meta.maxLength || 500,
      onConfirm: (value) => {
        const checked = validateInput(key, value, meta);
        if (checked.ok) onSubmit(checked.patch);
      },
    });
    this.key = key;
    this.meta = meta;
    this.name = 'property-edit';
  }

  keydown(event) {
    const plain = !(event.altKey || event.ctrlKey || event.metaKey);
    if (plain && this.meta.valueType === 'number' && STEPS[event.key]) {
      const current = Number(this.editor.text.trim());
      const next = stepNumber(this.editor.text.trim() === '' ? NaN : current, this.meta.range, STEPS[event.key]);
      const text = formatNumber(next, this.meta.range?.step ?? 1);
      this.editor = new TextEditor({ text, maxLength: this.editor.maxLength });
      this.game.say(text);
      this.game.ui.showEditor({ label: this.options.label, text, cursor: this.editor.cursor, selected: false });
      return true;
    }
    if (plain && event.key === 'Enter') {
      const checked = validateInput(this.key, this.editor.text, this.meta);
      if (!checked.ok) {
        this.game.audio.tone('cancel');
        this.game.say(checked.error);
        return true;
      }
    }
    return super.keydown(event);
  }
}
