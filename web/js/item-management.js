// The item management menu (Z, upstream-0.1 §16): for an item lying on the player's
// square, the options the server's itemManagement metadata and the user's permissions
// allow (Transfer, Delete). Transfer asks the server for the accounts it may go to
// ("Users. bob, online."), then a yes/no confirmation; Delete goes straight to its
// confirmation. Confirming sends the request and returns to normal mode; the answer is
// an item_action_result, spoken like every item result.
import { MenuMode } from './menu-mode.js';
import { YesNoMode } from './yes-no-menu.js';
import { itemsOnTile } from './item-targets.js';
import { itemLabel } from './phrases.js';
import { itemOut } from './command-packets.js';
import { managementOptions, sortTargets, targetLabel } from './item-management-model.js';

/** A menu whose entries can vanish under it: any key but Escape then says why and closes it. */
class VanishingMenu extends MenuMode {
  keydown(event) {
    if (!event.altKey && !event.ctrlKey && !event.metaKey && event.key !== 'Escape' && !this.options.entries().length) {
      this.options.onVanished(this);
      return true;
    }
    return super.keydown(event);
  }
}

class ManageFlow {
  constructor(game, itemId) {
    this.game = game;
    this.itemId = itemId;
    this.loading = false; // item_transfer_targets asked for and not answered yet
    this.targets = [];
    this.users = null;
    this.options = new VanishingMenu(game, {
      title: 'Items',
      entries: () => this.#options(),
      key: (option) => option.id,
      label: (option) => option.label,
      intro: (label) => `Items. ${label}.`,
      get emptyText() { return 'No item management actions available.'; },
      onVanished: () => {
        const gone = !this.#item();
        this.close();
        this.game.say(gone ? 'Item no longer exists.' : 'No item management actions available.');
      },
      onSpace: (option) => option.tooltip || 'No tooltip available.',
      onEnter: (option) => (option.id === 'transfer' ? this.#askTargets() : this.#confirmDelete()),
      escapeText: 'Cancelled.',
      onPacket: (packet) => this.#packet(packet),
    });
  }

  /** The item, while it still lies somewhere (a carried item cannot be managed). */
  #item() {
    const item = this.game.state.items.get(this.itemId);
    return item && !item.carrierId ? item : null;
  }

  #label() {
    const item = this.#item() || this.game.state.items.get(this.itemId);
    return item ? itemLabel(item, this.game.state.typeLabel(item.type)) : 'item';
  }

  #options() {
    const item = this.#item();
    return item ? managementOptions(item, who(this.game)) : [];
  }

  open() {
    this.game.pushMode(this.options);
  }

  /** Leave every menu of this flow, back to the mode it was opened from. */
  close() {
    for (const mode of [this.users, this.options]) if (mode) this.game.popMode(mode);
  }

  #confirmDelete() {
    const { game } = this;
    game.pushMode(new YesNoMode(game, {
      question: `Delete ${this.#label()}?`,
      onYes: () => {
        this.close();
        game.send(itemOut.remove(this.itemId));
      },
      onNo: () => this.options.announceCurrent(),
    }));
  }

  #askTargets() {
    this.loading = true;
    this.game.send(itemOut.transferTargets(this.itemId));
    this.game.say('Loading users...');
  }

  #packet(packet) {
    if (packet.type === 'item_action_result' && packet.action === 'transfer' && !packet.ok) this.loading = false;
    if (packet.type !== 'item_transfer_targets' || !this.loading || packet.itemId !== this.itemId) return;
    this.loading = false;
    this.targets = sortTargets(packet.targets);
    if (!this.targets.length) {
      this.game.say('No users available to transfer to.');
      return;
    }
    if (this.users) this.game.popMode(this.users);
    this.users = new MenuMode(this.game, {
      title: 'Users',
      entries: () => this.targets,
      key: (target) => target.userId,
      label: targetLabel,
      intro: (label) => `Users. ${label}.`,
      onEnter: (target) => this.#confirmTransfer(target),
      onEscape: (mode) => {
        this.game.popMode(mode);
        this.users = null;
        this.options.announceCurrent();
      },
    });
    this.game.pushMode(this.users);
  }

  #confirmTransfer(target) {
    const { game } = this;
    game.pushMode(new YesNoMode(game, {
      question: `Transfer ${this.#label()} to ${target.username}?`,
      onYes: () => {
        this.close();
        game.send(itemOut.transfer(this.itemId, target.userId));
      },
      onNo: () => this.users?.announceCurrent(),
    }));
  }
}

function who(game) {
  const { state } = game;
  return { ui: state.uiDefinitions, permissions: state.permissions, userId: state.userId };
}

export const MANAGE_COMMANDS = {
  /** Z: manage an item lying on this square. */
  item_management(game) {
    const { state } = game;
    const here = itemsOnTile([...state.items.values()], state.self.x, state.self.y);
    if (!here.length) {
      game.say('No items to manage on this square.');
      return;
    }
    const manageable = () => itemsOnTile([...state.items.values()], state.self.x, state.self.y)
      .filter((entry) => managementOptions(entry, who(game)).length);
    const first = manageable();
    if (!first.length) {
      game.say('No permitted item management actions here.');
      return;
    }
    if (first.length === 1) {
      new ManageFlow(game, first[0].id).open();
      return;
    }
    game.pushMode(new MenuMode(game, {
      title: 'Select item',
      entries: manageable,
      key: (entry) => entry.id,
      label: (entry) => itemLabel(entry, state.typeLabel(entry.type)),
      intro: (label) => `Select item. ${label}.`,
      emptyText: 'No items to manage on this square.',
      onEnter: (entry, mode) => {
        game.popMode(mode);
        new ManageFlow(game, entry.id).open();
      },
      escapeText: 'Cancelled.',
    }));
  },
};
