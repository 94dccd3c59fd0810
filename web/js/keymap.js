// Maps keyboard events to normal-mode commands (client.md §3, §4.1). Letters, digits and
// arrows are identified by KeyboardEvent.code (layout-independent positions); symbols by
// the character they type, so "?" and "<" work on every layout. Pure functions.

const KEY_TO_CODE = {
  ' ': 'Space', ',': 'Comma', '<': 'Comma', '.': 'Period', '>': 'Period', '/': 'Slash', '?': 'Slash',
  '-': 'Minus', _: 'Minus', '=': 'Equal', '+': 'Equal', '!': 'Digit1', ';': 'Semicolon',
  "'": 'Quote', '[': 'BracketLeft', ']': 'BracketRight',
};

/** KeyboardEvent.code, or one derived from `key` when the browser gave none. */
export function keyCode(event) {
  if (event.code) return event.code;
  const { key } = event;
  if (!key) return '';
  if (/^[a-z]$/i.test(key)) return `Key${key.toUpperCase()}`;
  if (/^[0-9]$/.test(key)) return `Digit${key}`;
  return KEY_TO_CODE[key] ?? key;
}

// Symbols decided by the typed character (works on any keyboard layout).
const SYMBOL_COMMANDS = {
  '?': 'help',
  '/': 'chat',
  ',': 'history_previous',
  '.': 'history_next',
  '<': 'history_first',
  '>': 'history_last',
  '-': 'master_volume_down',
  '=': 'master_volume_up',
  _: 'effect_level_down',
  '+': 'effect_level_up',
  '!': 'loopback',
};

const PLAIN = {
  ArrowUp: 'move_up',
  ArrowDown: 'move_down',
  ArrowLeft: 'move_left',
  ArrowRight: 'move_right',
  KeyC: 'coordinates',
  KeyL: 'locate_user',
  KeyU: 'count_users',
  KeyN: 'edit_nickname',
  KeyI: 'locate_item',
  KeyP: 'ping',
  KeyA: 'add_item',
  KeyO: 'edit_item',
  KeyD: 'pickup_drop',
  KeyZ: 'item_management',
  KeyV: 'mic_gain',
  KeyM: 'mute',
  KeyE: 'effect_menu',
  Enter: 'use_item',
  NumpadEnter: 'use_item',
  Escape: 'escape',
  Digit1: 'layer_voice',
  Digit2: 'layer_item',
  Digit3: 'layer_media',
  Digit4: 'layer_world',
  NumpadSubtract: 'master_volume_down',
  NumpadAdd: 'master_volume_up',
  Slash: 'chat',
  Comma: 'history_previous',
  Period: 'history_next',
  Minus: 'master_volume_down',
  Equal: 'master_volume_up',
};

const SHIFTED = {
  KeyL: 'list_users',
  KeyI: 'list_items',
  KeyO: 'inspect_item',
  KeyV: 'mic_calibrate',
  KeyM: 'output_mode',
  KeyZ: 'admin_menu',
  Enter: 'secondary_use_item',
  NumpadEnter: 'secondary_use_item',
  Slash: 'help',
  Comma: 'history_first',
  Period: 'history_last',
  Minus: 'effect_level_down',
  Equal: 'effect_level_up',
  Digit1: 'loopback',
  ArrowUp: 'move_up',
  ArrowDown: 'move_down',
  ArrowLeft: 'move_left',
  ArrowRight: 'move_right',
  // Shift+Escape, Shift+2/3/4 and Shift+D are deliberately absent: shifted variants of
  // those keys do nothing (upstream-0.1.md §18).
};

/** The normal-mode command for a keydown, or null. Alt and Ctrl/Meta combinations are ignored. */
export function normalCommand(event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return null;
  if (Object.prototype.hasOwnProperty.call(SYMBOL_COMMANDS, event.key)) return SYMBOL_COMMANDS[event.key];
  const code = keyCode(event);
  const table = event.shiftKey ? SHIFTED : PLAIN;
  return table[code] ?? null;
}

export const MOVE_COMMANDS = {
  move_up: 'up', move_down: 'down', move_left: 'left', move_right: 'right',
};

const ARROWS = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };

/** The direction of an arrow key event, or null. */
export function arrowDirection(event) {
  return ARROWS[keyCode(event)] ?? null;
}

/** Whether a held key's repeats are ignored: letters, digits, symbols and Space do not auto-repeat. */
export function suppressRepeat(event) {
  return !arrowDirection(event);
}
