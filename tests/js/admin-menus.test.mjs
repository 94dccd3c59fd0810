// The admin menus against the server's packets: the root from adminMenuActions and its
// live changes, role management (create, toggle, delete with replacement, refresh), user
// role changes and bans, and results spoken when the menus are closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_COMMANDS, adminMenuOpen, announceAdminResult } from '../../web/js/admin-menus.js';
import { fakeGame } from './fake-game.mjs';

const ALL_ACTIONS = [
  { id: 'manage_roles', label: 'Role management' }, { id: 'change_user_role', label: 'Change user role' },
  { id: 'ban_user', label: 'Ban user' }, { id: 'unban_user', label: 'Unban user' },
];
const KEYS = ['item.create', 'chat.send', 'user.ban_unban'];
const rolesList = (roles) => ({
  type: 'admin_roles_list', roles: structuredClone(roles), permissionKeys: KEYS,
  permissionTooltips: { 'chat.send': 'Allow sending chat messages.' },
});
const ROLES = [
  { id: 1, name: 'admin', isSystem: true, userCount: 1, permissions: KEYS },
  { id: 3, name: 'user', isSystem: true, userCount: 2, permissions: ['chat.send'] },
];
const result = (action, message, ok = true) => ({ type: 'admin_action_result', ok, action, message });

function admin() {
  const game = fakeGame({ adminActions: ALL_ACTIONS });
  ADMIN_COMMANDS.admin_menu(game);
  return game;
}

test('Shift+Z without admin actions says so and opens nothing', () => {
  const game = fakeGame({ adminActions: [] });
  ADMIN_COMMANDS.admin_menu(game);
  assert.deepEqual(game.said, ['No admin actions available.']);
  assert.equal(game.modes.length, 1);
});

test('the root follows live permission pushes', () => {
  const game = admin();
  assert.equal(game.lastSaid(), 'Admin. Role management.');
  assert.ok(adminMenuOpen(game));
  game.state.adminActions = [ALL_ACTIONS[2]];
  game.deliver({ type: 'auth_permissions', role: 'mods', permissions: [], adminMenuActions: game.state.adminActions });
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'Ban user');
  game.state.adminActions = [];
  game.deliver({ type: 'auth_permissions', role: 'user', permissions: [], adminMenuActions: [] });
  assert.equal(game.lastSaid(), 'Admin menu closed.');
  assert.equal(game.modes.length, 1);
  assert.ok(!adminMenuOpen(game));
});

test('role management: create, toggle a permission, delete with a replacement', () => {
  const game = admin();
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Loading roles...');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_roles_list' });
  game.deliver(rolesList(ROLES));
  assert.equal(game.lastSaid(), 'Roles. admin, 1.');
  game.key('End');
  assert.equal(game.lastSaid(), 'Add role');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'New role name.');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Role name required.');
  game.key('Enter'); // back on "Add role"
  game.type(' Mods ');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Creating role mods...');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_role_create', name: 'mods' });
  game.deliver(result('role_create', 'Created role mods.'));
  assert.equal(game.lastSaid(), 'Created role mods.');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_roles_list' }, 'the list is refreshed');
  const mods = { id: 5, name: 'mods', isSystem: false, userCount: 0, permissions: [] };
  game.deliver(rolesList([ROLES[0], mods, ROLES[1]]));
  assert.equal(game.lastSaid(), 'mods, 0', 'on the new role');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'mods permissions. chat.send: off');
  game.key(' ');
  assert.equal(game.lastSaid(), 'Allow sending chat messages.');
  game.key('ArrowDown');
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'user.ban_unban: off');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'user.ban_unban: on');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_role_update_permissions', role: 'mods', permissions: ['user.ban_unban'] });
  const before = game.said.length;
  game.deliver(result('role_update_permissions', 'Updated permissions for mods.'));
  assert.equal(game.said.length, before, 'a successful update stays quiet');
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'Delete role mods');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Replacement role: user.');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Deleting mods...');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_role_delete', role: 'mods', replacementRole: 'user' });
  game.deliver(result('role_delete', 'Deleted role mods; reassigned 0 users to user.'));
  game.deliver(rolesList(ROLES));
  assert.equal(game.mode.options.title, 'Roles');
  game.key('Escape');
  assert.equal(game.lastSaid(), 'Role management');
  game.key('Escape');
  assert.equal(game.lastSaid(), 'Cancelled.');
  assert.equal(game.modes.length, 1);
});

test('admin and user roles cannot be deleted; a refused permission change is spoken and re-read', () => {
  const game = admin();
  game.key('Enter');
  game.deliver(rolesList(ROLES));
  game.key('Enter'); // admin
  game.key('End');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Admin and user roles cannot be deleted.');
  game.key('Home');
  game.key('Enter');
  game.deliver(result('role_update_permissions', 'Admin role permissions are locked on.', false));
  assert.equal(game.lastSaid(), 'Admin role permissions are locked on.');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_roles_list' });
  game.deliver(rolesList(ROLES));
  assert.equal(game.mode.current().label, 'chat.send: on', 'the server copy is shown again');
});

test('change a user role: the list line says the new role', () => {
  const game = admin();
  game.key('ArrowDown');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Loading users...');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_users_list', action: 'set_role' });
  game.deliver({ type: 'admin_users_list', users: [
    { id: '2', username: 'bob', role: 'user', status: 'active' }, { id: '1', username: 'root', role: 'admin', status: 'active' }] });
  assert.equal(game.lastSaid(), 'Users. bob, user, active.');
  game.key('Enter');
  assert.equal(game.lastSaid(), 'Select new role for bob.');
  game.deliver(rolesList(ROLES));
  assert.equal(game.lastSaid(), 'Roles. user.', 'the current role is preselected');
  game.key('ArrowUp');
  game.key('Enter');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_user_set_role', username: 'bob', role: 'admin' });
  game.deliver(result('user_set_role', 'Set role for bob to admin.'));
  assert.equal(game.lastSaid(), 'bob, admin, active.');
  assert.deepEqual(game.history.lines, ['Set role for bob to admin.']);
});

test('ban: the user leaves the list; an empty list says so', () => {
  const game = admin();
  game.key('b');
  game.key('Enter');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_users_list', action: 'ban' });
  game.deliver({ type: 'admin_users_list', users: [{ id: '2', username: 'bob', role: 'user', status: 'active' }] });
  game.key('Enter');
  assert.deepEqual(game.sent.at(-1), { type: 'admin_user_ban', username: 'bob' });
  game.deliver(result('user_ban', 'Banned bob.'));
  assert.deepEqual(game.said.slice(-2), ['Banned bob.', 'No users available.']);
  assert.equal(game.mode.options.title, 'Admin');
  game.key('ArrowDown');
  game.key('Enter');
  game.deliver({ type: 'admin_users_list', users: [] });
  assert.equal(game.lastSaid(), 'No users available.');
});

test('a refused list request is spoken; results after closing are still spoken', () => {
  const game = admin();
  game.key('Enter');
  game.deliver(result('role_update_permissions', 'Not authorized.', false));
  assert.equal(game.lastSaid(), 'Not authorized.');
  game.deliver(rolesList(ROLES));
  assert.equal(game.modes.length, 2, 'a late list opens nothing');
  const closed = fakeGame();
  announceAdminResult(closed, result('user_unban', 'Unbanned bob.'));
  announceAdminResult(closed, result('role_update_permissions', 'Updated permissions for x.'));
  assert.deepEqual(closed.said, ['Unbanned bob.']);
  assert.deepEqual(closed.tones, ['confirm']);
});
