// Server packets the world takes quietly: item_transfer_targets belongs to the item
// management menu (which sees every packet itself), so a late answer after that menu
// closed is taken and dropped instead of being reported as an ignored packet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyWorldPacket } from '../../web/js/world-packets.js';
import { fakeGame } from './fake-game.mjs';

test('item_transfer_targets is taken without a word', () => {
  const game = fakeGame();
  const packet = { type: 'item_transfer_targets', itemId: 'i1', targets: [{ userId: 2, username: 'bob', online: true }] };
  assert.equal(applyWorldPacket(game, packet), true);
  assert.deepEqual(game.said, []);
  assert.deepEqual(game.sent, []);
  assert.equal(applyWorldPacket(game, { type: 'no_such_packet' }), false);
});
