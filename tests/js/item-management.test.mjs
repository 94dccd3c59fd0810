// The item management menu (Z, upstream-0.1 §16) and the yes/no confirmation: options
// from metadata and permissions, the transfer target list, both confirmations starting
// on No, and the admin account deletion (§17) built on the same confirmation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { managementOptions, sortTargets, targetLabel } from '../../web/js/item-management-model.js';
import { MANAGE_COMMANDS } from '../../web/js/item-management.js';
import { ADMIN_COMMANDS } from '../../web/js/admin-menus.js';
import { fakeGame } from './fake-game.mjs';

const ui = {
  itemManagement: {
    actions: [
      { id: 'delete', label: 'Delete item', tooltip: 'Delete this item from the world.', anyPermission: 'item.delete.any', ownPermission: 'item.delete.own' },
      { id: 'transfer', label: 'Transfer item', tooltip: 'Transfer this item to another user.', anyPermission: 'item.transfer.any', ownPermission: 'item.transfer.own' },
    ],
  },
};
const dice = (extra = {}) => ({ id: 'd1', type: 'dice', title: 'Dice', x: 5, y: 5, createdBy: '1', ...extra });
const OWN = ['item.delete.own', 'item.transfer.own'];

function game({ items = [dice()], permissions = OWN, userId = '1', withUi = ui } = {}) {
  const g = fakeGame({ items, ui: withUi });
  Object.assign(g.state, { permissions, userId });
  return g;
}

test('options: Transfer then Delete, by any or own permission; no metadata, no options', () => {
  const who = { ui, permissions: OWN, userId: '1' };
  assert.deepEqual(managementOptions(dice(), who).map((o) => o.id), ['transfer', 'delete']);
  assert.deepEqual(managementOptions(dice({ createdBy: '2' }), who), []);
  assert.deepEqual(managementOptions(dice({ createdBy: '2' }), { ...who, permissions: ['item.delete.any'] }).map((o) => o.id), ['delete']);
  assert.deepEqual(managementOptions(dice(), { ...who, userId: null }), []);
  assert.deepEqual(managementOptions(dice(), { ...who, ui: {} }), []);
});

test('targets sort by username case-insensitively and say their online state', () => {
  const sorted = sortTargets([{ userId: '3', username: 'bob', online: false }, { userId: '2', username: 'Alice', online: true }]);
  assert.deepEqual(sorted.map(targetLabel), ['Alice, online', 'bob, offline']);
});

test('Z: nothing here, nothing permitted', () => {
  const empty = game({ items: [] });
  MANAGE_COMMANDS.item_management(empty);
  assert.equal(empty.lastSaid(), 'No items to manage on this square.');
  const carried = game({ items: [dice({ carrierId: 'me' })] });
  MANAGE_COMMANDS.item_management(carried);
  assert.equal(carried.lastSaid(), 'No items to manage on this square.');
  const foreign = game({ items: [dice({ createdBy: '2' })] });
  MANAGE_COMMANDS.item_management(foreign);
  assert.equal(foreign.lastSaid(), 'No permitted item management actions here.');
});

test('delete: the confirmation starts on No; No goes back, Yes sends and closes', () => {
  const g = game();
  MANAGE_COMMANDS.item_management(g);
  assert.equal(g.lastSaid(), 'Items. Transfer item.');
  g.key(' ');
  assert.equal(g.lastSaid(), 'Transfer this item to another user.');
  g.key('ArrowDown');
  assert.equal(g.lastSaid(), 'Delete item');
  g.key('Enter');
  assert.equal(g.lastSaid(), 'Delete Dice (dice)? No.');
  g.key('Enter');
  assert.equal(g.tones.at(-1), 'cancel');
  assert.equal(g.lastSaid(), 'Delete item');
  g.key('Enter');
  g.key('ArrowDown');
  assert.equal(g.lastSaid(), 'Yes');
  g.key('ArrowUp');
  assert.equal(g.lastSaid(), 'No');
  g.key('y');
  g.key('Enter');
  assert.deepEqual(g.sent, [{ type: 'item_delete', itemId: 'd1' }]);
  assert.equal(g.modes.length, 1);
});

test('transfer: loading, the sorted target list, Escape back, confirmation and request', () => {
  const g = game();
  MANAGE_COMMANDS.item_management(g);
  g.key('Enter');
  assert.deepEqual(g.sent.at(-1), { type: 'item_transfer_targets', itemId: 'd1' });
  assert.equal(g.lastSaid(), 'Loading users...');
  g.deliver({ type: 'item_transfer_targets', itemId: 'other', targets: [{ userId: '9', username: 'x', online: true }] });
  assert.equal(g.lastSaid(), 'Loading users...', 'a reply for another item is ignored');
  const targets = [{ userId: '3', username: 'carol', online: false }, { userId: '2', username: 'Bob', online: true }];
  g.deliver({ type: 'item_transfer_targets', itemId: 'd1', targets });
  assert.equal(g.lastSaid(), 'Users. Bob, online.');
  g.key('ArrowDown');
  assert.equal(g.lastSaid(), 'carol, offline');
  g.key('Escape');
  assert.equal(g.lastSaid(), 'Transfer item');
  g.key('Enter');
  g.deliver({ type: 'item_transfer_targets', itemId: 'd1', targets });
  g.key('c');
  g.key('Enter');
  assert.equal(g.lastSaid(), 'Transfer Dice (dice) to carol? No.');
  g.key('Escape');
  assert.equal(g.lastSaid(), 'carol, offline');
  g.key('Enter');
  g.key('y');
  assert.equal(g.lastSaid(), 'Yes');
  g.key('Enter');
  assert.deepEqual(g.sent.at(-1), { type: 'item_transfer', itemId: 'd1', targetUserId: '3' });
  assert.equal(g.modes.length, 1);
});

test('transfer with nobody to give it to stays in the options', () => {
  const g = game();
  MANAGE_COMMANDS.item_management(g);
  g.key('Enter');
  g.deliver({ type: 'item_transfer_targets', itemId: 'd1', targets: [] });
  assert.equal(g.lastSaid(), 'No users available to transfer to.');
  assert.equal(g.modes.length, 2);
});

test('the item going away while the menu is open is said on the next key', () => {
  const g = game();
  MANAGE_COMMANDS.item_management(g);
  g.deliver({ type: 'item_remove', itemId: 'd1' });
  g.key('ArrowDown');
  assert.equal(g.lastSaid(), 'Item no longer exists.');
  assert.equal(g.modes.length, 1);
});

test('several manageable items: "Select item." first', () => {
  const g = game({ items: [dice(), dice({ id: 'd2', title: 'Other' }), dice({ id: 'd3', title: 'Theirs', createdBy: '7' })] });
  MANAGE_COMMANDS.item_management(g);
  assert.equal(g.lastSaid(), 'Select item. Dice (dice).');
  g.key('ArrowDown');
  assert.equal(g.lastSaid(), 'Other (dice)');
  g.key('ArrowDown');
  assert.equal(g.lastSaid(), 'Dice (dice)', 'an item without permitted options is not offered');
  g.key('o');
  g.key('Enter');
  assert.equal(g.lastSaid(), 'Items. Transfer item.');
});

test('admin: Delete account with its confirmation; the account leaves the list', () => {
  const actions = [
    { id: 'ban_user', label: 'Ban user', tooltip: 'Disable a user account.' },
    { id: 'delete_account', label: 'Delete account', tooltip: 'Delete a user account permanently.' },
  ];
  const g = fakeGame({ adminActions: actions });
  ADMIN_COMMANDS.admin_menu(g);
  assert.equal(g.lastSaid(), 'Admin. Ban user.');
  g.key(' ');
  assert.equal(g.lastSaid(), 'Disable a user account.');
  g.key('d');
  g.key('Enter');
  assert.deepEqual(g.sent.at(-1), { type: 'admin_users_list', action: 'delete_account' });
  assert.equal(g.lastSaid(), 'Loading users...');
  const users = [
    { id: '2', username: 'bob', role: 'user', status: 'active' },
    { id: '1', username: 'root', role: 'admin', status: 'active' },
  ];
  g.deliver({ type: 'admin_users_list', users });
  assert.equal(g.lastSaid(), 'Users. bob, user, active.');
  g.key('Enter');
  assert.equal(g.lastSaid(), 'Delete account bob? No.');
  g.key('Enter');
  assert.equal(g.lastSaid(), 'bob, user, active.');
  assert.equal(g.sent.length, 1);
  g.key('Enter');
  g.key('ArrowDown');
  g.key('Enter');
  assert.equal(g.lastSaid(), 'Deleting account bob...');
  assert.deepEqual(g.sent.at(-1), { type: 'admin_user_delete', username: 'bob' });
  g.deliver({ type: 'admin_action_result', ok: true, action: 'user_delete', message: 'Deleted account bob.' });
  assert.equal(g.lastSaid(), 'Deleted account bob.');
  g.key('ArrowDown');
  assert.equal(g.lastSaid(), 'root, admin, active.');
  g.key('ArrowDown');
  assert.equal(g.lastSaid(), 'root, admin, active.', 'bob is gone: the list has one entry');
});
