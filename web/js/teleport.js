// The teleport glide (client.md §4.1): the player glides toward the target at 20 tiles
// per second while one-tile steps follow the moving point; the landing is sent at the end.

export const GLIDE_TILES_PER_SECOND = 20;

export function glideDurationMs(from, to, speed = GLIDE_TILES_PER_SECOND) {
  return (Math.hypot(to.x - from.x, to.y - from.y) / speed) * 1000;
}

/** The gliding point after `elapsedMs` (fractional coordinates). */
export function glidePoint(from, to, elapsedMs, speed = GLIDE_TILES_PER_SECOND) {
  const duration = glideDurationMs(from, to, speed);
  if (duration <= 0 || elapsedMs >= duration) return { x: to.x, y: to.y };
  const t = Math.max(0, elapsedMs / duration);
  return { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t };
}

/** One tile (diagonals allowed: the server counts Chebyshev steps) from `current` toward `point`. */
export function stepToward(current, point) {
  const tx = Math.round(point.x);
  const ty = Math.round(point.y);
  return {
    x: current.x + Math.sign(tx - current.x),
    y: current.y + Math.sign(ty - current.y),
  };
}
