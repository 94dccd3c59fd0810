// What the item management menu (Z, upstream-0.1 §16) offers: the options the user may
// use on an item, from the server's uiDefinitions.itemManagement and the user's
// permissions and account id; the transfer targets in order and how they are spoken. Pure.

// The options the client can carry out, in menu order; their default labels.
const KNOWN = [
  ['transfer', 'Transfer item'],
  ['delete', 'Delete item'],
];

/** Whether `permissions` allow the action on `item` (any, or own and the item is ours). */
export function allows(action, item, permissions, userId) {
  const held = new Set(permissions || []);
  if (action.anyPermission && held.has(action.anyPermission)) return true;
  return Boolean(action.ownPermission && held.has(action.ownPermission)
    && userId !== null && userId !== undefined && item.createdBy === userId);
}

/**
 * The permitted options for an item, in the order Transfer, Delete, as {id, label, tooltip}.
 * No metadata from the server means no options.
 * @param {object} item
 * @param {{ui: object|null, permissions: string[], userId: string|null}} who
 */
export function managementOptions(item, { ui, permissions, userId }) {
  const actions = ui?.itemManagement?.actions || [];
  const options = [];
  for (const [id, defaultLabel] of KNOWN) {
    const action = actions.find((entry) => entry?.id === id);
    if (!action || !allows(action, item, permissions, userId)) continue;
    options.push({ id, label: action.label?.trim() ? action.label : defaultLabel, tooltip: action.tooltip || '' });
  }
  return options;
}

/** Transfer targets sorted by username, case-insensitively. */
export function sortTargets(targets) {
  return [...(targets || [])].sort((a, b) => {
    const x = a.username.toLowerCase();
    const y = b.username.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** "{username}, online" or "{username}, offline". */
export function targetLabel(target) {
  return `${target.username}, ${target.online ? 'online' : 'offline'}`;
}
