// When to try again after the connection is lost (our client; upstream-0.1.md §22 keeps a
// fixed 5 s × 3, the issue asks for better): exponential backoff from 1 s, doubling, capped
// at 30 s, each wait spread by ±20 % jitter so a restarted server is not hit by every
// client in the same instant. Pure; the random source is injectable for tests.

export const BACKOFF = Object.freeze({ baseMs: 1000, capMs: 30000, jitter: 0.2 });

/**
 * The wait before reconnect attempt `attempt` (1, 2, 3 …).
 * @param {number} attempt
 * @param {{baseMs?: number, capMs?: number, jitter?: number, random?: () => number}} [options]
 */
export function backoffDelayMs(attempt, {
  baseMs = BACKOFF.baseMs, capMs = BACKOFF.capMs, jitter = BACKOFF.jitter, random = Math.random,
} = {}) {
  const n = Math.max(1, Math.floor(attempt));
  const nominal = Math.min(capMs, baseMs * 2 ** Math.min(n - 1, 30));
  const spread = (random() * 2 - 1) * jitter; // −jitter … +jitter
  return Math.round(nominal * (1 + spread));
}

/** The nominal (jitter-free) schedule of the first `count` waits, for docs and tests. */
export function backoffSchedule(count, options = {}) {
  return Array.from({ length: count }, (_, i) => backoffDelayMs(i + 1, { ...options, random: () => 0.5 }));
}
