// Branding (upstream-0.1.md §3) and the version rules (§2.3 as adapted in docs/client.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Branding, DEFAULT_GRID_NAME, DEFAULT_WELCOME_MESSAGE, brandingFrom, fetchBranding,
} from '../../web/js/branding.js';
import {
  announcedVersion, footerVersion, pageVersions, reloadWanted,
} from '../../web/js/version-check.js';

test('branding fields: trimmed, blank or non-string take the defaults, none at all is null', () => {
  assert.deepEqual(brandingFrom({ gridName: ' Lobby ', welcomeMessage: 'Hi.' }), { gridName: 'Lobby', welcomeMessage: 'Hi.' });
  assert.deepEqual(brandingFrom({ gridName: '  ', welcomeMessage: 'Hi.' }), { gridName: DEFAULT_GRID_NAME, welcomeMessage: 'Hi.' });
  assert.deepEqual(brandingFrom({ gridName: 'X' }), { gridName: 'X', welcomeMessage: DEFAULT_WELCOME_MESSAGE });
  assert.equal(brandingFrom({ message: 'Authentication required.' }), null);
  assert.equal(brandingFrom({ gridName: null }), null);
  assert.equal(brandingFrom(null), null);
});

function fakeDoc() {
  const els = {};
  for (const id of ['gridTitle', 'focus-grid-button', 'grid-canvas']) {
    els[id] = { textContent: 'Chat Grid', attrs: {}, setAttribute(k, v) { this.attrs[k] = v; } };
  }
  return { title: 'Chat Grid', getElementById: (id) => els[id] || null, els };
}

test('applying branding names the page, heading, focus button and canvas', () => {
  const doc = fakeDoc();
  const branding = new Branding(doc);
  assert.equal(branding.apply({ gridName: 'Lobby', welcomeMessage: 'Hi.' }), true);
  assert.equal(doc.title, 'Lobby');
  assert.equal(doc.els.gridTitle.textContent, 'Lobby');
  assert.equal(doc.els['focus-grid-button'].textContent, 'Lobby');
  assert.equal(doc.els['grid-canvas'].attrs['aria-label'], 'Lobby, press question mark for help.');
  assert.equal(branding.apply({ gridName: 'Lobby', welcomeMessage: 'Hi.' }), false);
  assert.equal(branding.apply(null), false);
  assert.equal(doc.title, 'Lobby');
});

test('client_branding.json is fetched under the base path without caching; failures are null', async () => {
  const calls = [];
  const ok = async (url, init) => { calls.push([url, init.cache]); return { ok: true, json: async () => ({ gridName: 'G', welcomeMessage: 'W' }) }; };
  const where = { origin: 'https://h', pathname: '/lobby/index.html' };
  assert.deepEqual(await fetchBranding(ok, where), { gridName: 'G', welcomeMessage: 'W' });
  assert.deepEqual(calls, [['https://h/lobby/client_branding.json', 'no-store']]);
  assert.equal(await fetchBranding(async () => ({ ok: false }), where), null);
  assert.equal(await fetchBranding(async () => { throw new Error('offline'); }, where), null);
  assert.equal(await fetchBranding(async () => ({ ok: true, json: async () => { throw new SyntaxError('x'); } }), where), null);
});

const page = { release: '0.1.0', revision: 'R13', legacy: '0.1.0' };

test('page versions and the footer text', () => {
  assert.deepEqual(pageVersions({ CHGRID_RELEASE_VERSION: '0.1.0', CHGRID_CLIENT_REVISION: 'R13', CHGRID_WEB_VERSION: '0.1.0' }), page);
  assert.equal(footerVersion(page), '0.1.0 R13');
  assert.equal(footerVersion({ release: '', revision: 'R2', legacy: 'x' }), 'R2');
  assert.equal(footerVersion({ release: '', revision: '', legacy: '2026.02.28 R317' }), '2026.02.28 R317');
  assert.equal(footerVersion(pageVersions({})), 'unknown');
});

test('reload only for another expected client revision', () => {
  assert.equal(reloadWanted({ expectedClientRevision: 'R13', serverVersion: '0.1.0 S1' }, page, 'auth_required'), null);
  assert.equal(reloadWanted({ expectedClientRevision: '', version: '9' }, page, 'welcome'), null);
  assert.equal(reloadWanted({ serverVersion: '9 S9' }, page, 'auth_required'), null); // no revision: never
  assert.deepEqual(reloadWanted({ expectedClientRevision: 'R14', serverVersion: '0.1.1 S2' }, page, 'auth_required'),
    { target: 'R14', message: 'Server 0.1.1 S2 expects client R14. Reloading client...' });
  assert.deepEqual(reloadWanted({ expectedClientRevision: 'R14' }, page, 'auth_required'),
    { target: 'R14', message: 'Server unknown expects client R14. Reloading client...' });
  assert.deepEqual(reloadWanted({ expectedClientRevision: 'R14', instanceId: 'i' }, page, 'welcome'),
    { target: 'R14', message: 'Server expects client R14. Reloading client...' });
});

test('an older server is compared by serverInfo.version on welcome only', () => {
  assert.deepEqual(reloadWanted({ instanceId: 'i', version: '2099.01.01 R1' }, page, 'welcome'),
    { target: '2099.01.01 R1', message: 'Server version 2099.01.01 R1 detected. Reloading client...' });
  assert.equal(reloadWanted({ instanceId: 'i', version: '0.1.0' }, page, 'welcome'), null);
  assert.equal(reloadWanted({ instanceId: 'i', version: 'unknown' }, page, 'welcome'), null);
  assert.equal(reloadWanted({ instanceId: 'i' }, page, 'welcome'), null);
});

test('announced version prefers serverVersion', () => {
  assert.equal(announcedVersion({ serverVersion: '0.1.0 S13', version: '0.1.0' }), '0.1.0 S13');
  assert.equal(announcedVersion({ version: '0.1.0' }), '0.1.0');
  assert.equal(announcedVersion({ serverVersion: '' }), 'unknown');
  assert.equal(announcedVersion(undefined), 'unknown');
});
