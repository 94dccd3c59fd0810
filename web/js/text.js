// Text clean-up shared by the forms and editors, and the spoken names of characters.

const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Login/register username: trimmed, lower-cased, only a–z, 0–9, _ and - kept. */
export function sanitizeUsername(raw) {
  return String(raw ?? '').trim().toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

/** Cut a string to at most `max` Unicode code points. */
export function capLength(text, max) {
  const chars = [...text];
  return chars.length > max ? chars.slice(0, max).join('') : text;
}

/** Nickname as sent: control characters and < > removed, trimmed, at most 32 characters. */
export function sanitizeNickname(raw) {
  const cleaned = String(raw ?? '').replace(CONTROL_CHARS, '').replace(/[<>]/g, '').trim();
  return capLength(cleaned, 32).trim();
}

/** Pasted text: newlines become spaces, other control characters go, length capped. */
export function sanitizePaste(raw, max) {
  const flat = String(raw ?? '').replace(/\r\n|\r|\n|\t/g, ' ').replace(CONTROL_CHARS, '');
  return capLength(flat, max);
}

/** Runs of whitespace become one space; ends trimmed. */
export function collapseWhitespace(text) {
  return String(text ?? '').replace(/\s+/g, ' ').trim();
}

const CHAR_NAMES = {
  ' ': 'space',
  ',': 'comma',
  '.': 'period',
  '?': 'question mark',
  '!': 'exclamation mark',
  ':': 'colon',
  ';': 'semicolon',
  "'": 'apostrophe',
  '"': 'quote',
  '(': 'left parenthesis',
  ')': 'right parenthesis',
  '[': 'left bracket',
  ']': 'right bracket',
  '{': 'left brace',
  '}': 'right brace',
  '<': 'less than',
  '>': 'greater than',
  '/': 'slash',
  '\\': 'backslash',
  '-': 'dash',
  _: 'underscore',
  '+': 'plus',
  '=': 'equals',
  '*': 'star',
  '&': 'and',
  '%': 'percent',
  $: 'dollar',
  '#': 'number sign',
  '@': 'at',
  '^': 'caret',
  '`': 'grave',
  '~': 'tilde',
  '|': 'bar',
};

/** How a single character is spoken ("comma", "left parenthesis", or the letter itself). */
export function charName(ch) {
  if (ch === undefined || ch === '') return 'blank';
  return CHAR_NAMES[ch] ?? ch;
}
