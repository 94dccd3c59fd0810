// The connection lifecycle (client.md §2, §7, §8; upstream-0.1.md §2.3, §3, §20): connect,
// authenticate (form or saved cookie), take the welcome, check the client revision and the
// instance, heartbeat, reconnect by itself with backoff (reconnect-policy.js), disconnect
// and log out. It decides what the pre-connect and in-world views show.
import { ServerSocket } from './socket.js';
import { Heartbeat } from './heartbeat.js';
import { out } from './packets.js';
import { clearSessionCookie, setSessionCookie } from './cookie-session.js';
import { backoffDelayMs } from './reconnect-policy.js';
import { brandingFrom } from './branding.js';
import { announcedVersion, reloadWanted } from './version-check.js';

const CONNECT_TIMEOUT_MS = 10000;
const WELCOME_TIMEOUT_MS = 8000;
const RECONNECT_WELCOME_TIMEOUT_MS = 4000;
const RELOAD_KEY = 'chgridReloadedForVersion';

export class Lifecycle {
  /**
   * @param {object} deps
   * @param {object} [deps.branding] Branding (branding.js), updated from auth_required and welcome
   * @param {object} [deps.versions] pageVersions() of version.js
   * @param {() => number} [deps.random] jitter source for the reconnect backoff
   */
  constructor({
    announcer, authPanel, game, settings, audio, page, versions = {}, branding = null, random = Math.random,
  }) {
    this.announcer = announcer;
    this.authPanel = authPanel;
    this.game = game;
    this.settings = settings;
    this.audio = audio;
    this.page = page;
    this.versions = versions;
    this.branding = branding;
    this.random = random;
    this.backoff = {}; // overrides of reconnect-policy.js BACKOFF (tests stretch it)
    this.socket = new ServerSocket({
      onOpen: () => this.#onOpen(),
      onPacket: (packet) => this.#onPacket(packet),
      onClose: (event) => this.#onClose(event),
    });
    this.heartbeat = new Heartbeat({
      sendPing: (id) => this.socket.send(out.ping(id)),
      onStale: () => this.#lost('Connection stale. Reconnecting...'),
    });
    game.heartbeat = this.heartbeat;
    this.phase = 'idle'; // idle | connecting | in_world
    this.inWorld = false;
    this.instanceId = null;
    this.reconnect = null; // {attempt, timer, failedOnce, offlineSaid} while trying to get back
    this.timers = {};
    this.cookiePending = Promise.resolve();
  }

  #status(text) {
    this.announcer.connection(text);
  }

  #clearTimers() {
    for (const timer of Object.values(this.timers)) clearTimeout(timer);
    this.timers = {};
  }

  /** Connect button (or a reconnect attempt). */
  connect({ reconnect = false } = {}) {
    if (!reconnect) {
      if (this.phase !== 'idle') return;
      this.#cancelReconnect();
      const credentials = this.authPanel.credentials();
      if (credentials?.error) {
        this.#status(credentials.error);
        return;
      }
      this.credentials = credentials;
      this.audio.unlock();
    } else {
      this.credentials = null;
    }
    this.phase = 'connecting';
    this.isReconnectAttempt = reconnect;
    this.opened = false;
    this.authPending = false;
    // A reconnect attempt is silent: the state was announced once when the connection was lost.
    if (!reconnect) this.#status('Connecting...');
    this.socket.open();
    this.timers.connect = setTimeout(() => this.#connectFailed('Connection timed out.'), CONNECT_TIMEOUT_MS);
    if (reconnect) this.timers.welcome = setTimeout(() => this.#attemptFailed(), RECONNECT_WELCOME_TIMEOUT_MS);
  }

  #startWelcomeTimer() {
    if (this.isReconnectAttempt || this.timers.welcome) return;
    this.timers.welcome = setTimeout(
      () => this.#connectFailed('Connect failed. Timed out waiting for server welcome.'),
      WELCOME_TIMEOUT_MS,
    );
  }

  #sendCredentials() {
    const c = this.credentials;
    this.socket.send(c.kind === 'register' ? out.register(c.username, c.password, c.email) : out.login(c.username, c.password));
    this.authPending = true;
    this.#status('Authenticating...');
    this.#startWelcomeTimer();
  }

  #onOpen() {
    clearTimeout(this.timers.connect);
    delete this.timers.connect;
    this.opened = true;
    if (this.credentials) this.#sendCredentials();
    else {
      if (!this.isReconnectAttempt) this.#status('Attempting saved session...');
      this.#startWelcomeTimer();
    }
  }

  #onPacket(packet) {
    switch (packet.type) {
      case 'auth_required': this.#authRequired(packet); break;
      case 'auth_result': this.#authResult(packet); break;
      case 'welcome': this.#welcome(packet); break;
      default:
        if (this.inWorld) this.game.handlePacket(packet);
    }
  }

  #applyPolicy(policy) {
    if (!policy) return;
    this.settings.authPolicy = policy;
    this.authPanel.applyPolicy(policy);
  }

  #authRequired(packet) {
    this.#applyBranding(packet);
    // A login already sent waits for its welcome (which carries the same check) so the
    // cookie is stored before the reload and the reloaded page is still logged in.
    if (!this.authPending && this.#maybeReload(packet, 'auth_required')) return;
    this.#applyPolicy(packet.authPolicy);
    this.game.state.permissions = [];
    if (this.inWorld || this.authPending) return;
    if (this.credentials) {
      this.#status('Authentication required.');
      this.#sendCredentials();
      return;
    }
    // Nothing to log in with: the saved session is gone.
    this.settings.authUsername = '';
    this.authPanel.refresh();
    this.#stop('Authentication required. Log in or register to join.');
  }

  #authResult(packet) {
    this.#applyPolicy(packet.authPolicy);
    if (!packet.ok) {
      if (this.inWorld) {
        // Ban notice or a gate reply while in the world: leave without reconnecting.
        if (/disabled/i.test(packet.message)) this.settings.authUsername = '';
        this.disconnect({ message: packet.message });
        this.authPanel.refresh();
        return;
      }
      this.authPending = false;
      this.authPanel.clearPasswords();
      if (/session/i.test(packet.message)) {
        clearSessionCookie();
        this.settings.authUsername = '';
        this.authPanel.refresh();
      }
      this.#stop(packet.message);
      return;
    }
    if (this.inWorld) return;
    this.authPending = false;
    this.authPanel.resetToLogin();
    if (packet.sessionToken) {
      this.cookiePending = setSessionCookie(packet.sessionToken).then((ok) => {
        if (!ok) this.game.say('Session save failed. You may need to log in again after refresh.');
      });
    }
    if (packet.username) this.settings.authUsername = packet.username;
    const { state } = this.game;
    if (packet.username) state.username = packet.username;
    if (packet.role) state.role = packet.role;
    if (packet.permissions) state.permissions = packet.permissions;
    if (packet.adminMenuActions) state.adminActions = packet.adminMenuActions;
    if (packet.nickname) state.self.nickname = packet.nickname;
    this.#status('Authenticated. Joining world...');
    this.#startWelcomeTimer();
  }

  #welcome(packet) {
    if (this.inWorld) {
      // The world moved to another server node and seated us again: take its snapshot.
      this.game.resync(packet);
      return;
    }
    this.#clearTimers();
    this.#applyBranding(packet.serverInfo);
    if (this.#maybeReload(packet.serverInfo, 'welcome')) return;
    const reconnected = this.isReconnectAttempt;
    const newInstance = packet.serverInfo?.instanceId || null;
    const restarted = reconnected && this.instanceId !== null && newInstance !== null && newInstance !== this.instanceId;
    if (newInstance) this.instanceId = newInstance;
    this.reconnect = null;
    this.phase = 'in_world';
    this.inWorld = true;
    this.announcer.inWorld = true;
    this.announcer.clearConnection();
    this.game.enter(packet);
    this.page.showGame();
    this.heartbeat.start();
    this.game.sendArrival();
    this.authPanel.refresh();
    this.game.sound?.enterWorld(packet); // microphone, then voice to the peers in range (client.md §6)
    if (!reconnected) this.audio.sample('logon');
    if (!packet.uiDefinitions) this.game.say('Item schema missing from server. Item menus unavailable.');
    if (restarted) {
      this.audio.tone('confirm');
      this.game.say('Server restarted.');
    }
    const shown = announcedVersion(packet.serverInfo);
    this.game.say(reconnected ? `Reconnected to server. Version ${shown}.` : `Connected to server. Version ${shown}.`);
  }

  #applyBranding(source) {
    const branding = brandingFrom(source);
    if (branding && this.branding) {
      this.branding.apply(branding);
      this.game.gridName = this.branding.gridName;
    }
  }

  /**
   * Reload once per tab for a client revision (or old-style version) the server asks for;
   * false when nothing is asked or this target was already tried (no reload loop even
   * when a cache keeps serving the old files).
   */
  #maybeReload(source, where) {
    const wanted = reloadWanted(source, this.versions, where);
    if (!wanted) return false;
    const { target, message } = wanted;
    let already = null;
    try {
      already = sessionStorage.getItem(RELOAD_KEY);
      sessionStorage.setItem(RELOAD_KEY, target);
    } catch { /* storage unavailable: reload anyway */ }
    if (already === target) {
      console.warn(`chgrid: the server asks for client ${target}; already reloaded once for it`);
      return false;
    }
    this.#clearTimers();
    this.#cancelReconnect();
    this.socket.close();
    this.phase = 'idle';
    this.#status(message);
    const version = target;
    const cookieStored = Promise.race([this.cookiePending, new Promise((resolve) => { setTimeout(resolve, 2000); })]);
    const minimumWait = new Promise((resolve) => { setTimeout(resolve, 50); });
    Promise.all([cookieStored, minimumWait]).then(() => {
      const url = new URL(globalThis.location.href);
      url.searchParams.set('v', version); // other query parameters (?test=1) are kept
      url.searchParams.set('t', String(Date.now()));
      globalThis.location.replace(url.toString());
    });
    return true;
  }

  #onClose() {
    this.#clearTimers();
    if (this.inWorld) {
      this.#lost('Disconnected from server. Reconnecting...');
      return;
    }
    if (this.isReconnectAttempt && this.reconnect) {
      this.#attemptFailed();
      return;
    }
    if (this.phase === 'connecting') {
      this.#stop(this.opened ? 'Disconnected.' : 'Connect failed. Signaling server may be offline or unreachable.');
    }
  }

  /** The connection died while in the world: say so once, leave locally and start reconnecting. */
  #lost(message) {
    this.game.say(message);
    this.socket.close();
    this.#leaveWorld();
    this.phase = 'idle';
    this.reconnect = {
      attempt: 0, timer: null, failedOnce: false, offlineSaid: false,
    };
    this.#scheduleAttempt();
  }

  /** Wait out the backoff for the next attempt; while the browser is offline, wait for `online`. */
  #scheduleAttempt() {
    const r = this.reconnect;
    clearTimeout(r.timer);
    r.timer = null;
    if (globalThis.navigator?.onLine === false) {
      if (!r.offlineSaid) {
        r.offlineSaid = true;
        this.#status('Network offline. Reconnecting when it is back.');
      }
      return;
    }
    r.timer = setTimeout(() => this.#attemptNow(), backoffDelayMs(r.attempt + 1, { ...this.backoff, random: this.random }));
  }

  /** Start the next attempt at once (backoff elapsed, page shown again, network back). */
  #attemptNow() {
    const r = this.reconnect;
    if (!r || this.phase !== 'idle') return;
    clearTimeout(r.timer);
    r.timer = null;
    r.attempt += 1;
    this.connect({ reconnect: true });
  }

  /**
   * The page became visible again or the network came back: while reconnecting, try now
   * instead of waiting out the backoff; while in the world, check the connection at once
   * (a mobile browser may have dropped the socket in the background without telling).
   */
  wake() {
    if (this.reconnect) {
      if (this.phase === 'idle') this.#attemptNow();
      return;
    }
    if (this.inWorld) this.heartbeat.probe();
  }

  #attemptFailed() {
    this.#clearTimers();
    this.socket.close();
    this.phase = 'idle';
    if (!this.reconnect.failedOnce) {
      // Said once; later failures stay quiet until something changes.
      this.reconnect.failedOnce = true;
      this.#status('Server not reachable yet. Still trying; press Connect to try now.');
      this.authPanel.focusStart();
    }
    this.#scheduleAttempt();
  }

  #connectFailed(message) {
    if (this.isReconnectAttempt && this.reconnect) {
      this.#attemptFailed();
      return;
    }
    this.#stop(message);
  }

  #cancelReconnect() {
    if (this.reconnect) clearTimeout(this.reconnect.timer);
    this.reconnect = null;
  }

  /** End a connection attempt that did not reach the world. */
  #stop(message) {
    this.#clearTimers();
    this.#cancelReconnect();
    this.socket.close();
    this.phase = 'idle';
    this.#status(message);
    this.authPanel.focusStart();
  }

  #leaveWorld() {
    this.heartbeat.stop();
    if (!this.inWorld) return false;
    this.inWorld = false;
    this.announcer.inWorld = false;
    this.game.leave();
    this.page.showConnect();
    return true;
  }

  /** Disconnect button, double Escape, or a refusal while in the world. */
  disconnect({ message = 'Disconnected.' } = {}) {
    this.#clearTimers();
    this.#cancelReconnect();
    this.socket.close();
    const wasInWorld = this.#leaveWorld();
    this.phase = 'idle';
    if (wasInWorld) this.audio.sample('logout');
    this.#status(message);
    this.authPanel.focusStart();
  }

  /** Log out button: forget the login everywhere, then disconnect. */
  logout() {
    this.settings.authUsername = '';
    clearSessionCookie().then((ok) => {
      if (!ok) this.announcer.connection('Session clear failed. Your browser may retain an old login cookie.');
    });
    this.game.state.permissions = [];
    if (this.socket.isOpen) this.socket.send(out.logout());
    this.disconnect({ message: 'Logged out.' });
    this.authPanel.resetToLogin(); // the login form, passwords empty
    this.authPanel.focusStart();
  }
}
