// Applies validated in-world server packets to the game: presence (positions, arrivals,
// renames, departures), chat, pong, nickname results, permissions and items. Each
// handler reads the whole packet before changing anything, so nothing is half-applied.
import { chatLine, chatSound, loggedInNickname } from './chat.js';
import { adminMenuOpen, announceAdminResult } from './admin-menus.js';

const UNKNOWN_NAME = 'Unknown user';

const handlers = {
  update_position(game, p) {
    const { state } = game;
    if (p.id === state.selfId) {
      game.walker.serverPosition(p.x, p.y);
      return;
    }
    if (p.x < 0 || p.y < 0 || p.x >= state.gridSize || p.y >= state.gridSize) {
      console.warn('chgrid: dropped update_position outside the grid', p);
      return;
    }
    let name = null;
    if (!state.peers.has(p.id)) {
      name = game.knownNames.get(p.id);
      if (name) {
        game.knownNames.delete(p.id);
        game.arrivals.forget(name);
      } else {
        name = game.arrivals.take(performance.now()) || UNKNOWN_NAME;
      }
    }
    const { previous } = state.movePeer(p.id, p.x, p.y, name);
    if (previous && Math.hypot(p.x - previous.x, p.y - previous.y) <= 1.5 && (p.x !== previous.x || p.y !== previous.y)) {
      game.audio.footstep({ at: p, layer: 'world' });
    }
  },

  teleport_complete(game, p) {
    if (p.id === game.state.selfId) return;
    if (game.state.peers.has(p.id)) game.state.movePeer(p.id, p.x, p.y, null);
    game.audio.sample('teleport', { at: p, layer: 'world' });
  },

  signal(game, p) {
    // Voice arrives in part 2; the sender still becomes a known user (world.md §8).
    const { state } = game;
    if (p.senderId === state.selfId) return;
    if (!state.peers.has(p.senderId)) state.movePeer(p.senderId, p.x, p.y, p.senderNickname);
    else state.renamePeer(p.senderId, p.senderNickname);
    game.arrivals.forget(p.senderNickname);
  },

  update_nickname(game, p) {
    const { state } = game;
    if (p.id === state.selfId) {
      state.self.nickname = p.nickname;
      return;
    }
    if (state.peers.has(p.id)) state.renamePeer(p.id, p.nickname);
    else game.knownNames.set(p.id, p.nickname);
  },

  user_left(game, p) {
    game.state.removePeer(p.id);
    game.knownNames.delete(p.id);
  },

  chat_message(game, p) {
    const arrival = loggedInNickname(p);
    if (arrival) game.arrivals.loggedIn(arrival, performance.now());
    game.record(chatLine(p));
    const sound = chatSound(p);
    if (sound === 'blip') game.audio.tone('blip');
    else if (sound) game.audio.sample(sound);
  },

  pong(game, p) {
    if (game.heartbeat?.pong(p.clientSentAt)) return;
    if (p.clientSentAt < 0) return;
    const ms = Math.max(0, Date.now() - p.clientSentAt);
    game.record(`Ping ${ms} ms`);
  },

  nickname_result(game, p) {
    const requested = game.pendingNickname;
    const before = game.state.self.nickname;
    game.pendingNickname = null;
    game.state.self.nickname = p.effectiveNickname;
    if (!p.accepted) {
      game.audio.tone('cancel');
      game.record(p.reason || 'Nickname change rejected.');
    } else if (requested !== null && before === p.effectiveNickname) {
      game.say(`Nickname unchanged: ${p.effectiveNickname}.`);
    }
    // An accepted change is spoken by the server's "You are now known as …" line.
  },

  auth_permissions(game, p) {
    game.state.role = p.role;
    game.state.permissions = p.permissions;
    if (p.adminMenuActions) game.state.adminActions = p.adminMenuActions;
  },

  item_upsert(game, p) {
    game.state.items.set(p.item.id, p.item);
  },

  item_remove(game, p) {
    game.state.items.delete(p.itemId);
  },

  item_action_result(game, p) {
    if (game.sound?.pianoActionResult(p)) return; // spoken by piano mode with a blip or cancel tone
    if (p.message) game.record(p.message);
    game.audio.tone(p.ok ? 'confirm' : 'cancel');
    game.sound?.useResultTone(p);
  },

  // The open admin menus take their answers themselves (admin-menus.js); lists asked
  // for by a menu that has since closed are dropped, results are still spoken.
  admin_action_result(game, p) {
    if (!adminMenuOpen(game)) announceAdminResult(game, p);
  },

  admin_roles_list() {},

  admin_users_list() {},

  // The item management menu takes the transfer targets itself (item-management.js); a
  // late answer for a closed menu is dropped quietly.
  item_transfer_targets() {},

  protocol_error(game, p) {
    console.warn(`chgrid: the server rejected a packet${p.packetType ? ` (${p.packetType})` : ''}: ${p.message}`);
  },
};

/**
 * Apply one validated packet to the world. Returns false for types the world leaves to
 * others (the sound world takes item sounds, piano notes and signals' audio side); the
 * game reports a type nobody took.
 */
export function applyWorldPacket(game, packet) {
  const handler = handlers[packet.type];
  if (!handler) return false;
  handler(game, packet);
  return true;
}
