// Packet validation: valid server packets pass, broken ones are refused with a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerFrame, validateServerPacket, out } from '../../web/js/packets.js';

const policy = { usernameMinLength: 2, usernameMaxLength: 32, passwordMinLength: 8, passwordMaxLength: 32 };

const item = {
  id: 'i1', type: 'dice', title: 'Dice', x: 1, y: 2, createdBy: '1', createdByName: 'maria', updatedBy: '1',
  updatedByName: 'maria', createdAt: 1, updatedAt: 2, version: 1, capabilities: ['usable'], params: { sides: 6 },
  useSound: 'sounds/roll.ogg', display: { type: 'dice' },
};

const welcome = {
  type: 'welcome',
  id: 'me',
  player: { id: 'me', nickname: 'Maria', x: 7, y: 33 },
  users: [{ id: 'u2', nickname: 'tomas', x: 12, y: 30 }],
  items: [item],
  worldConfig: { gridSize: 41, movementTickMs: 200, movementMaxStepsPerTick: 1 },
  uiDefinitions: {
    itemTypeOrder: ['dice'],
    itemTypes: [{
      type: 'dice', label: 'dice', capabilities: ['usable'], editableProperties: ['title', 'sides'],
      propertyMetadata: { sides: { valueType: 'number', range: { min: 2, max: 100, step: 1 }, visibleWhen: { enabled: true } } },
      globalProperties: { useSound: 'roll.ogg' },
    }],
    adminMenu: { actions: [] },
  },
  serverInfo: { instanceId: 'abc', version: '0.1.0' },
  auth: { authenticated: true, userId: '4', username: 'maria', role: 'user', permissions: ['chat.send'], policy },
};

test('a full welcome passes', () => {
  const result = validateServerPacket(welcome);
  assert.equal(result.ok, true, result.reason);
});

test('one bad item drops the whole welcome', () => {
  const bad = structuredClone(welcome);
  bad.items[0].useSound = null;
  const result = validateServerPacket(bad);
  assert.equal(result.ok, false);
  assert.match(result.reason, /useSound/);
});

test('welcome with a fractional position is refused', () => {
  const bad = structuredClone(welcome);
  bad.player.x = 1.5;
  assert.equal(validateServerPacket(bad).ok, false);
});

test('carrierId may be null but display values must be strings', () => {
  const ok = structuredClone(welcome);
  ok.items[0].carrierId = null;
  assert.equal(validateServerPacket(ok).ok, true);
  const bad = structuredClone(welcome);
  bad.items[0].display = { x: 1 };
  assert.equal(validateServerPacket(bad).ok, false);
});

test('auth_result: optional fields must be absent, not null', () => {
  assert.equal(validateServerPacket({ type: 'auth_result', ok: true, message: 'Authenticated.', sessionToken: 't', username: 'a', role: 'user', permissions: [], adminMenuActions: [], nickname: 'a', authPolicy: policy }).ok, true);
  assert.equal(validateServerPacket({ type: 'auth_result', ok: false, message: 'x', sessionToken: null }).ok, false);
  assert.equal(validateServerPacket({ type: 'auth_result', ok: false, message: 'x', authPolicy: { ...policy, usernameMinLength: 0 } }).ok, false);
});

test('update_nickname needs 1 to 32 characters', () => {
  assert.equal(validateServerPacket({ type: 'update_nickname', id: 'a', nickname: 'x'.repeat(32) }).ok, true);
  assert.equal(validateServerPacket({ type: 'update_nickname', id: 'a', nickname: 'x'.repeat(33) }).ok, false);
  assert.equal(validateServerPacket({ type: 'update_nickname', id: 'a', nickname: '' }).ok, false);
});

test('chat_message flags must be booleans when present', () => {
  assert.equal(validateServerPacket({ type: 'chat_message', message: 'hi', system: true, action: false }).ok, true);
  assert.equal(validateServerPacket({ type: 'chat_message', message: 'hi', system: 'yes' }).ok, false);
  assert.equal(validateServerPacket({ type: 'chat_message', system: true }).ok, false);
});

test('positions and pongs need integers', () => {
  assert.equal(validateServerPacket({ type: 'update_position', id: 'a', x: 1, y: 2 }).ok, true);
  assert.equal(validateServerPacket({ type: 'update_position', id: 'a', x: '1', y: 2 }).ok, false);
  assert.equal(validateServerPacket({ type: 'pong', clientSentAt: -3 }).ok, true);
  assert.equal(validateServerPacket({ type: 'pong', clientSentAt: 1.25 }).ok, false);
});

test('enums are enforced', () => {
  assert.equal(validateServerPacket({ type: 'item_action_result', ok: true, action: 'use', message: '' }).ok, true);
  assert.equal(validateServerPacket({ type: 'item_action_result', ok: true, action: 'explode', message: '' }).ok, false);
  assert.equal(validateServerPacket({ type: 'admin_users_list', users: [{ id: '1', username: 'a', role: 'user', status: 'gone' }] }).ok, false);
});

test('unknown types, non-objects and non-JSON frames are refused', () => {
  assert.equal(validateServerPacket({ type: 'nope' }).ok, false);
  assert.equal(validateServerPacket([1]).ok, false);
  assert.equal(validateServerPacket(null).ok, false);
  assert.equal(parseServerFrame('{').ok, false);
  assert.equal(parseServerFrame('{"type":"user_left","id":"x"}').ok, true);
});

test('lengths count code points, not UTF-16 units', () => {
  assert.equal(validateServerPacket({ type: 'update_nickname', id: 'a', nickname: '😀'.repeat(32) }).ok, true);
});

test('protocol_error is understood', () => {
  assert.equal(validateServerPacket({ type: 'protocol_error', message: 'bad', packetType: 'ping' }).ok, true);
});

test('outgoing builders', () => {
  assert.deepEqual(out.register('a', 'b', ''), { type: 'auth_register', username: 'a', password: 'b' });
  assert.deepEqual(out.register('a', 'b', 'e@x'), { type: 'auth_register', username: 'a', password: 'b', email: 'e@x' });
  assert.deepEqual(out.position(1, 2), { type: 'update_position', x: 1, y: 2 });
  assert.deepEqual(out.ping(-1), { type: 'ping', clientSentAt: -1 });
});
