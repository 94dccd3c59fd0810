// Builders of the item and admin client→server packets (protocol.md §4). Pure.

export const itemOut = {
  add: (itemType) => ({ type: 'item_add', itemType }),
  pickup: (itemId) => ({ type: 'item_pickup', itemId }),
  drop: (itemId, x, y) => ({ type: 'item_drop', itemId, x, y }),
  remove: (itemId) => ({ type: 'item_delete', itemId }),
  use: (itemId) => ({ type: 'item_use', itemId }),
  secondaryUse: (itemId) => ({ type: 'item_secondary_use', itemId }),
  transferTargets: (itemId) => ({ type: 'item_transfer_targets', itemId }),
  transfer: (itemId, targetUserId) => ({ type: 'item_transfer', itemId, targetUserId }),
  /** `patch` is {title} or {params: {key: value}}. */
  update: (itemId, patch) => ({ type: 'item_update', itemId, ...patch }),
};

export const adminOut = {
  rolesList: () => ({ type: 'admin_roles_list' }),
  usersList: (action) => ({ type: 'admin_users_list', action }),
  roleCreate: (name) => ({ type: 'admin_role_create', name }),
  roleUpdatePermissions: (role, permissions) => ({ type: 'admin_role_update_permissions', role, permissions }),
  roleDelete: (role, replacementRole) => ({ type: 'admin_role_delete', role, replacementRole }),
  userSetRole: (username, role) => ({ type: 'admin_user_set_role', username, role }),
  userBan: (username) => ({ type: 'admin_user_ban', username }),
  userUnban: (username) => ({ type: 'admin_user_unban', username }),
  userDelete: (username) => ({ type: 'admin_user_delete', username }),
};
