// When a sound needs a live runtime, with hysteresis so a source on the border does not
// flap: voice peers (connect within the hearing range, release a little beyond it, and
// the lower client id makes the offer) and radio/emit runtimes (client.md §5.4–5.5:
// start within range + 5, keep until beyond range + 8). Pure.
import { HEARING_RANGE } from './spatial-model.js';

export const VOICE_CONNECT_RANGE = HEARING_RANGE;
export const VOICE_RELEASE_RANGE = HEARING_RANGE + 2;
export const RUNTIME_START_MARGIN = 5;
export const RUNTIME_KEEP_MARGIN = 8;

export function distance(a, b) {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

/** Whether a peer's voice connection is wanted, given whether it was wanted before. */
export function voiceInRange(wasInRange, d) {
  return wasInRange ? d <= VOICE_RELEASE_RANGE : d <= VOICE_CONNECT_RANGE;
}

/** Both sides agree on who offers: the smaller client id (plain string order). */
export function isOfferer(selfId, peerId) {
  return String(selfId) < String(peerId);
}

/** Whether an item's runtime (radio stream, emit loop) should exist now. */
export function runtimeWanted(hasRuntime, d, range) {
  return hasRuntime ? d <= range + RUNTIME_KEEP_MARGIN : d <= range + RUNTIME_START_MARGIN;
}

/** Milliseconds to wait before retrying a failed radio start: 5 s, or 60 s after 6 failures. */
export function radioRetryDelayMs(failures) {
  return failures >= 6 ? 60000 : 5000;
}
