// The admin menus' content (client.md §4.8, permissions.md §4, §7): root entries from the
// server's adminMenuActions, role, permission and user entries with their spoken labels,
// permission toggling, role-name normalisation, and how an admin_action_result is
// announced. Pure.

// Keys of the extra entries; "+" cannot appear in a role name or a permission key.
export const ADD_ROLE = '+add role';
export const DELETE_ROLE = '+delete role';
export const UNDELETABLE_ROLES = ['admin', 'user'];

/** Root menu entries: the server's {id, label, tooltip?} actions, in its order. */
export function rootEntries(actions) {
  return (actions || []).filter((action) => action && typeof action.id === 'string' && typeof action.label === 'string');
}

/** Roles sorted by name as {key, label: "{name}, {userCount}"} plus "Add role". */
export function roleEntries(roles) {
  const sorted = [...(roles || [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [
    ...sorted.map((role) => ({ key: role.name, role, label: `${role.name}, ${role.userCount}` })),
    { key: ADD_ROLE, label: 'Add role' },
  ];
}

/** One entry per permission key (sorted) "{key}: on|off", plus "Delete role {name}". */
export function permissionEntries(role, permissionKeys) {
  const held = new Set(role.permissions || []);
  return [
    ...[...(permissionKeys || [])].sort().map((key) => ({ key, label: `${key}: ${held.has(key) ? 'on' : 'off'}` })),
    { key: DELETE_ROLE, label: `Delete role ${role.name}` },
  ];
}

/** The role's permission list with `key` switched, sorted. */
export function togglePermission(permissions, key) {
  const set = new Set(permissions || []);
  if (set.has(key)) set.delete(key);
  else set.add(key);
  return [...set].sort();
}

/** Roles that can replace `deleted`. */
export function replacementRoles(roles, deleted) {
  return [...(roles || [])].filter((role) => role.name !== deleted).sort((a, b) => (a.name < b.name ? -1 : 1));
}

// The title-first rule is shared with the other menus and lists (phrases.js).
export { titled } from './phrases.js';

/** "{username}, {role}, {status}." */
export function userLabel(user) {
  return `${user.username}, ${user.role}, ${user.status}.`;
}

/** A typed role name as the server will store it: trimmed, lower-cased. */
export function normaliseRoleName(text) {
  return String(text ?? '').trim().toLowerCase();
}

/**
 * What an admin_action_result says when no admin menu step claims it: the message with
 * a confirm or cancel tone, except successful permission updates (the menu has already
 * said the new state).
 * @returns {{text: string, tone: 'confirm'|'cancel'} | null}
 */
export function adminResultSpeech(packet) {
  if (packet.ok && packet.action === 'role_update_permissions') return null;
  if (!packet.message) return null;
  return { text: packet.message, tone: packet.ok ? 'confirm' : 'cancel' };
}
