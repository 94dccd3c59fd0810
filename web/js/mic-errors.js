// What to say when the microphone cannot be opened (client.md §6, "Voice"): the browser's
// DOMException names sorted into four problems, each with its own clear wording, so a
// player knows whether to allow access, close another program, plug a microphone in, or
// open the page differently. Pure functions.

export const MIC_PROBLEMS = {
  blocked: 'Microphone blocked: permission was denied. Allow microphone access for this site in the browser, then reconnect.',
  busy: 'Microphone busy: it is in use by another application or could not be started. Close the other application or choose another microphone in Audio setup.',
  missing: 'No microphone found. Connect a microphone or choose one in Audio setup.',
  insecure: 'Microphone unavailable: this page is not in a secure context. Open it over https or on localhost.',
  unsupported: 'Microphone unavailable: this browser does not offer microphone access.',
};

const BY_NAME = {
  NotAllowedError: 'blocked',
  PermissionDeniedError: 'blocked', // older Chrome
  SecurityError: 'blocked', // blocked by a permissions policy
  NotReadableError: 'busy',
  TrackStartError: 'busy', // older Chrome
  AbortError: 'busy',
  NotFoundError: 'missing',
  DevicesNotFoundError: 'missing', // older Chrome
  OverconstrainedError: 'missing', // the chosen device is gone
};

/** The problem kind of a getUserMedia rejection: blocked, busy, missing or other. */
export function micProblemKind(error) {
  return BY_NAME[error?.name] || 'other';
}

/** What to say for a getUserMedia rejection. */
export function micErrorText(error) {
  const kind = micProblemKind(error);
  if (kind !== 'other') return MIC_PROBLEMS[kind];
  const detail = String(error?.message || error?.name || '').trim();
  return detail ? `Microphone error: ${detail.replace(/\.$/, '')}.` : 'Microphone error.';
}

/**
 * Why there is no microphone API at all, or null when there is one: outside a secure
 * context browsers hide navigator.mediaDevices.
 * @param {{secure: boolean, hasApi: boolean}} env
 */
export function micUnavailableText({ secure, hasApi }) {
  if (hasApi) return null;
  return secure === false ? MIC_PROBLEMS.insecure : MIC_PROBLEMS.unsupported;
}
