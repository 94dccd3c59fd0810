// The microphone gain editor (V, client.md §4.1): the shared text editor holding the gain,
// plus Up/Down (±0.05) and PageUp/PageDown (±0.5) stepping it. The loopback monitor is on
// while editing so the player hears the change; Enter stores a gain of 0.5–4, Escape
// restores the old one.
import { TextEntryMode } from './text-entry-mode.js';
import { TextEditor } from './editor.js';
import { formatGain, titled } from './phrases.js';

const STEPS = { ArrowUp: 0.05, ArrowDown: -0.05, PageUp: 0.5, PageDown: -0.5 };

/** The gain typed in the editor, or null when it is not a number in 0.5–4. */
export function parseMicGain(text) {
  const value = Number(String(text).trim());
  if (!String(text).trim() || !Number.isFinite(value) || value < 0.5 || value > 4) return null;
  return Math.round(value * 100) / 100;
}

export class MicGainMode extends TextEntryMode {
  constructor(game, sound) {
    const { settings } = game;
    const before = settings.micInputGain;
    const loopbackBefore = sound.mic.loopback;
    super(game, {
      prompt: titled('Microphone gain', formatGain(before)),
      label: 'Microphone gain',
      text: formatGain(before),
      selectAll: true,
      maxLength: 8,
      onConfirm: (text) => {
        const gain = parseMicGain(text);
        if (gain === null) {
          sound.mic.setGain(before);
          game.audio.tone('cancel');
          game.say('Volume must be between 0.5 and 4.');
          return;
        }
        settings.micInputGain = gain;
        sound.mic.setGain(gain);
        game.say(`Microphone gain set to ${formatGain(gain)}.`);
      },
      onCancel: () => sound.mic.setGain(before),
    });
    this.sound = sound;
    this.loopbackBefore = loopbackBefore;
  }

  enter() {
    this.sound.mic.setLoopback(true);
    super.enter();
  }

  leave() {
    this.sound.mic.setLoopback(this.loopbackBefore);
    super.leave();
  }

  keydown(event) {
    const step = STEPS[event.key];
    if (step === undefined || event.altKey || event.ctrlKey || event.metaKey) return super.keydown(event);
    const current = Number(this.editor.text);
    const base = Number.isFinite(current) && this.editor.text.trim() ? current : this.game.settings.micInputGain;
    const next = Math.round(Math.max(0.5, Math.min(4, base + step)) * 100) / 100;
    const text = formatGain(next);
    this.editor = new TextEditor({ text, maxLength: 8, selectAll: true });
    this.sound.mic.setGain(next);
    this.game.ui.showEditor({ label: 'Microphone gain', text, cursor: text.length, selected: true });
    this.game.say(text);
    return true;
  }
}
