// Entry module: builds the client's parts, wires the page's buttons and keys to them,
// and loads the help and changelog texts. Everything else lives in the modules it imports.
import { Settings } from './settings.js';
import { Announcer } from './announcer.js';
import { AudioEngine } from './audio.js';
import { GridRenderer } from './render.js';
import { AuthPanel } from './auth-panel.js';
import { SidePanel } from './side-panel.js';
import { MenuPanel } from './menu-panel.js';
import { Game } from './game.js';
import { Lifecycle } from './lifecycle.js';
import { AudioSetup } from './audio-setup.js';
import { fetchJson, helpLines, renderChangelog, renderHelpSection } from './help.js';
import { checkSessionCookie } from './cookie-session.js';
import { SoundWorld } from './sound-world.js';
import { installTestHook, isTestMode } from './test-hook.js';
import { Branding, DEFAULT_WELCOME_MESSAGE, fetchBranding } from './branding.js';
import { footerVersion, pageVersions } from './version-check.js';
import { HelpPanel } from './help-panel.js';

const VERSIONS = pageVersions(globalThis);
const $ = (id) => document.getElementById(id);

const settings = new Settings(globalThis.localStorage);
const announcer = new Announcer({ statusEl: $('status-region'), connectionEl: $('connection-status'), logEl: $('message-log') });
const audio = new AudioEngine(settings);
const canvas = $('grid-canvas');
const renderer = new GridRenderer(canvas, { container: $('canvas-wrap'), overlay: $('grid-overlay') });
const authPanel = new AuthPanel(document, settings);
const sidePanel = new SidePanel(document);

let joining = false; // the grid taking the focus on joining is not announced: "Connected …" follows
const page = {
  showGame() {
    $('game').hidden = false;
    document.body.classList.add('in-world');
    authPanel.show(false);
    $('focus-grid-button').disabled = false;
    joining = true;
    canvas.focus();
    joining = false;
  },
  showConnect() {
    $('game').hidden = true;
    document.body.classList.remove('in-world');
    authPanel.show(true);
    $('focus-grid-button').disabled = true;
    sidePanel.reset();
  },
};

let lifecycle = null;
const game = new Game({
  canvas,
  renderer,
  announcer,
  audio,
  settings,
  ui: sidePanel,
  send: (packet) => lifecycle.socket.send(packet),
  onDisconnectRequest: () => lifecycle.disconnect(),
});
game.menuPanel = new MenuPanel(document); // the visible copy of the open item or admin menu
// Voice, radios, emit loops, item sounds and the piano; ICE over loopback needs no STUN in tests.
game.sound = new SoundWorld({
  game, audio, settings, send: (packet) => lifecycle.socket.send(packet), ...(isTestMode() ? { iceServers: [] } : {}),
});
const branding = new Branding(document);
lifecycle = new Lifecycle({
  announcer, authPanel, game, settings, audio, page, versions: VERSIONS, branding,
});
const audioSetup = new AudioSetup(document, settings, audio);

$('auth-form').addEventListener('submit', (event) => {
  event.preventDefault();
  lifecycle.connect();
});
$('logout-button').addEventListener('click', () => lifecycle.logout());
$('logout-game-button').addEventListener('click', () => lifecycle.logout());
$('disconnect-button').addEventListener('click', () => lifecycle.disconnect());
$('focus-grid-button').addEventListener('click', () => canvas.focus());
$('audio-setup-button').addEventListener('click', (event) => audioSetup.open(event.currentTarget));

canvas.addEventListener('keydown', (event) => {
  if (game.keydown(event)) {
    event.preventDefault();
    event.stopPropagation();
  }
});
canvas.addEventListener('keyup', (event) => game.keyup(event));
canvas.addEventListener('blur', () => game.blur());
canvas.addEventListener('focus', () => {
  if (!joining) game.focused();
});
document.addEventListener('paste', (event) => {
  if (document.activeElement !== canvas) return;
  const text = event.clipboardData?.getData('text/plain') ?? '';
  if (game.paste(text)) event.preventDefault();
});

$('client-version').textContent = footerVersion(VERSIONS);
const updated = new URLSearchParams(globalThis.location.search).has('v');
announcer.connection(updated ? 'Client updated, please reconnect.' : DEFAULT_WELCOME_MESSAGE);
authPanel.focusStart();

// The grid's own name and welcome (upstream-0.1.md §3): the welcome replaces the default
// one on the status line, so it is shown and announced before login.
fetchBranding().then((found) => {
  if (!found) return;
  const changed = branding.apply(found);
  game.gridName = branding.gridName;
  if (changed && !updated && lifecycle.phase === 'idle' && !lifecycle.inWorld && !lifecycle.reconnect) {
    announcer.connection(branding.welcomeMessage);
  }
});

// Back from the background (mobile browsers drop sockets there) or back online: reconnect
// at once instead of waiting out the backoff, or check a live connection straight away.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') lifecycle.wake();
});
globalThis.addEventListener('online', () => lifecycle.wake());

// A remembered login whose cookie is gone or expired shows the forms straight away.
if (settings.authUsername) {
  checkSessionCookie().then((verdict) => {
    if (verdict !== 'invalid' || lifecycle.phase !== 'idle' || !settings.authUsername) return;
    settings.authUsername = '';
    authPanel.refresh();
    announcer.connection('Your saved login has expired. Please log in again.');
    authPanel.focusStart();
  });
}

const helpPanel = new HelpPanel(document);
fetchJson('help.json').then((doc) => {
  game.helpLines = helpLines(doc);
  renderHelpSection($('help-content'), doc);
  helpPanel.available(helpLines(doc).length > 0);
});
fetchJson('changelog.json').then((doc) => renderChangelog($('changelog'), doc));

// A handle for debugging in the console and for the browser tests.
globalThis.chgrid = { game, lifecycle, settings };
installTestHook(globalThis, { game, audio, sound: game.sound }); // only with ?test=1
