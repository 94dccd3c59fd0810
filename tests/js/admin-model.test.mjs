// The admin menus' content: root entries from adminMenuActions, roles with user counts
// and "Add role", permission entries with "Delete role", toggling, users, role names,
// and which results are spoken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADD_ROLE, DELETE_ROLE, adminResultSpeech, normaliseRoleName, permissionEntries, replacementRoles, roleEntries,
  rootEntries, togglePermission, userLabel,
} from '../../web/js/admin-model.js';

test('the root follows the server actions, in order; empty means no menu', () => {
  const actions = [{ id: 'ban_user', label: 'Ban user' }, { id: 'unban_user', label: 'Unban user' }];
  assert.deepEqual(rootEntries(actions), actions);
  assert.deepEqual(rootEntries([]), []);
  assert.deepEqual(rootEntries(undefined), []);
  assert.deepEqual(rootEntries([{ id: 1 }, ...actions]), actions);
});

test('roles sorted by name with user counts, then Add role', () => {
  const roles = [{ name: 'user', userCount: 2 }, { name: 'admin', userCount: 1 }, { name: 'mods', userCount: 0 }];
  assert.deepEqual(roleEntries(roles).map((e) => e.label), ['admin, 1', 'mods, 0', 'user, 2', 'Add role']);
  assert.equal(roleEntries(roles).at(-1).key, ADD_ROLE);
  assert.deepEqual(roleEntries([]).map((e) => e.label), ['Add role']);
});

test('permission entries: every key sorted, on or off, then Delete role', () => {
  const entries = permissionEntries({ name: 'mods', permissions: ['chat.send'] }, ['item.create', 'chat.send', 'user.ban_unban']);
  assert.deepEqual(entries.map((e) => e.label), ['chat.send: on', 'item.create: off', 'user.ban_unban: off', 'Delete role mods']);
  assert.equal(entries.at(-1).key, DELETE_ROLE);
});

test('toggling a permission keeps the list sorted', () => {
  assert.deepEqual(togglePermission(['chat.send'], 'user.ban_unban'), ['chat.send', 'user.ban_unban']);
  assert.deepEqual(togglePermission(['chat.send', 'item.use'], 'chat.send'), ['item.use']);
  assert.deepEqual(togglePermission(undefined, 'b'), ['b']);
});

test('replacement roles exclude the deleted one', () => {
  const roles = [{ name: 'user' }, { name: 'mods' }, { name: 'admin' }];
  assert.deepEqual(replacementRoles(roles, 'mods').map((r) => r.name), ['admin', 'user']);
});

test('user lines and role names', () => {
  assert.equal(userLabel({ username: 'bob', role: 'user', status: 'active' }), 'bob, user, active.');
  assert.equal(normaliseRoleName('  Mods '), 'mods');
  assert.equal(normaliseRoleName('   '), '');
});

test('results: spoken with a tone, permission updates quiet unless refused', () => {
  assert.deepEqual(adminResultSpeech({ ok: true, action: 'user_ban', message: 'Banned bob.' }), { text: 'Banned bob.', tone: 'confirm' });
  assert.deepEqual(adminResultSpeech({ ok: false, action: 'role_delete', message: 'Role not found.' }), { text: 'Role not found.', tone: 'cancel' });
  assert.equal(adminResultSpeech({ ok: true, action: 'role_update_permissions', message: 'Updated permissions for mods.' }), null);
  assert.deepEqual(adminResultSpeech({ ok: false, action: 'role_update_permissions', message: 'Not authorized.' }),
    { text: 'Not authorized.', tone: 'cancel' });
});
