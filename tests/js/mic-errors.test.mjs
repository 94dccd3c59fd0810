// What is said when the microphone cannot be opened: each DOMException name maps to one of
// four clear problems (blocked, busy, missing, unavailable); anything else names the error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIC_PROBLEMS, micErrorText, micProblemKind, micUnavailableText } from '../../web/js/mic-errors.js';

const rejection = (name, message = 'the browser said no') => ({ name, message });

test('permission refused or blocked by policy: blocked', () => {
  for (const name of ['NotAllowedError', 'PermissionDeniedError', 'SecurityError']) {
    assert.equal(micProblemKind(rejection(name)), 'blocked');
    assert.equal(micErrorText(rejection(name)), MIC_PROBLEMS.blocked);
  }
  assert.match(MIC_PROBLEMS.blocked, /^Microphone blocked: permission was denied\./);
});

test('in use elsewhere or failed to start: busy', () => {
  for (const name of ['NotReadableError', 'TrackStartError', 'AbortError']) {
    assert.equal(micErrorText(rejection(name)), MIC_PROBLEMS.busy);
  }
  assert.match(MIC_PROBLEMS.busy, /in use by another application/);
});

test('no device, or the chosen one is gone: missing', () => {
  for (const name of ['NotFoundError', 'DevicesNotFoundError', 'OverconstrainedError']) {
    assert.equal(micErrorText(rejection(name)), MIC_PROBLEMS.missing);
  }
  assert.match(MIC_PROBLEMS.missing, /^No microphone found\./);
});

test('no microphone API: insecure page or unsupported browser', () => {
  assert.equal(micUnavailableText({ secure: true, hasApi: true }), null);
  assert.equal(micUnavailableText({ secure: false, hasApi: false }), MIC_PROBLEMS.insecure);
  assert.equal(micUnavailableText({ secure: true, hasApi: false }), MIC_PROBLEMS.unsupported);
  assert.match(MIC_PROBLEMS.insecure, /^Microphone unavailable: this page is not in a secure context/);
  assert.match(MIC_PROBLEMS.unsupported, /^Microphone unavailable:/);
});

test('anything else names the error', () => {
  assert.equal(micErrorText(rejection('WeirdError', 'Device exploded.')), 'Microphone error: Device exploded.');
  assert.equal(micErrorText({ name: 'TypeError' }), 'Microphone error: TypeError.');
  assert.equal(micErrorText(null), 'Microphone error.');
  const kinds = new Set(Object.values(MIC_PROBLEMS));
  assert.equal(kinds.size, 5, 'every problem has its own wording');
});
