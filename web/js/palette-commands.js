// What the command palette lists (upstream-0.1 §15): the normal-mode and piano-mode
// commands in their order, each with its shortcut, a client tooltip and the condition
// under which it is offered; how a shortcut is spoken ("Shift+equals"); the keyboard
// event that runs a command exactly as its key would; and the type-ahead search. Pure.

// Every single character of a shortcut is spoken by name; letters and digits as themselves.
const CHARACTER_NAMES = {
  '=': 'equals', '-': 'dash', ',': 'comma', '.': 'period', '/': 'slash', '?': 'question mark',
  '!': 'exclamation mark', ';': 'semicolon', "'": 'apostrophe', '[': 'left bracket', ']': 'right bracket',
  '<': 'less than', '>': 'greater than', '_': 'underscore',
};

/** "Shift+=" → "Shift+equals", "?" → "question mark", "Enter" stays "Enter". */
export function speakShortcut(shortcut) {
  return splitShortcut(shortcut).map((token) => (token.length === 1 ? CHARACTER_NAMES[token] ?? token : token)).join('+');
}

/** Tokens of a shortcut; a lone "+" or a trailing "+" is the character itself. */
function splitShortcut(shortcut) {
  if (shortcut === '+') return ['+'];
  const tokens = shortcut.split('+');
  if (tokens.at(-1) === '' && tokens.length > 1) {
    tokens.splice(-2, 2, '+');
  }
  return tokens;
}

// The character and KeyboardEvent.code of each symbol, plain and with Shift (US layout,
// which is what the shortcut names describe).
const SYMBOL_KEYS = {
  '=': ['Equal', '=', '+'], '-': ['Minus', '-', '_'], ',': ['Comma', ',', '<'], '.': ['Period', '.', '>'],
  '/': ['Slash', '/', '?'], '?': ['Slash', '?', '?'],
};
const SHIFTED_DIGITS = ')!@#$%^&*(';

/** The keydown event (key, code, shiftKey) that a shortcut stands for. */
export function shortcutEvent(shortcut) {
  const tokens = splitShortcut(shortcut);
  const main = tokens.at(-1);
  let shiftKey = tokens.includes('Shift');
  let key = main;
  let code = main;
  if (/^[A-Za-z]$/.test(main)) {
    key = shiftKey ? main.toUpperCase() : main.toLowerCase();
    code = `Key${main.toUpperCase()}`;
  } else if (/^[0-9]$/.test(main)) {
    key = shiftKey ? SHIFTED_DIGITS[Number(main)] : main;
    code = `Digit${main}`;
  } else if (SYMBOL_KEYS[main]) {
    const [symbolCode, plain, shifted] = SYMBOL_KEYS[main];
    if (main === '?') shiftKey = true; // "?" is Shift+/ on the keyboard
    key = shiftKey ? shifted : plain;
    code = symbolCode;
  }
  return {
    key, code, shiftKey, altKey: false, ctrlKey: false, metaKey: false, repeat: false,
  };
}

// [id, label, shortcut, tooltip, condition]; the condition names a fact of `paletteFacts`
// (command-palette.js), or is absent for "always".
const NORMAL = [
  ['editNickname', 'Edit nickname', 'N', 'Change the nickname others see.'],
  ['toggleMute', 'Mute or unmute microphone', 'M', 'Toggle local microphone mute.'],
  ['toggleOutputMode', 'Toggle stereo or mono output', 'Shift+M', 'Switch between stereo and mono sound output.'],
  ['toggleLoopback', 'Toggle loopback monitor', 'Shift+1', 'Hear your own microphone, or stop hearing it.'],
  ['toggleVoiceLayer', 'Toggle voice layer', '1', 'Turn the voices of other users on or off.'],
  ['toggleItemLayer', 'Toggle item layer', '2', 'Turn item sounds on or off.'],
  ['toggleMediaLayer', 'Toggle media layer', '3', 'Turn radios and widget streams on or off.'],
  ['toggleWorldLayer', 'Toggle world layer', '4', 'Turn footsteps and world sounds on or off.'],
  ['masterVolumeUp', 'Raise master volume', '=', 'Raise the master volume by 5.'],
  ['masterVolumeDown', 'Lower master volume', '-', 'Lower the master volume by 5.'],
  ['openEffectSelect', 'Open effect select', 'E', 'Choose an effect for your outgoing voice.'],
  ['effectValueUp', 'Raise active effect value', 'Shift+=', 'Raise the amount of the active voice effect.'],
  ['effectValueDown', 'Lower active effect value', 'Shift+-', 'Lower the amount of the active voice effect.'],
  ['speakCoordinates', 'Speak coordinates', 'C', 'Say your position on the grid.'],
  ['openMicGainEdit', 'Set microphone gain', 'V', 'Type or step the gain of your microphone.', 'voiceSend'],
  ['calibrateMicrophone', 'Calibrate microphone', 'Shift+V', 'Speak for five seconds to set the microphone gain.', 'voiceSend'],
  ['useItem', 'Use item', 'Enter', 'Use the carried item or a usable item on your current square.', 'usable'],
  ['secondaryUseItem', 'Secondary item action', 'Shift+Enter', 'Run the secondary action for the carried item or a usable item on your current square.', 'usable'],
  ['speakUsers', 'Speak connected users', 'U', 'Say how many users are connected and who.'],
  ['addItem', 'Add item', 'A', 'Open the add-item menu.', 'itemTypes'],
  ['locateNearestItem', 'Locate nearest item', 'I', 'Say where the nearest item is.', 'groundItems'],
  ['listItems', 'List items', 'Shift+I', 'Browse the items, nearest first, and teleport to one.', 'groundItems'],
  ['pickupDropItem', 'Pick up or drop item', 'D', 'Pick up an item on your square or drop your carried item.', 'pickupDrop'],
  ['openItemManagement', 'Item management', 'Z', 'Open item management actions for items on your square.', 'manage'],
  ['editItem', 'Edit item properties', 'O', 'Edit the carried item or an item on your current square.', 'itemHere'],
  ['inspectItem', 'Inspect item properties', 'Shift+O', 'Inspect all properties for the carried item or an item on your current square.', 'itemHere'],
  ['pingServer', 'Ping server', 'P', 'Measure the round trip to the server.'],
  ['locateNearestUser', 'Locate nearest user', 'L', 'Say where the nearest user is.', 'peers'],
  ['listUsers', 'List users', 'Shift+L', 'Browse the other users, set their volume and teleport to them.', 'peers'],
  ['openHelp', 'Open help', '?', 'Read the list of keys.', 'help'],
  ['openChat', 'Open chat', '/', 'Write a chat message.'],
  ['openAdminMenu', 'Open admin menu', 'Shift+Z', 'Open the administration menu.', 'admin'],
  ['chatPrev', 'Previous chat message', ',', 'Read the previous message in the history.', 'history'],
  ['chatNext', 'Next chat message', '.', 'Read the next message in the history.', 'history'],
  ['chatFirst', 'First chat message', 'Shift+,', 'Read the first message in the history.', 'history'],
  ['chatLast', 'Last chat message', 'Shift+.', 'Read the last message in the history.', 'history'],
  ['escape', 'Disconnect prompt', 'Escape', 'Press twice to disconnect from the server.'],
];

/** The normal-mode command ids in palette order (for tests and docs). */
export const NORMAL_COMMAND_IDS = NORMAL.map(([id]) => id);

// The ids whose label and tooltip the server may replace (commandMetadata.mainModeActions).
const SERVER_OVERRIDABLE = new Set([
  'addItem', 'useItem', 'secondaryUseItem', 'pickupDropItem', 'openItemManagement', 'editItem', 'inspectItem',
]);

function entry(id, label, shortcut, tooltip) {
  return {
    id, label, shortcut, tooltip, text: `${label}: ${speakShortcut(shortcut)}`, event: shortcutEvent(shortcut),
  };
}

const nonBlank = (value) => typeof value === 'string' && value.trim() !== '';

/**
 * The normal-mode palette entries whose condition holds.
 * @param {object} facts booleans named by the conditions above
 * @param {{id: string, label: string, tooltip?: string}[]} [serverActions] commandMetadata.mainModeActions
 */
export function normalEntries(facts, serverActions = []) {
  const server = new Map((serverActions || []).filter((action) => SERVER_OVERRIDABLE.has(action?.id)).map((a) => [a.id, a]));
  return NORMAL.filter(([, , , , condition]) => !condition || facts[condition]).map(([id, label, shortcut, tooltip]) => {
    const override = server.get(id);
    return entry(
      id,
      nonBlank(override?.label) ? override.label : label,
      shortcut,
      nonBlank(override?.tooltip) ? override.tooltip : tooltip,
    );
  });
}

/**
 * The piano-mode palette entries.
 * @param {{recording: boolean, instruments: string[]}} facts
 */
export function pianoEntries({ recording, instruments }) {
  const list = [
    entry('pianoHelp', 'Open piano help', '?', 'Read the piano keys.'),
    entry('pianoExit', 'Exit piano mode', 'Escape', 'Stop playing the piano.'),
  ];
  if (!recording) list.push(entry('pianoDemo', 'Play demo', 'Enter', 'Play the demo song of this piano.'));
  list.push(entry('pianoRecord', 'Toggle recording', 'Z', 'Start recording, or pause and resume it.'));
  if (!recording) list.push(entry('pianoPlayback', 'Play recording', 'X', 'Play back the recording saved on this piano.'));
  list.push(
    entry('pianoStop', 'Stop playback or recording', 'C', 'Stop the playback and the recording.'),
    entry('octaveDown', 'Lower octave', '-', 'Play one octave lower.'),
    entry('octaveUp', 'Raise octave', '=', 'Play one octave higher.'),
  );
  (instruments || []).slice(0, 10).forEach((instrument, index) => {
    const n = (index + 1) % 10;
    list.push(entry(
      `instrument${n}`, `Switch to ${instrument.replaceAll('_', ' ')} preset`, String(n),
      `Switch to instrument preset ${n}: ${instrument}.`,
    ));
  });
  return list;
}

/**
 * Type-ahead over the entry texts. A letter typed on its own jumps to the next entry
 * (after the current one, wrapping) starting with it, as §15 says; letters typed in
 * quick succession extend the search ("mi" → "Mute or unmute microphone"), matching the
 * start of an entry first and then the start of any word in it. Repeating one letter
 * keeps cycling through the entries starting with it; a letter that matches nothing
 * with the letters before it starts a new search on its own.
 * @returns {{index: number, query: string} | null} null when nothing matches
 */
export function typeAhead(texts, index, query, ch) {
  const wanted = (query + ch).toLowerCase();
  const single = [...wanted].every((c) => c === wanted[0]);
  const n = texts.length;
  const search = (text, from, test) => {
    for (let step = from; step < from + n; step += 1) {
      const i = (((index + step) % n) + n) % n;
      if (test(texts[i].toLowerCase(), text)) return i;
    }
    return -1;
  };
  const starts = (label, text) => label.startsWith(text);
  const wordStarts = (label, text) => label.split(/[\s:+]+/).some((word) => word.startsWith(text)) || label.startsWith(text);
  if (!n) return null;
  const jump = (letter) => {
    const i = search(letter, 1, starts);
    return i < 0 ? null : { index: i, query: letter };
  };
  if (single) {
    const found = jump(wanted[0]);
    return found && { ...found, query: wanted };
  }
  // a longer search may stay on the current entry if it still matches
  for (const test of [starts, wordStarts]) {
    const i = search(wanted, 0, test);
    if (i >= 0) return { index: i, query: wanted };
  }
  // nothing has that text: the letter starts a new search on its own
  return jump(ch.toLowerCase());
}
