// Timing of an item's emit loop (client.md §5.5): playback rate from speed and tempo, when
// pitch is preserved, and where in its schedule a loop is at a given moment (initial
// delay, then play, silence for the loop delay, play again …), so a runtime recreated
// after walking out of and back into range carries on as if it had kept playing. Pure.

function clamp(value, min, max) {
  return Math.max(min, Math.min(max, value));
}

function control(value, fallback = 50) {
  const n = Number(value);
  return value === null || value === undefined || value === '' || !Number.isFinite(n) ? fallback : clamp(n, 0, 100);
}

/** 0 → 0.5×, 50 → 1×, 100 → 2×. */
export function controlRate(value) {
  const v = control(value);
  return v <= 50 ? 0.5 + v / 100 : 1 + (v - 50) / 50;
}

/** {rate, preservesPitch} of the element for the item's emitSoundSpeed and emitSoundTempo. */
export function emitPlayback(speed, tempo) {
  const speedRate = controlRate(speed);
  return {
    rate: clamp(speedRate * controlRate(tempo), 0.25, 4),
    preservesPitch: speedRate === 1,
  };
}

/** A delay parameter in seconds (0–300), 0 when unreadable. */
export function delaySeconds(value) {
  const n = Number(value);
  return Number.isFinite(n) ? clamp(n, 0, 300) : 0;
}

/**
 * Where the loop is `elapsedMs` after its schedule started.
 * @param {number} elapsedMs time since the anchor (the first runtime's start)
 * @param {number} durationSec the sound's length in media seconds (Infinity or NaN: a stream)
 * @param {{rate?: number, initialDelay?: number, loopDelay?: number}} timing
 * @returns {{playing: boolean, offset: number, waitMs: number}} offset in media seconds
 *   to start from when playing; otherwise how long until the next play
 */
export function emitPhase(elapsedMs, durationSec, { rate = 1, initialDelay = 0, loopDelay = 0 } = {}) {
  const sinceStart = elapsedMs / 1000 - initialDelay;
  if (sinceStart < 0) return { playing: false, offset: 0, waitMs: -sinceStart * 1000 };
  if (!Number.isFinite(durationSec) || durationSec <= 0) return { playing: true, offset: 0, waitMs: 0 };
  const playSec = durationSec / rate;
  const cycle = playSec + loopDelay;
  const inCycle = sinceStart % cycle;
  if (inCycle < playSec) return { playing: true, offset: inCycle * rate, waitMs: 0 };
  return { playing: false, offset: 0, waitMs: (cycle - inCycle) * 1000 };
}

/** What makes a loop's schedule restart from its anchor when it changes. */
export function emitScheduleKey(url, timing) {
  return JSON.stringify([url, timing.rate, timing.initialDelay, timing.loopDelay]);
}

/**
 * The new play-time zero (ms, same clock as `atMs`) of a running schedule whose rate or
 * loop delay just changed (upstream-0.1.md §19): mid-play it carries on from the same
 * media position; in the silence between plays a loop delay of 0 cancels the wait and
 * plays from the start now, a positive one starts its full wait now. A schedule still in
 * its initial delay, or of unknown length, is left as it is.
 * @param {number} atMs when the schedule's first play starts (creation + initial delay)
 * @param {number} nowMs
 * @param {number} durationSec the sound's length (NaN/Infinity: unknown or a stream)
 * @param {{rate: number, loopDelay: number}} before
 * @param {{rate: number, loopDelay: number}} after
 */
export function reanchorMs(atMs, nowMs, durationSec, before, after) {
  const elapsed = nowMs - atMs;
  if (elapsed < 0 || !Number.isFinite(durationSec) || durationSec <= 0) return atMs;
  const phase = emitPhase(elapsed, durationSec, { rate: before.rate, loopDelay: before.loopDelay, initialDelay: 0 });
  if (phase.playing) return nowMs - (phase.offset / after.rate) * 1000;
  if (after.loopDelay === 0) return nowMs;
  return nowMs - (durationSec / after.rate) * 1000;
}
