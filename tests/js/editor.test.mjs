// The shared text editor: typing, cursor moves and what they announce, select-all,
// clipboard and paste clean-up, length caps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextEditor } from '../../web/js/editor.js';

const press = (editor, key, mods = {}) => editor.handleKey({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });
const type = (editor, text) => [...text].forEach((ch) => press(editor, ch));

test('typing, Enter and Escape', () => {
  const e = new TextEditor({ maxLength: 500 });
  type(e, 'hi there');
  assert.equal(e.text, 'hi there');
  assert.equal(press(e, 'Enter').confirm, true);
  assert.equal(press(e, 'Escape').cancel, true);
});

test('Left and Right announce the character at the cursor; the end says space', () => {
  const e = new TextEditor({ text: 'a,b' });
  assert.equal(press(e, 'ArrowLeft').speak, 'b');
  assert.equal(press(e, 'ArrowLeft').speak, 'comma');
  assert.equal(press(e, 'ArrowRight').speak, 'b');
  assert.equal(press(e, 'ArrowRight').speak, 'space');
});

test('Ctrl+Left and Ctrl+Right move by word and announce it', () => {
  const e = new TextEditor({ text: 'hello big world' });
  assert.equal(press(e, 'ArrowLeft', { ctrlKey: true }).speak, 'world');
  assert.equal(press(e, 'ArrowLeft', { ctrlKey: true }).speak, 'big');
  assert.equal(e.cursor, 6);
  assert.equal(press(e, 'ArrowRight', { ctrlKey: true }).speak, 'world');
});

test('Backspace and Delete announce the removed character', () => {
  const e = new TextEditor({ text: 'ab?' });
  assert.equal(press(e, 'Backspace').speak, 'question mark');
  press(e, 'Home');
  assert.equal(press(e, 'Delete').speak, 'a');
  assert.equal(e.text, 'b');
});

test('Home and End', () => {
  const e = new TextEditor({ text: 'xyz' });
  assert.equal(press(e, 'Home').speak, 'x');
  assert.equal(e.cursor, 0);
  assert.equal(press(e, 'End').speak, 'space');
  assert.equal(e.cursor, 3);
});

test('Ctrl+A then typing replaces everything', () => {
  const e = new TextEditor({ text: 'old name' });
  assert.equal(press(e, 'a', { ctrlKey: true }).speak, 'old name selected');
  press(e, 'n');
  assert.equal(e.text, 'n');
});

test('an editor opened with everything selected replaces on the first key', () => {
  const e = new TextEditor({ text: 'Maria', selectAll: true, maxLength: 32 });
  type(e, 'Bob');
  assert.equal(e.text, 'Bob');
  const f = new TextEditor({ text: 'Maria', selectAll: true, maxLength: 32 });
  press(f, 'End');
  type(f, '2');
  assert.equal(f.text, 'Maria2');
});

test('copy and cut hand the text to the clipboard', () => {
  const e = new TextEditor({ text: 'take me' });
  assert.deepEqual(press(e, 'c', { ctrlKey: true }), { handled: true, changed: false, speak: 'copied', clipboard: 'take me' });
  const cut = press(e, 'x', { ctrlKey: true });
  assert.equal(cut.speak, 'cut');
  assert.equal(cut.clipboard, 'take me');
  assert.equal(e.text, '');
  assert.equal(press(e, 'v', { ctrlKey: true }).wantsPaste, true);
});

test('paste flattens newlines, drops control characters and caps the length', () => {
  const e = new TextEditor({ maxLength: 10 });
  const result = e.paste('one\ntwo\u0007three');
  assert.equal(result.speak, 'pasted');
  assert.equal(e.text, 'one twothr');
});

test('the maximum length holds while typing', () => {
  const e = new TextEditor({ maxLength: 3 });
  type(e, 'abcd');
  assert.equal(e.text, 'abc');
});

test('keys the editor does not use pass through', () => {
  const e = new TextEditor();
  assert.equal(press(e, 'Tab').handled, false);
  assert.equal(press(e, 'F5').handled, false);
});

test('Cmd (metaKey) counts like Ctrl: select all, copy, cut and paste', () => {
  const e = new TextEditor({ text: 'mac text' });
  assert.equal(press(e, 'a', { metaKey: true }).speak, 'mac text selected');
  assert.deepEqual(press(e, 'c', { metaKey: true }), { handled: true, changed: false, speak: 'copied', clipboard: 'mac text' });
  const cut = press(e, 'x', { metaKey: true });
  assert.equal(cut.clipboard, 'mac text');
  assert.equal(e.text, '');
  assert.equal(press(e, 'v', { metaKey: true }).wantsPaste, true);
  assert.equal(press(e, 'b', { metaKey: true }).handled, false); // other Cmd combinations are not typed
  assert.equal(e.text, '');
});
