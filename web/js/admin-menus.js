// The admin menus (Shift+Z, client.md §4.8): a root of the server's adminMenuActions that
// follows live auth_permissions pushes; role management (create, toggle permissions,
// delete with a replacement role, the list refreshed after each change); changing a
// user's role; banning and unbanning; deleting an account after a yes/no confirmation
// (upstream-0.1 §17). Requests go out as admin_* packets; the flow
// listens to the answers while its root menu is open. Results arriving when it is
// closed are announced by announceAdminResult.
import { MenuMode } from './menu-mode.js';
import { TextEntryMode } from './text-entry-mode.js';
import { YesNoMode } from './yes-no-menu.js';
import { adminOut } from './command-packets.js';
import {
  ADD_ROLE, DELETE_ROLE, UNDELETABLE_ROLES, adminResultSpeech, normaliseRoleName, permissionEntries,
  replacementRoles, roleEntries, rootEntries, titled, togglePermission, userLabel,
} from './admin-model.js';

const USER_MENU_TITLES = {
  set_role: 'Change user role', ban: 'Ban user', unban: 'Unban user', delete_account: 'Delete account',
};
const USER_ACTIONS = {
  change_user_role: 'set_role', ban_user: 'ban', unban_user: 'unban', delete_account: 'delete_account',
};

/** Whether the admin menus are open (their root is somewhere on the mode stack). */
export function adminMenuOpen(game) {
  return game.modes.some((mode) => mode.adminFlow);
}

/** Speak an admin_action_result with its tone (successful permission updates stay quiet). */
export function announceAdminResult(game, packet) {
  const speech = adminResultSpeech(packet);
  if (!speech) return;
  game.audio.tone(speech.tone);
  game.record(speech.text);
}

class AdminFlow {
  constructor(game) {
    this.game = game;
    this.rolesData = null; // the last admin_roles_list
    this.users = []; // the last admin_users_list, kept current after bans and role changes
    this.usersAction = null;
    this.waiting = null; // the list asked for: {kind: 'roles'|'refresh'|'rolePick'|'users', ...}
    this.pending = null; // the change asked for: {action, ...}
    this.menus = {};
    this.root = new MenuMode(game, {
      title: 'Admin',
      entries: () => rootEntries(game.state.adminActions),
      key: (action) => action.id,
      label: (action) => action.label,
      intro: (label) => titled('Admin', label),
      onSpace: (action) => action.tooltip || 'No tooltip available.',
      onEnter: (action) => this.#start(action),
      escapeText: 'Cancelled.',
      onPacket: (packet) => this.#packet(packet),
    });
    this.root.adminFlow = this;
  }

  open() {
    this.game.pushMode(this.root);
  }

  // --- menu plumbing ---------------------------------------------------------------

  #isOpen(name) {
    return Boolean(this.menus[name]) && this.game.modes.includes(this.menus[name]);
  }

  /** Pop every mode above `mode` (and `mode` itself when `inclusive`). */
  #closeFrom(mode, inclusive = false) {
    const index = this.game.modes.indexOf(mode);
    if (index < 0) return;
    for (const above of this.game.modes.slice(inclusive ? index : index + 1).reverse()) this.game.popMode(above);
  }

  #submenu(name, options) {
    if (this.#isOpen(name)) this.#closeFrom(this.menus[name], true);
    const menu = new MenuMode(this.game, {
      ...options,
      onEscape: (mode) => {
        this.game.popMode(mode);
        this.game.mode?.announceCurrent?.();
      },
    });
    this.menus[name] = menu;
    this.game.pushMode(menu);
    return menu;
  }

  #closeAll(text) {
    this.#closeFrom(this.root, true);
    this.game.say(text);
  }

  #role(name) {
    return (this.rolesData?.roles || []).find((role) => role.name === name) || null;
  }

  // --- root actions ----------------------------------------------------------------

  #start({ id, label }) {
    const { game } = this;
    if (id === 'manage_roles') {
      this.waiting = { kind: 'roles' };
      game.send(adminOut.rolesList());
      game.say('Loading roles...');
    } else if (USER_ACTIONS[id]) {
      this.usersAction = USER_ACTIONS[id];
      this.waiting = { kind: 'users' };
      game.send(adminOut.usersList(this.usersAction));
      game.say('Loading users...');
    } else {
      game.say(`${label} is not available in this version.`);
    }
  }

  // --- roles -----------------------------------------------------------------------

  #showRoles(focus) {
    if (this.#isOpen('roles')) {
      const menu = this.menus.roles;
      this.#closeFrom(menu);
      if (focus) menu.focus(focus);
      menu.announceCurrent();
      return;
    }
    this.#submenu('roles', {
      title: 'Roles',
      entries: () => roleEntries(this.rolesData?.roles),
      key: (entry) => entry.key,
      label: (entry) => entry.label,
      initialKey: focus,
      intro: (label) => titled('Roles', label),
      onEnter: (entry) => (entry.key === ADD_ROLE ? this.#askRoleName() : this.#showPermissions(entry.role.name)),
    });
  }

  #askRoleName() {
    const { game } = this;
    game.pushMode(new TextEntryMode(game, {
      prompt: 'New role name.',
      label: 'Role name',
      maxLength: 32,
      onConfirm: (text) => {
        const name = normaliseRoleName(text);
        if (!name) {
          game.audio.tone('cancel');
          game.say('Role name required.');
          return;
        }
        this.pending = { action: 'role_create', name };
        game.send(adminOut.roleCreate(name));
        game.say(`Creating role ${name}...`);
      },
    }));
  }

  #showPermissions(roleName) {
    const tooltips = () => this.rolesData?.permissionTooltips || {};
    this.#submenu('permissions', {
      title: `${roleName} permissions`,
      entries: () => {
        const role = this.#role(roleName);
        return role ? permissionEntries(role, this.rolesData.permissionKeys) : [];
      },
      key: (entry) => entry.key,
      label: (entry) => entry.label,
      intro: (label) => `${roleName} permissions. ${label}`,
      emptyText: 'Role not found.',
      onSpace: (entry) => (entry.key === DELETE_ROLE
        ? `Deletes the role ${roleName} and moves its users to a replacement role.`
        : tooltips()[entry.key] || 'No tooltip available.'),
      onEnter: (entry) => (entry.key === DELETE_ROLE ? this.#deleteRole(roleName) : this.#toggle(roleName, entry.key)),
    });
  }

  #toggle(roleName, key) {
    const role = this.#role(roleName);
    if (!role) return;
    role.permissions = togglePermission(role.permissions, key);
    this.game.send(adminOut.roleUpdatePermissions(role.name, role.permissions));
    this.game.say(`${key}: ${role.permissions.includes(key) ? 'on' : 'off'}`);
    this.menus.permissions?.render();
  }

  #deleteRole(roleName) {
    const { game } = this;
    if (UNDELETABLE_ROLES.includes(roleName)) {
      game.audio.tone('cancel');
      game.say('Admin and user roles cannot be deleted.');
      return;
    }
    const choices = () => replacementRoles(this.rolesData?.roles, roleName);
    this.#submenu('replacement', {
      title: `Replacement role for ${roleName}`,
      entries: choices,
      key: (role) => role.name,
      label: (role) => role.name,
      initialKey: choices().some((role) => role.name === 'user') ? 'user' : undefined,
      intro: (label) => `Replacement role: ${label}.`,
      emptyText: 'No replacement role available.',
      onEnter: (role) => {
        this.pending = { action: 'role_delete', role: roleName };
        game.send(adminOut.roleDelete(roleName, role.name));
        game.say(`Deleting ${roleName}...`);
      },
    });
  }

  #reloadRoles(kind, focus) {
    this.waiting = { kind, focus };
    this.game.send(adminOut.rolesList());
  }

  #rolesArrived(packet) {
    this.rolesData = packet;
    const { waiting } = this;
    this.waiting = null;
    if (waiting?.kind === 'roles') this.#showRoles(waiting.focus);
    else if (waiting?.kind === 'rolePick') this.#showRolePick(waiting.user);
    else for (const menu of Object.values(this.menus)) menu.render();
  }

  // --- users -----------------------------------------------------------------------

  #usersArrived(packet) {
    if (this.waiting?.kind !== 'users') return;
    this.waiting = null;
    this.users = packet.users.map((user) => ({ ...user }));
    if (!this.users.length) {
      this.game.say('No users available.');
      return;
    }
    const title = USER_MENU_TITLES[this.usersAction];
    this.#submenu('users', {
      title,
      entries: () => this.users,
      key: (user) => user.username,
      label: userLabel,
      intro: (label) => titled('Users', label),
      emptyText: 'No users available.',
      onEnter: (user) => this.#userChosen(user),
    });
  }

  #userChosen(user) {
    const { game } = this;
    if (this.usersAction === 'set_role') {
      this.waiting = { kind: 'rolePick', user };
      game.send(adminOut.rolesList());
      game.say(`Select new role for ${user.username}.`);
    } else if (this.usersAction === 'delete_account') {
      this.#confirmDelete(user);
    } else if (this.usersAction === 'ban') {
      this.pending = { action: 'user_ban', username: user.username };
      game.send(adminOut.userBan(user.username));
    } else {
      this.pending = { action: 'user_unban', username: user.username };
      game.send(adminOut.userUnban(user.username));
    }
  }

  /** "Delete account {username}? No."; Yes sends the deletion and stays in the user list. */
  #confirmDelete(user) {
    const { game } = this;
    game.pushMode(new YesNoMode(game, {
      question: `Delete account ${user.username}?`,
      onYes: () => {
        this.pending = { action: 'user_delete', username: user.username };
        game.send(adminOut.userDelete(user.username));
        game.say(`Deleting account ${user.username}...`);
      },
      onNo: () => this.menus.users?.announceCurrent(),
    }));
  }

  #showRolePick(user) {
    const roles = () => [...(this.rolesData?.roles || [])].sort((a, b) => (a.name < b.name ? -1 : 1));
    this.#submenu('rolePick', {
      title: `New role for ${user.username}`,
      entries: roles,
      key: (role) => role.name,
      label: (role) => role.name,
      initialKey: user.role,
      intro: (label) => titled('Roles', label),
      onEnter: (role) => {
        this.pending = { action: 'user_set_role', username: user.username, role: role.name };
        this.game.send(adminOut.userSetRole(user.username, role.name));
      },
    });
  }

  // --- answers ---------------------------------------------------------------------

  #result(packet) {
    const { game } = this;
    const pending = this.pending?.action === packet.action ? this.pending : null;
    if (pending) this.pending = null;
    else if (!packet.ok && this.waiting) this.waiting = null; // a list request was refused
    switch (packet.action) {
      case 'role_update_permissions':
        announceAdminResult(game, packet);
        if (!packet.ok) this.#reloadRoles('refresh'); // take the server's copy back
        return;
      case 'role_create':
        announceAdminResult(game, packet);
        if (packet.ok) this.#reloadRoles('roles', pending?.name);
        return;
      case 'role_delete':
        announceAdminResult(game, packet);
        if (packet.ok) this.#reloadRoles('roles');
        return;
      case 'user_set_role':
        if (packet.ok && pending) {
          const user = this.users.find((entry) => entry.username === pending.username);
          if (user) user.role = pending.role;
          game.history.push(packet.message);
          game.audio.tone('confirm');
          if (this.#isOpen('users')) {
            this.#closeFrom(this.menus.users);
            this.menus.users.focus(pending.username);
            this.menus.users.announceCurrent();
          } else game.say(packet.message);
          return;
        }
        announceAdminResult(game, packet);
        return;
      default: // user_ban, user_unban, user_delete: the account leaves the list
        announceAdminResult(game, packet);
        if (packet.ok && pending) {
          this.users = this.users.filter((entry) => entry.username !== pending.username);
          if (!this.#isOpen('users')) return;
          if (this.users.length) this.menus.users.render();
          else {
            this.#closeFrom(this.menus.users, true);
            game.say('No users available.');
          }
        }
    }
  }

  #packet(packet) {
    switch (packet.type) {
      case 'auth_permissions':
        if (!rootEntries(this.game.state.adminActions).length) this.#closeAll('Admin menu closed.');
        else this.root.render();
        return;
      case 'admin_roles_list':
        this.#rolesArrived(packet);
        return;
      case 'admin_users_list':
        this.#usersArrived(packet);
        return;
      case 'admin_action_result':
        this.#result(packet);
        return;
      default:
    }
  }
}

export const ADMIN_COMMANDS = {
  /** Shift+Z: only when the server offers admin actions (otherwise the key does nothing). */
  admin_menu(game) {
    if (adminMenuOpen(game)) return;
    if (!rootEntries(game.state.adminActions).length) {
      game.say('No admin actions available.');
      return;
    }
    new AdminFlow(game).open();
  },
};
