// Which items an item key acts on (client.md §4.1): the items on the player's own tile
// (items carried by anyone are never "here"), the item the player carries, and the
// fallbacks and "nothing here" lines of each action. Pure.

/** Whether the item's type offers a capability (items without a list offer everything). */
export function hasCapability(item, capability) {
  return !Array.isArray(item.capabilities) || item.capabilities.includes(capability);
}

/** Items lying on (x, y): not carried by anyone. */
export function itemsOnTile(items, x, y) {
  return items.filter((entry) => !entry.carrierId && entry.x === x && entry.y === y);
}

/** The item carried by this connection, or null. */
export function carriedBy(items, selfId) {
  return items.find((entry) => entry.carrierId && entry.carrierId === selfId) || null;
}

const NONE = {
  edit: 'No editable item here.',
  inspect: 'No item to inspect.',
  pickup: 'No items to pick up.',
  delete: 'No items to delete.',
  use: 'No usable items here.',
  secondary_use: 'No usable items here.',
};

/**
 * The items an action may target, from {items, self: {x, y}, selfId}.
 * @param {'edit'|'inspect'|'pickup'|'delete'|'use'|'secondary_use'} action
 * @returns {{items: object[], drop: object|null, none: string}} `drop` is set when D drops
 *   the carried item instead of picking one up; `items` has several entries when the
 *   player must choose.
 */
export function itemTargets(action, { items, self, selfId }) {
  const all = [...items];
  const here = itemsOnTile(all, self.x, self.y);
  const carried = carriedBy(all, selfId);
  const result = (list) => ({ items: list, drop: null, none: NONE[action] });
  switch (action) {
    case 'edit': {
      const editable = here.filter((entry) => hasCapability(entry, 'editable'));
      if (editable.length) return result(editable);
      return result(carried && hasCapability(carried, 'editable') ? [carried] : []);
    }
    case 'inspect':
      return result(here.length ? here : (carried ? [carried] : []));
    case 'pickup':
      if (carried) return { items: [], drop: carried, none: NONE.pickup };
      return result(here.filter((entry) => hasCapability(entry, 'carryable')));
    case 'delete': {
      const deletable = here.filter((entry) => hasCapability(entry, 'deletable'));
      if (deletable.length) return result(deletable);
      return result(carried && hasCapability(carried, 'deletable') ? [carried] : []);
    }
    case 'use':
    case 'secondary_use':
      if (carried && hasCapability(carried, 'usable')) return result([carried]);
      return result(here.filter((entry) => hasCapability(entry, 'usable')));
    default:
      return result([]);
  }
}
