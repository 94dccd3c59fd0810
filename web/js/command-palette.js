// The command palette (upstream-0.1 §15): Shift+K, the Applications key or Shift+F10 in
// normal or piano mode lists what can be done here and now, each entry "{label}:
// {shortcut}". Up/Down/Home/End move, typing searches (palette-commands.js typeAhead),
// Space reads the tooltip, Enter closes it and runs the command exactly as its key
// would (the key event is handed to the mode below), Escape "Closed commands.". Key
// releases go on to the mode below, so a held piano note stops. Nothing is sent.
import { normalEntries, pianoEntries, typeAhead } from './palette-commands.js';
import { itemTargets, itemsOnTile, carriedBy } from './item-targets.js';
import { addMenuEntries } from './item-schema.js';
import { managementOptions } from './item-management-model.js';
import { rootEntries } from './admin-model.js';
import { INSTRUMENTS } from './piano-model.js';

// Letters typed within this many milliseconds of each other extend one search.
export const TYPE_AHEAD_MS = 1000;

/** Whether a keydown opens the palette: Shift+K, ContextMenu, Shift+F10; never with Alt/Ctrl/Cmd. */
export function isPaletteKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return false;
  if (event.key === 'ContextMenu') return true;
  if (!event.shiftKey) return false;
  return event.code === 'KeyK' || event.key === 'K' || event.key === 'F10';
}

/** The facts the normal-mode conditions test, read from the game. */
export function paletteFacts(game) {
  const { state } = game;
  const items = [...state.items.values()];
  const here = itemsOnTile(items, state.self.x, state.self.y);
  const carried = carriedBy(items, state.selfId);
  const context = { items, self: state.self, selfId: state.selfId };
  const owner = { ui: state.uiDefinitions, permissions: state.permissions, userId: state.userId };
  return {
    voiceSend: state.permissions.includes('voice.send'),
    usable: itemTargets('use', context).items.length > 0,
    itemTypes: addMenuEntries(state.uiDefinitions).length > 0,
    groundItems: items.some((entry) => !entry.carrierId),
    pickupDrop: Boolean(carried) || here.length > 0,
    manage: here.some((entry) => managementOptions(entry, owner).length > 0),
    itemHere: Boolean(carried) || here.length > 0,
    peers: state.peers.size > 0,
    help: game.helpLines.length > 0,
    admin: rootEntries(state.adminActions).length > 0,
    history: game.history.size > 0,
  };
}

/** The entries for the mode the palette opens over (normal or piano). */
export function entriesFor(game, below) {
  if (below.name === 'piano') {
    const recording = below.recordingState === 'recording' || below.recordingState === 'paused';
    const instruments = game.sound?.instrumentOptions?.() || INSTRUMENTS;
    return pianoEntries({ recording, instruments });
  }
  return normalEntries(paletteFacts(game), game.state.uiDefinitions?.commandMetadata?.mainModeActions);
}

export class CommandPalette {
  constructor(game, below, { now = () => performance.now() } = {}) {
    this.game = game;
    this.below = below;
    this.name = 'palette';
    this.now = now;
    this.entries = entriesFor(game, below);
    this.index = 0;
    this.query = '';
    this.typedAt = -Infinity;
  }

  /** Open the palette over the current mode (normal or piano only). */
  static open(game) {
    const below = game.mode;
    if (!below || (below.name !== 'normal' && below.name !== 'piano')) return false;
    const palette = new CommandPalette(game, below);
    if (!palette.entries.length) {
      game.audio.tone('cancel');
      game.say('No commands available in this mode.');
      return true;
    }
    game.pushMode(palette);
    return true;
  }

  get current() {
    return this.entries[this.index] || null;
  }

  enter() {
    this.game.audio.tone('blip');
    this.game.say(`Commands. ${this.current.text}.`);
    this.render();
  }

  leave() {
    this.game.menuPanel?.hide(this);
  }

  describe() {
    return `Commands: ${this.current.text}.`;
  }

  render() {
    this.game.menuPanel?.show(this, { title: 'Commands', labels: this.entries.map((e) => e.text), index: this.index });
  }

  #moveTo(index) {
    this.index = index;
    this.game.say(this.current.text);
    this.render();
  }

  #close() {
    this.game.popMode(this);
  }

  keydown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return false;
    if (isPaletteKey(event)) return true; // opening from the palette itself does nothing
    const n = this.entries.length;
    const moves = {
      ArrowDown: (this.index + 1) % n, ArrowUp: (this.index - 1 + n) % n, Home: 0, End: n - 1,
    };
    if (event.key in moves) {
      this.query = '';
      this.#moveTo(moves[event.key]);
      return true;
    }
    if (event.key === ' ') {
      this.query = '';
      this.game.say(this.current.tooltip || 'No tooltip available.');
      return true;
    }
    if (event.key === 'Enter') {
      const command = this.current;
      this.#close();
      this.game.keydown({ ...command.event });
      return true;
    }
    if (event.key === 'Escape') {
      this.#close();
      this.game.audio.tone('cancel');
      this.game.say('Closed commands.');
      return true;
    }
    if (!event.repeat && /^[\p{L}\p{N}]$/u.test(event.key || '')) {
      this.#search(event.key);
      return true;
    }
    return true; // the palette keeps other keys from reaching the mode below
  }

  #search(ch) {
    const now = this.now();
    if (now - this.typedAt > TYPE_AHEAD_MS) this.query = '';
    this.typedAt = now;
    const found = typeAhead(this.entries.map((e) => e.text), this.index, this.query, ch);
    if (!found) {
      this.game.audio.tone('blip');
      return;
    }
    this.query = found.query;
    this.#moveTo(found.index);
  }

  keyup(event) {
    this.below.keyup?.(event);
  }
}
