// The in-world controller: owns the world state, the message history, the input modes and
// the walker; turns keys into actions and keeps the canvas and the side panel current.
// The connection lifecycle (lifecycle.js) enters and leaves it; world packets are applied
// by world-packets.js.
import { WorldState, ArrivalNames } from './world-state.js';
import { MessageHistory } from './history.js';
import { NormalMode } from './normal-mode.js';
import { Walker } from './walker.js';
import { applyWorldPacket } from './world-packets.js';
import { focusLine, itemLabel, tileContentsLine } from './phrases.js';
import { out } from './packets.js';
import { CommandPalette, isPaletteKey } from './command-palette.js';

export class Game {
  constructor({ canvas, renderer, announcer, audio, settings, ui, send, onDisconnectRequest }) {
    this.canvas = canvas;
    this.renderer = renderer;
    this.announcer = announcer;
    this.audio = audio;
    this.settings = settings;
    this.ui = ui;
    this.send = send;
    this.onDisconnectRequest = onDisconnectRequest;
    this.state = new WorldState();
    this.history = new MessageHistory();
    this.arrivals = new ArrivalNames();
    this.knownNames = new Map(); // names of ids seen in update_nickname before any position
    this.walker = new Walker(this);
    this.modes = [];
    this.helpLines = [];
    this.pendingNickname = null;
    this.lastAddedType = null; // the add-item menu reopens on it
    this.active = false;
    // The Applications key opens the command palette, not the browser's context menu.
    canvas?.addEventListener?.('contextmenu', (event) => {
      if (this.active) event.preventDefault();
    });
  }

  get mode() {
    return this.modes[this.modes.length - 1] || null;
  }

  pushMode(mode) {
    this.walker.releaseAll();
    this.modes.push(mode);
    mode.enter?.();
  }

  popMode(mode) {
    const index = this.modes.lastIndexOf(mode);
    if (index > 0) {
      const [removed] = this.modes.splice(index, 1);
      removed.leave?.();
    }
  }

  say(text) {
    this.announcer.say(text);
  }

  /** Say a line even if it was just said (history browsing re-reads on purpose). */
  sayAgain(text) {
    this.announcer.last = { text: '', at: -Infinity };
    this.announcer.say(text);
  }

  /** Say a line and keep it in the message history. */
  record(text) {
    this.history.push(text);
    this.say(text);
  }

  /** Enter the world from a validated welcome packet. */
  enter(welcome) {
    this.state.loadWelcome(welcome);
    this.walker.reset();
    this.walker.configure(this.state.movementTickMs, this.state.movementMaxStepsPerTick);
    this.arrivals.clear();
    this.knownNames.clear();
    this.modes = [new NormalMode(this)];
    this.active = true;
    this.audio.setListener(this.state.self.x, this.state.self.y);
    this.renderer.start(() => ({
      gridSize: this.state.gridSize,
      self: this.state.self,
      selfDraw: this.walker.drawPosition(),
      peers: [...this.state.peers.values()],
      items: [...this.state.items.values()].filter((entry) => !entry.carrierId),
      letters: this.state.itemLetters,
    }));
    this.refresh();
  }

  /** A welcome while already in the world (the room moved nodes): take its snapshot of
   * users and items, keep everything else (modes, menus, audio) as it is. */
  resync(welcome) {
    this.state.loadWelcome(welcome);
    this.walker.reset();
    this.audio.setListener(this.state.self.x, this.state.self.y);
    this.refresh();
  }

  /** The packets sent right after welcome (protocol.md §3.4), heartbeat aside. */
  sendArrival() {
    const { self } = this.state;
    this.send(out.position(self.x, self.y));
    this.walker.reconciler.sent(self.x, self.y);
    this.send(out.nickname(self.nickname));
  }

  leave() {
    this.active = false;
    this.walker.reset();
    for (const mode of this.modes.slice(1)) mode.leave?.();
    this.modes = [];
    this.renderer.stop();
    this.state.peers.clear();
    this.state.items.clear();
    this.audio.leaveWorld();
    this.ui.showEditor(null);
  }

  requestDisconnect() {
    this.onDisconnectRequest();
  }

  handlePacket(packet) {
    if (!this.active) return;
    const applied = applyWorldPacket(this, packet);
    const heard = this.sound?.handlePacket(packet); // voice, item sounds, radios, piano (sound-world.js)
    // Only a type that neither the world nor the sound world takes is worth a note.
    if (!applied && !heard) console.debug(`chgrid: ignored server packet ${packet.type}`);
    // Open modes that follow the world (property list, admin menus) see each packet after it is applied.
    for (const mode of [...this.modes]) {
      if (this.modes.includes(mode)) mode.onPacket?.(packet);
    }
    this.refresh();
  }

  keydown(event) {
    if (!this.active || !this.mode) return false;
    // Shift+K, Applications, Shift+F10: the command palette over normal or piano mode.
    if (isPaletteKey(event) && (this.mode.name === 'normal' || this.mode.name === 'piano')) {
      if (!event.repeat) CommandPalette.open(this);
      return true;
    }
    return this.mode.keydown(event);
  }

  keyup(event) {
    if (!this.active || !this.mode) return;
    this.mode.keyup?.(event);
  }

  paste(text) {
    if (this.active && this.mode?.paste) {
      this.mode.paste(text);
      return true;
    }
    return false;
  }

  /** The grid got the focus back (Tab, the Chat Grid button): say where you are and what is open. */
  focused() {
    if (!this.active) return;
    const open = this.mode?.describe?.();
    this.say(`${this.gridName || 'Chat Grid'} focused. ${focusLine(this.state.self, open)}`); // branding.js
  }

  /** Focus left the canvas: stop walking so no arrow stays "held". */
  blur() {
    this.walker.releaseAll();
  }

  teleportTo(target, arrivalText) {
    this.walker.teleport(target, arrivalText);
  }

  /** Own position changed (step, snap or landing). */
  positionChanged() {
    this.audio.setListener(this.state.self.x, this.state.self.y);
    this.refresh();
  }

  /** After a step: "{names}. {item labels}" of whoever and whatever shares the new tile. */
  announceTile() {
    const { state } = this;
    const { x, y } = state.self;
    const users = state.peersAt(x, y);
    const items = state.itemsAt(x, y);
    const line = tileContentsLine(users.map((p) => p.nickname), items.map((i) => itemLabel(i, state.typeLabel(i.type))));
    if (!line) return;
    if (users.length) this.audio.tone('userPing');
    if (items.length) this.audio.tone('itemPing');
    this.say(line);
  }

  refresh() {
    this.renderer.invalidate();
    if (this.active) this.ui.showWorldSummary(this.state);
  }
}
