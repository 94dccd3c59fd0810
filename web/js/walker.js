// Moves the player: held arrows step one tile per movement window (a tap during the wait
// is kept and taken as soon as allowed), the edge plays the wall sound once per blocked
// direction, and teleports glide to their target sending one-tile steps then the landing.
import { HeldDirections, MovementPacer, PositionReconciler, stepTarget } from './movement.js';
import { glideDurationMs, glidePoint, stepToward } from './teleport.js';
import { out } from './packets.js';

export class Walker {
  constructor(game) {
    this.game = game;
    this.held = new HeldDirections();
    this.pacer = new MovementPacer();
    this.reconciler = new PositionReconciler();
    this.queued = null;
    this.timer = null;
    this.wallPlayed = new Set();
    this.glide = null;
  }

  configure(tickMs, maxStepsPerTick) {
    this.pacer.configure(tickMs, maxStepsPerTick);
  }

  get teleporting() {
    return this.glide !== null;
  }

  /** Where to draw the player (the gliding point during a teleport). */
  drawPosition() {
    return this.glide ? this.glide.point : this.game.state.self;
  }

  press(direction, repeat) {
    if (this.teleporting) return; // arrows are ignored while a teleport runs
    if (!repeat) {
      this.held.press(direction);
      this.queued = direction;
    }
    this.#pump();
  }

  release(direction) {
    this.held.release(direction);
    this.wallPlayed.delete(direction);
  }

  #pump() {
    clearTimeout(this.timer);
    this.timer = null;
    const direction = this.queued || this.held.current();
    if (!direction || this.teleporting) return;
    const now = performance.now();
    if (!this.pacer.canStep(now)) {
      this.timer = setTimeout(() => this.#pump(), this.pacer.waitMs(now));
      return;
    }
    this.queued = null;
    this.#step(direction, now);
    if (this.held.current()) this.timer = setTimeout(() => this.#pump(), this.pacer.intervalMs);
  }

  #step(direction, now) {
    const { state, audio } = this.game;
    const target = stepTarget(state.self, direction, state.gridSize);
    if (target.blocked) {
      if (!this.wallPlayed.has(direction)) {
        this.wallPlayed.add(direction);
        audio.sample('wall');
      }
      return;
    }
    this.wallPlayed.delete(direction);
    this.pacer.markStep(now);
    this.#moveSelf(target.x, target.y);
    this.game.send(out.position(target.x, target.y));
    audio.footstep();
    this.game.announceTile();
  }

  #moveSelf(x, y, { landing = false } = {}) {
    const { state } = this.game;
    state.self.x = x;
    state.self.y = y;
    this.reconciler.sent(x, y, { landing });
    this.game.positionChanged();
  }

  /** The server's update_position for our own id. */
  serverPosition(x, y) {
    const { snap } = this.reconciler.received(x, y);
    if (snap && (x !== this.game.state.self.x || y !== this.game.state.self.y)) {
      this.game.state.self.x = x;
      this.game.state.self.y = y;
      this.game.positionChanged();
    }
  }

  /** Glide to `target` ({x, y}); announce `arrivalText` on landing. */
  teleport(target, arrivalText) {
    const { state, audio } = this.game;
    if (state.self.x === target.x && state.self.y === target.y) {
      this.game.say('Already here.');
      return;
    }
    this.stop();
    const from = { x: state.self.x, y: state.self.y };
    const to = { x: target.x, y: target.y };
    this.glide = { from, to, start: performance.now(), point: { ...from }, lastStepAt: -Infinity, arrivalText, loop: null };
    audio.sample('teleport_start', { gain: 0.1, loop: true }).then((handle) => {
      if (this.glide) this.glide.loop = handle;
      else handle?.stop();
    });
    this.#glideFrame();
  }

  #glideFrame() {
    const { glide } = this;
    if (!glide) return;
    const now = performance.now();
    const elapsed = now - glide.start;
    glide.point = glidePoint(glide.from, glide.to, elapsed);
    const self = this.game.state.self;
    if (elapsed >= glideDurationMs(glide.from, glide.to)) {
      this.#land();
      return;
    }
    if (now - glide.lastStepAt >= this.pacer.intervalMs) {
      const step = stepToward(self, glide.point);
      if (step.x !== self.x || step.y !== self.y) {
        glide.lastStepAt = now;
        this.#moveSelf(step.x, step.y);
        this.game.send(out.position(step.x, step.y));
      }
    }
    this.game.renderer.invalidate();
    this.timer = setTimeout(() => this.#glideFrame(), 16);
  }

  #land() {
    const { glide } = this;
    this.glide = null;
    glide.loop?.stop();
    this.pacer.markStep(performance.now());
    this.#moveSelf(glide.to.x, glide.to.y, { landing: true });
    this.game.send(out.teleportComplete(glide.to.x, glide.to.y));
    this.game.audio.sample('teleport', { gain: 0.7 });
    this.game.say(glide.arrivalText);
  }

  /** Forget held and queued arrows (focus left, or another mode took the keys); a glide goes on. */
  releaseAll() {
    this.held.clear();
    this.queued = null;
    this.wallPlayed.clear();
    if (!this.glide) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  /** Stop walking and any glide (leaving the world, or a new teleport). */
  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.held.clear();
    this.queued = null;
    this.wallPlayed.clear();
    if (this.glide) {
      this.glide.loop?.stop();
      this.glide = null;
    }
  }

  reset() {
    this.stop();
    this.reconciler.clear();
    this.pacer.reset();
  }
}
