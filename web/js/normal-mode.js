// Normal mode (client.md §4.1): what each command key does and says. Movement itself
// (held arrows, pacing, walls) lives in the game's walker; this mode starts and stops it.
import { arrowDirection, normalCommand } from './keymap.js';
import {
  coordinates, itemLabel, itemLine, itemListIntro, locateLine, userListEntry, userListIntro, usersLine,
} from './phrases.js';
import { out } from './packets.js';
import { sanitizeNickname } from './text.js';
import { TextEntryMode } from './text-entry-mode.js';
import { ListMode } from './list-mode.js';
import { HelpMode } from './help-mode.js';
import { ITEM_COMMANDS } from './item-commands.js';
import { ADMIN_COMMANDS } from './admin-menus.js';
import { MANAGE_COMMANDS } from './item-management.js';
import { voiceCommands } from './voice-keys.js';

const LAYER_COMMANDS = {
  layer_voice: ['voice', 'Voice'], layer_item: ['item', 'Item'], layer_media: ['media', 'Media'], layer_world: ['world', 'World'],
};

// Commands whose features arrive with items, voice and admin menus (part 2).
const LATER = {};

export class NormalMode {
  constructor(game) {
    this.game = game;
    this.name = 'normal';
    this.escapeArmed = false;
  }

  keydown(event) {
    const { game } = this;
    const command = normalCommand(event);
    if (command !== 'escape') this.escapeArmed = false;
    const direction = arrowDirection(event);
    if (direction && command && command.startsWith('move_')) {
      game.walker.press(direction, event.repeat);
      return true;
    }
    if (!command) return false;
    if (event.repeat) return true; // letters, digits and symbols do not auto-repeat
    const handler = this[command];
    if (typeof handler === 'function') {
      handler.call(this);
      return true;
    }
    if (LATER[command]) {
      game.say(`${LATER[command]} is not available in this version yet.`);
      return true;
    }
    return false;
  }

  keyup(event) {
    const direction = arrowDirection(event);
    if (direction) this.game.walker.release(direction);
  }

  coordinates() {
    this.game.say(coordinates(this.game.state.self));
  }

  locate_user() {
    const { state } = this.game;
    const peer = state.nearestPeer();
    if (!peer) {
      this.game.say('No users to locate.');
      return;
    }
    this.game.say(locateLine(state.self, peer));
    this.game.audio.tone('locate', { at: peer });
  }

  count_users() {
    const { state } = this.game;
    this.game.say(usersLine(state.self.nickname, state.peersByName().map((p) => p.nickname)));
  }

  list_users() {
    const { game } = this;
    const { state, settings } = game;
    if (!state.peers.size) {
      game.say('No users to locate.');
      return;
    }
    const label = (peer) => userListEntry(state.self, peer, settings.peerListenGain(peer.nickname));
    game.pushMode(new ListMode(game, {
      entries: () => state.peersByName(),
      key: (peer) => peer.id,
      name: (peer) => peer.nickname,
      label,
      title: 'Users',
      intro: (n, first) => userListIntro(n, first), // counts you too, as U does
      exitText: 'Exit list mode.',
      onAdjust: (peer, delta) => {
        const value = settings.setPeerListenGain(peer.nickname, settings.peerListenGain(peer.nickname) + delta * 0.05);
        game.audio.setPeerGain(peer.id, value);
        return `${peer.nickname} volume ${value}.`;
      },
      onEnter: (peer) => game.teleportTo(peer, `Moved to ${peer.nickname}.`),
    }));
  }

  locate_item() {
    const { state } = this.game;
    const [nearest] = state.groundItemsByDistance();
    if (!nearest) {
      this.game.say('No items to locate.');
      return;
    }
    this.game.say(itemLine(state.self, nearest, state.typeLabel(nearest.type)));
    this.game.audio.tone('locate', { at: nearest });
  }

  list_items() {
    const { game } = this;
    const { state } = game;
    if (!state.groundItemsByDistance().length) {
      game.say('No items to locate.');
      return;
    }
    game.pushMode(new ListMode(game, {
      entries: () => state.groundItemsByDistance(),
      key: (entry) => entry.id,
      name: (entry) => entry.title,
      label: (entry) => itemLine(state.self, entry, state.typeLabel(entry.type)),
      title: 'Items',
      intro: (n, first) => itemListIntro(n, first),
      exitText: 'Exit item list mode.',
      onEnter: (entry) => game.teleportTo(entry, `Moved to ${itemLabel(entry, state.typeLabel(entry.type))}.`),
    }));
  }

  edit_nickname() {
    const { game } = this;
    const current = game.state.self.nickname;
    game.pushMode(new TextEntryMode(game, {
      prompt: `Nickname edit: ${current}`,
      label: 'Nickname',
      text: current,
      selectAll: true,
      maxLength: 32,
      onConfirm: (text) => {
        const nickname = sanitizeNickname(text);
        if (!nickname) {
          game.say('Cancelled.');
          return;
        }
        game.pendingNickname = nickname;
        game.send(out.nickname(nickname));
      },
    }));
  }

  chat() {
    const { game } = this;
    game.pushMode(new TextEntryMode(game, {
      prompt: 'Chat.',
      label: 'Chat',
      maxLength: 500,
      onConfirm: (text) => {
        if (!text.trim()) {
          game.say('Cancelled.');
          return;
        }
        game.send(out.chat(text));
        if (!/^\/me(\s|$)/i.test(text)) game.audio.tone('confirm');
      },
    }));
  }

  help() {
    const lines = this.game.helpLines;
    if (!lines.length) {
      this.game.say('Help unavailable.');
      return;
    }
    this.game.pushMode(new HelpMode(this.game, lines, 'Help'));
  }

  #readHistory(op) {
    const { game } = this;
    if (!game.history.size) {
      game.say('No chat messages.');
      return;
    }
    const { text, edge } = game.history[op]();
    if (edge) game.audio.tone('blip');
    game.sayAgain(text);
  }

  history_previous() { this.#readHistory('previous'); }

  history_next() { this.#readHistory('next'); }

  history_first() { this.#readHistory('first'); }

  history_last() { this.#readHistory('last'); }

  ping() {
    this.game.send(out.ping(Date.now()));
  }

  #masterVolume(delta) {
    const { settings, audio } = this.game;
    const value = Math.max(0, Math.min(100, settings.masterVolume + delta));
    settings.masterVolume = value;
    audio.setMasterVolume(value);
    this.game.say(`Master volume ${value}`);
  }

  master_volume_down() { this.#masterVolume(-5); }

  master_volume_up() { this.#masterVolume(5); }

  output_mode() {
    const { settings } = this.game;
    settings.outputMode = settings.outputMode === 'mono' ? 'stereo' : 'mono';
    this.game.audio.applyOutputMode();
    this.game.say(settings.outputMode === 'mono' ? 'Mono output.' : 'Stereo output.');
  }

  escape() {
    if (this.escapeArmed) {
      this.escapeArmed = false;
      this.game.requestDisconnect();
      return;
    }
    this.escapeArmed = true;
    this.game.say('Press Escape again to disconnect.');
  }
}

// Item keys (item-commands.js), item management (item-management.js) and the admin menu (admin-menus.js).
for (const [command, run] of Object.entries({ ...ITEM_COMMANDS, ...MANAGE_COMMANDS, ...ADMIN_COMMANDS })) {
  NormalMode.prototype[command] = function itemOrAdminCommand() { run(this.game); };
}

for (const [command, [layer, word]] of Object.entries(LAYER_COMMANDS)) {
  NormalMode.prototype[command] = function toggleLayer() {
    const on = !this.game.settings.layers[layer];
    this.game.settings.setLayer(layer, on);
    this.game.audio.applyLayers();
    this.game.say(`${word} layer ${on ? 'on' : 'off'}.`);
  };
}

// Microphone, mute, loopback and voice effect keys (voice-keys.js).
Object.assign(NormalMode.prototype, voiceCommands);
