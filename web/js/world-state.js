// What the client knows of the world: its own id, nickname and tile, the other users,
// the items, the grid and movement settings, and the item type labels. Plain data and
// small pure operations; nothing here announces or draws.
import { clampToGrid } from './movement.js';
import { euclidean } from './phrases.js';
import { typeLetters } from './marker-layout.js';

export class WorldState {
  constructor() {
    this.reset();
  }

  reset() {
    this.selfId = null;
    this.self = { x: 0, y: 0, nickname: '' };
    this.peers = new Map();
    this.items = new Map();
    this.gridSize = 41;
    this.movementTickMs = 200;
    this.movementMaxStepsPerTick = 1;
    this.itemTypeLabels = new Map();
    this.itemLetters = new Map(); // item type → the letter drawn on its markers
    this.itemTypeOrder = [];
    this.uiDefinitions = null;
    this.adminActions = [];
    this.username = '';
    this.role = '';
    this.permissions = [];
    this.userId = null; // welcome.auth.userId: the account, for item ownership (createdBy)
  }

  /** Take over a validated welcome packet. */
  loadWelcome(welcome) {
    const config = welcome.worldConfig || {};
    this.gridSize = config.gridSize || 41;
    this.movementTickMs = config.movementTickMs || 200;
    this.movementMaxStepsPerTick = config.movementMaxStepsPerTick || 1;
    this.selfId = welcome.id;
    this.self = {
      x: clampToGrid(welcome.player.x, this.gridSize),
      y: clampToGrid(welcome.player.y, this.gridSize),
      nickname: welcome.player.nickname || this.self.nickname,
    };
    this.peers = new Map();
    for (const user of welcome.users) {
      if (user.id !== this.selfId) this.peers.set(user.id, { id: user.id, nickname: user.nickname, x: user.x, y: user.y });
    }
    this.items = new Map((welcome.items || []).map((entry) => [entry.id, entry]));
    const ui = welcome.uiDefinitions;
    this.uiDefinitions = ui || null;
    this.itemTypeOrder = ui?.itemTypeOrder || [];
    this.itemTypeLabels = new Map((ui?.itemTypes || []).map((t) => [t.type, t.label || t.type]));
    // letters in the add menu's order, so the first type keeps its initial
    const order = [...this.itemTypeOrder, ...this.itemTypeLabels.keys()].filter((t, i, all) => all.indexOf(t) === i);
    this.itemLetters = typeLetters(order.map((type) => ({ type, label: this.itemTypeLabels.get(type) || type })));
    this.adminActions = ui?.adminMenu?.actions || this.adminActions;
    if (welcome.auth?.permissions) this.permissions = welcome.auth.permissions;
    if (welcome.auth?.role) this.role = welcome.auth.role;
    if (welcome.auth?.username) this.username = welcome.auth.username;
    if (welcome.auth?.userId !== undefined) this.userId = welcome.auth.userId;
  }

  /** Every known user including self, as {id, nickname, x, y, self}. */
  allUsers() {
    return [{ id: this.selfId, ...this.self, self: true }, ...[...this.peers.values()].map((p) => ({ ...p, self: false }))];
  }

  /** Others sorted by nickname, case-insensitively. */
  peersByName() {
    return [...this.peers.values()].sort((a, b) => a.nickname.localeCompare(b.nickname, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id));
  }

  nearestPeer() {
    let best = null;
    for (const peer of this.peers.values()) {
      if (!best || euclidean(this.self, peer) < euclidean(this.self, best)) best = peer;
    }
    return best;
  }

  /** Items on the ground (not carried), nearest first. */
  groundItemsByDistance() {
    return [...this.items.values()]
      .filter((entry) => !entry.carrierId)
      .sort((a, b) => euclidean(this.self, a) - euclidean(this.self, b));
  }

  typeLabel(type) {
    return this.itemTypeLabels.get(type) || type;
  }

  peersAt(x, y) {
    return [...this.peers.values()].filter((p) => p.x === x && p.y === y);
  }

  itemsAt(x, y) {
    return [...this.items.values()].filter((entry) => !entry.carrierId && entry.x === x && entry.y === y);
  }

  /**
   * Move a peer. An unknown id becomes a new peer (world.md §8) named `nicknameIfNew`.
   * @returns {{peer: object, added: boolean, previous: {x:number,y:number}|null}}
   */
  movePeer(id, x, y, nicknameIfNew) {
    const existing = this.peers.get(id);
    if (existing) {
      const previous = { x: existing.x, y: existing.y };
      existing.x = x;
      existing.y = y;
      return { peer: existing, added: false, previous };
    }
    const peer = { id, nickname: nicknameIfNew, x, y };
    this.peers.set(id, peer);
    return { peer, added: true, previous: null };
  }

  renamePeer(id, nickname) {
    const peer = this.peers.get(id);
    if (!peer) return null;
    const old = peer.nickname;
    peer.nickname = nickname;
    return old;
  }

  removePeer(id) {
    const peer = this.peers.get(id) || null;
    this.peers.delete(id);
    return peer;
  }

  hasPermission(key) {
    return this.permissions.includes(key);
  }
}

/**
 * Pairs "{nickname} has logged in." lines with the ids that first appear in
 * update_position shortly after, so a newcomer gets a name without a signal packet.
 */
export class ArrivalNames {
  constructor(maxAgeMs = 15000) {
    this.maxAgeMs = maxAgeMs;
    this.queue = [];
  }

  loggedIn(nickname, now) {
    this.queue.push({ nickname, at: now });
  }

  /** The oldest recent arrival name, or null. */
  take(now) {
    this.queue = this.queue.filter((entry) => now - entry.at <= this.maxAgeMs);
    return this.queue.shift()?.nickname ?? null;
  }

  /** A peer named through another path (e.g. rename) no longer needs a queued name. */
  forget(nickname) {
    const index = this.queue.findIndex((entry) => entry.nickname === nickname);
    if (index >= 0) this.queue.splice(index, 1);
  }

  clear() {
    this.queue = [];
  }
}
