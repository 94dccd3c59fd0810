// Settings kept in the browser's localStorage (client.md §9): reading with defaults and
// range checks, writing back, and removing the legacy token key.

export const KEYS = {
  layers: 'chatGridAudioLayers',
  masterVolume: 'chatGridMasterVolume',
  micInputGain: 'chatGridMicInputGain',
  effectLevels: 'chatGridEffectLevels',
  outputMode: 'chatGridAudioOutputMode',
  inputDeviceId: 'chatGridAudioInputDeviceId',
  inputDeviceName: 'chatGridAudioInputDeviceName',
  outputDeviceId: 'chatGridAudioOutputDeviceId',
  outputDeviceName: 'chatGridAudioOutputDeviceName',
  peerListenGains: 'chatGridPeerListenGains',
  authUsername: 'chatGridAuthUsername',
  authPolicy: 'chgridAuthPolicy',
  legacyToken: 'chatGridAuthSessionToken',
};

export const DEFAULT_POLICY = {
  usernameMinLength: 2, usernameMaxLength: 32, passwordMinLength: 8, passwordMaxLength: 32,
};

const LAYER_NAMES = ['voice', 'item', 'media', 'world'];

function clamp(value, min, max) {
  return Math.max(min, Math.min(max, value));
}

function readJson(storage, key) {
  try {
    const raw = storage.getItem(key);
    return raw === null ? undefined : JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Wraps a Storage (window.localStorage, or a Map-backed fake in tests). */
export class Settings {
  constructor(storage) {
    this.storage = storage;
    this.storage.removeItem(KEYS.legacyToken);
  }

  #number(key, fallback, min, max) {
    const value = Number(this.storage.getItem(key));
    return this.storage.getItem(key) !== null && Number.isFinite(value) ? clamp(value, min, max) : fallback;
  }

  get layers() {
    const stored = readJson(this.storage, KEYS.layers);
    const layers = {};
    for (const name of LAYER_NAMES) {
      layers[name] = stored && typeof stored[name] === 'boolean' ? stored[name] : true;
    }
    return layers;
  }

  setLayer(name, on) {
    const layers = { ...this.layers, [name]: Boolean(on) };
    this.storage.setItem(KEYS.layers, JSON.stringify(layers));
    return layers;
  }

  get masterVolume() {
    return this.#number(KEYS.masterVolume, 50, 0, 100);
  }

  set masterVolume(value) {
    this.storage.setItem(KEYS.masterVolume, String(clamp(Math.round(value), 0, 100)));
  }

  get micInputGain() {
    return this.#number(KEYS.micInputGain, 2, 0.5, 4);
  }

  set micInputGain(value) {
    this.storage.setItem(KEYS.micInputGain, String(clamp(value, 0.5, 4)));
  }

  get effectLevels() {
    const stored = readJson(this.storage, KEYS.effectLevels);
    return stored && typeof stored === 'object' && !Array.isArray(stored) ? stored : {};
  }

  effectLevel(effectId) {
    const value = Number(this.effectLevels[effectId]);
    return Number.isFinite(value) ? clamp(value, 0, 100) : 50;
  }

  setEffectLevel(effectId, value) {
    const levels = { ...this.effectLevels, [effectId]: clamp(value, 0, 100) };
    this.storage.setItem(KEYS.effectLevels, JSON.stringify(levels));
  }

  get outputMode() {
    return this.storage.getItem(KEYS.outputMode) === 'mono' ? 'mono' : 'stereo';
  }

  set outputMode(mode) {
    this.storage.setItem(KEYS.outputMode, mode === 'mono' ? 'mono' : 'stereo');
  }

  device(kind) {
    const id = this.storage.getItem(kind === 'input' ? KEYS.inputDeviceId : KEYS.outputDeviceId);
    const name = this.storage.getItem(kind === 'input' ? KEYS.inputDeviceName : KEYS.outputDeviceName);
    return id ? { id, name: name || '' } : null;
  }

  setDevice(kind, id, name) {
    const idKey = kind === 'input' ? KEYS.inputDeviceId : KEYS.outputDeviceId;
    const nameKey = kind === 'input' ? KEYS.inputDeviceName : KEYS.outputDeviceName;
    if (!id) {
      this.storage.removeItem(idKey);
      this.storage.removeItem(nameKey);
      return;
    }
    this.storage.setItem(idKey, id);
    this.storage.setItem(nameKey, name || '');
  }

  /** Listening volume of a peer by lower-cased nickname: 0.5–4, default 1. */
  peerListenGain(nickname) {
    const gains = readJson(this.storage, KEYS.peerListenGains) || {};
    const value = Number(gains[String(nickname).toLowerCase()]);
    return Number.isFinite(value) ? clamp(value, 0.5, 4) : 1;
  }

  setPeerListenGain(nickname, value) {
    const gains = readJson(this.storage, KEYS.peerListenGains) || {};
    const rounded = Math.round(clamp(value, 0.5, 4) * 100) / 100;
    gains[String(nickname).toLowerCase()] = rounded;
    this.storage.setItem(KEYS.peerListenGains, JSON.stringify(gains));
    return rounded;
  }

  get authUsername() {
    return this.storage.getItem(KEYS.authUsername) || '';
  }

  set authUsername(name) {
    if (name) this.storage.setItem(KEYS.authUsername, name);
    else this.storage.removeItem(KEYS.authUsername);
  }

  get authPolicy() {
    const stored = readJson(this.storage, KEYS.authPolicy);
    if (!stored || typeof stored !== 'object') return { ...DEFAULT_POLICY };
    const policy = { ...DEFAULT_POLICY };
    for (const key of Object.keys(DEFAULT_POLICY)) {
      if (Number.isInteger(stored[key]) && stored[key] > 0) policy[key] = stored[key];
    }
    return policy;
  }

  set authPolicy(policy) {
    this.storage.setItem(KEYS.authPolicy, JSON.stringify(policy));
  }
}
