// The item keys of normal mode (client.md §4.1, §4.2, §4.5): A add-item menu in the
// server's order (reopening on the type placed last), O edit and Shift+O inspect
// properties, D pick up or drop, Enter use and Shift+Enter secondary use (deleting is in
// the item management menu, item-management.js).
// Several candidates on the tile open the item selection; the server's item_action_result
// is what tells how it went.
import { MenuMode } from './menu-mode.js';
import { PropertyList } from './property-list-mode.js';
import { addMenuEntries } from './item-schema.js';
import { itemTargets } from './item-targets.js';
import { itemLabel } from './phrases.js';
import { itemOut } from './command-packets.js';

const NO_SCHEMA = 'Item schema missing from server. Item menus unavailable.';

function targets(game, action) {
  const { state } = game;
  return itemTargets(action, { items: state.items.values(), self: state.self, selfId: state.selfId });
}

/** Run `perform` on the action's target, asking "Select item. …" when there are several. */
function withTarget(game, action, perform) {
  const { items, none } = targets(game, action);
  if (!items.length) {
    game.say(none);
    return;
  }
  if (items.length === 1) {
    perform(items[0]);
    return;
  }
  const ids = items.map((entry) => entry.id);
  game.pushMode(new MenuMode(game, {
    title: 'Select item',
    // items that went away or were carried off by someone else meanwhile drop out
    entries: () => ids.map((id) => game.state.items.get(id))
      .filter((entry) => entry && (!entry.carrierId || entry.carrierId === game.state.selfId)),
    key: (entry) => entry.id,
    label: (entry) => itemLabel(entry, game.state.typeLabel(entry.type)),
    intro: (label) => `Select item. ${label}.`,
    emptyText: none,
    onEnter: (entry, mode) => {
      game.popMode(mode);
      perform(entry);
    },
    escapeText: 'Cancelled.',
  }));
}

function openProperties(game, action) {
  if (!game.state.uiDefinitions) {
    game.say(NO_SCHEMA);
    return;
  }
  withTarget(game, action, (entry) => new PropertyList(game, entry.id, { inspect: action === 'inspect' }).open());
}

export const ITEM_COMMANDS = {
  add_item(game) {
    const entries = addMenuEntries(game.state.uiDefinitions);
    if (!entries.length) {
      game.say(NO_SCHEMA);
      return;
    }
    game.pushMode(new MenuMode(game, {
      title: 'Add item',
      entries: () => entries,
      key: (entry) => entry.type,
      label: (entry) => entry.label,
      initialKey: game.lastAddedType ?? null, // reopens on the type placed last
      intro: (label) => `Add item. ${label}.`,
      onSpace: (entry) => entry.tooltip || 'No tooltip available.',
      onEnter: (entry, mode) => {
        game.popMode(mode);
        game.lastAddedType = entry.type;
        game.send(itemOut.add(entry.type));
      },
      escapeText: 'Cancelled.',
    }));
  },

  edit_item(game) {
    openProperties(game, 'edit');
  },

  inspect_item(game) {
    openProperties(game, 'inspect');
  },

  pickup_drop(game) {
    const { drop } = targets(game, 'pickup');
    if (drop) {
      const { x, y } = game.state.self;
      game.send(itemOut.drop(drop.id, x, y));
      return;
    }
    withTarget(game, 'pickup', (entry) => game.send(itemOut.pickup(entry.id)));
  },

  use_item(game) {
    withTarget(game, 'use', (entry) => game.send(itemOut.use(entry.id)));
  },

  secondary_use_item(game) {
    withTarget(game, 'secondary_use', (entry) => game.send(itemOut.secondaryUse(entry.id)));
  },
};
