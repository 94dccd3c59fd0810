// Movement rules on the client: arrow directions (y grows north), the step pacing that
// follows the server's movement window, which held arrow wins, and reconciling the
// optimistic own position with the server's echoes and corrections (world.md §3).

export const DIRECTIONS = {
  up: { dx: 0, dy: 1, word: 'north' },
  down: { dx: 0, dy: -1, word: 'south' },
  left: { dx: -1, dy: 0, word: 'west' },
  right: { dx: 1, dy: 0, word: 'east' },
};

export function clampToGrid(value, gridSize) {
  return Math.max(0, Math.min(gridSize - 1, Math.round(value)));
}

/** The tile one step in `direction`, or `blocked` when it would leave the grid. */
export function stepTarget(pos, direction, gridSize) {
  const { dx, dy } = DIRECTIONS[direction];
  const x = pos.x + dx;
  const y = pos.y + dy;
  if (x < 0 || y < 0 || x >= gridSize || y >= gridSize) return { x: pos.x, y: pos.y, blocked: true };
  return { x, y, blocked: false };
}

/**
 * Spaces steps so that no two land in one server window of `tickMs` (one step per tick).
 * A small guard absorbs network jitter, so a step sent right after the previous window
 * closed is not rejected as a second step in that window.
 */
export class MovementPacer {
  constructor(tickMs = 200, maxStepsPerTick = 1, guardRatio = 0.1) {
    this.configure(tickMs, maxStepsPerTick, guardRatio);
    this.lastStepAt = -Infinity;
  }

  configure(tickMs, maxStepsPerTick = 1, guardRatio = 0.1) {
    const base = tickMs / Math.max(1, maxStepsPerTick);
    this.intervalMs = Math.ceil(base + Math.round(base * guardRatio));
  }

  canStep(now) {
    return now - this.lastStepAt >= this.intervalMs;
  }

  /** Milliseconds until the next step is allowed (0 when allowed now). */
  waitMs(now) {
    return Math.max(0, this.intervalMs - (now - this.lastStepAt));
  }

  markStep(now) {
    this.lastStepAt = now;
  }

  reset() {
    this.lastStepAt = -Infinity;
  }
}

/** The arrows being held; the most recently pressed one drives movement. */
export class HeldDirections {
  constructor() {
    this.order = [];
  }

  press(direction) {
    this.release(direction);
    this.order.push(direction);
  }

  release(direction) {
    this.order = this.order.filter((d) => d !== direction);
  }

  current() {
    return this.order.length ? this.order[this.order.length - 1] : null;
  }

  clear() {
    this.order = [];
  }
}

/**
 * Matches the server's answers to the positions this client sent.
 * Every sent position is pending until the server echoes it. An echo of a pending
 * position confirms it (and everything sent before it). Anything else is a correction:
 * the client snaps to it, unless a teleport landing is still pending, which supersedes
 * corrections of the glide steps sent before it.
 */
export class PositionReconciler {
  constructor() {
    this.pending = [];
  }

  sent(x, y, { landing = false } = {}) {
    this.pending.push({ x, y, landing });
  }

  /** @returns {{snap: boolean}} whether the client must move to (x, y). */
  received(x, y) {
    const index = this.pending.findIndex((p) => p.x === x && p.y === y);
    if (index >= 0) {
      this.pending.splice(0, index + 1);
      return { snap: false };
    }
    if (this.pending.some((p) => p.landing)) return { snap: false };
    this.pending = [];
    return { snap: true };
  }

  clear() {
    this.pending = [];
  }
}
