// Browser settings: defaults, ranges, and the legacy token key removed on start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Settings, KEYS } from '../../web/js/settings.js';

class MemoryStorage {
  constructor(entries = {}) { this.map = new Map(Object.entries(entries)); }
  getItem(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setItem(k, v) { this.map.set(k, String(v)); }
  removeItem(k) { this.map.delete(k); }
}

test('defaults', () => {
  const s = new Settings(new MemoryStorage());
  assert.deepEqual(s.layers, { voice: true, item: true, media: true, world: true });
  assert.equal(s.masterVolume, 50);
  assert.equal(s.micInputGain, 2);
  assert.equal(s.outputMode, 'stereo');
  assert.equal(s.effectLevel('echo'), 50);
  assert.equal(s.peerListenGain('Bob'), 1);
  assert.equal(s.authUsername, '');
  assert.equal(s.authPolicy.passwordMinLength, 8);
});

test('the legacy session token is deleted on start', () => {
  const storage = new MemoryStorage({ [KEYS.legacyToken]: 'secret' });
  new Settings(storage);
  assert.equal(storage.getItem(KEYS.legacyToken), null);
});

test('values are clamped and stored under the reference keys', () => {
  const storage = new MemoryStorage();
  const s = new Settings(storage);
  s.masterVolume = 120;
  assert.equal(storage.getItem('chatGridMasterVolume'), '100');
  s.setLayer('media', false);
  assert.deepEqual(JSON.parse(storage.getItem('chatGridAudioLayers')), { voice: true, item: true, media: false, world: true });
  assert.equal(s.setPeerListenGain('BoB', 9), 4);
  assert.equal(s.peerListenGain('bob'), 4);
  assert.equal(JSON.parse(storage.getItem('chatGridPeerListenGains')).bob, 4);
  s.outputMode = 'mono';
  assert.equal(storage.getItem('chatGridAudioOutputMode'), 'mono');
  s.authUsername = 'maria';
  assert.equal(storage.getItem('chatGridAuthUsername'), 'maria');
  s.authUsername = '';
  assert.equal(storage.getItem('chatGridAuthUsername'), null);
});

test('broken stored values fall back to defaults', () => {
  const s = new Settings(new MemoryStorage({ chatGridAudioLayers: '{oops', chatGridMasterVolume: 'loud', chgridAuthPolicy: '{"usernameMinLength":-1}' }));
  assert.equal(s.layers.voice, true);
  assert.equal(s.masterVolume, 50);
  assert.equal(s.authPolicy.usernameMinLength, 2);
});
