// Piano songs in the recording format of items.md §10.3 ({meta, keys, states, events}),
// used by the demo songs of piano_demo.json: decoding into timed note events, picking the
// piano's song, and a player that replays them on timers (injectable for tests).

const STATE_FIELDS = ['instrument', 'voiceMode', 'attack', 'decay', 'release', 'brightness', 'emitRange'];
const META_DEFAULTS = {
  instrument: 'piano', voiceMode: 'poly', attack: 15, decay: 45, release: 35, brightness: 55, emitRange: 15,
};

/** Timed events [{t, keyId, midi, on, state}] sorted by time; malformed entries are skipped. */
export function decodeSong(song) {
  if (!song || typeof song !== 'object') return [];
  const meta = { ...META_DEFAULTS, ...(song.meta || {}) };
  const keys = Array.isArray(song.keys) ? song.keys : [];
  const states = (Array.isArray(song.states) ? song.states : []).map((tuple) => {
    const state = {};
    STATE_FIELDS.forEach((field, i) => { state[field] = Array.isArray(tuple) && tuple[i] !== undefined ? tuple[i] : meta[field]; });
    return state;
  });
  const fallback = {};
  for (const field of STATE_FIELDS) fallback[field] = meta[field];
  const events = [];
  for (const entry of Array.isArray(song.events) ? song.events : []) {
    if (!Array.isArray(entry) || entry.length < 4) continue;
    const [t, keyIndex, midi, on, stateIndex] = entry;
    if (!Number.isFinite(t) || !Number.isInteger(midi) || midi < 0 || midi > 127) continue;
    const keyId = typeof keys[keyIndex] === 'string' ? keys[keyIndex] : `key${keyIndex}`;
    events.push({ t, keyId, midi, on: Boolean(on), state: states[stateIndex] || fallback });
  }
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i).map(({ e }) => e);
}

/** The demo song of a piano: params.songId if the demo file has it, else the default. */
export function demoSongFor(demoDoc, songId) {
  const songs = demoDoc?.songs || {};
  if (songId && songs[songId]) return songs[songId];
  return songs[demoDoc?.defaultSongId] || null;
}

/** Replays decoded events: `onEvent(event)` at each event's time; `stop()` ends it. */
export class SongPlayer {
  constructor({ setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (id) => clearTimeout(id) } = {}) {
    this.setTimer = setTimer;
    this.clearTimer = clearTimer;
    this.timers = [];
    this.sounding = new Map();
    this.onStop = null;
  }

  get playing() {
    return this.timers.length > 0;
  }

  play(events, onEvent, onEnd = () => {}) {
    this.stop();
    if (!events.length) return;
    const last = events[events.length - 1].t;
    for (const event of events) {
      this.timers.push(this.setTimer(() => {
        if (event.on) this.sounding.set(event.keyId, event);
        else this.sounding.delete(event.keyId);
        onEvent(event);
      }, event.t));
    }
    this.onStop = onEvent;
    this.timers.push(this.setTimer(() => {
      this.timers = [];
      this.#silence();
      onEnd();
    }, last + 1));
  }

  #silence() {
    const notify = this.onStop;
    for (const event of this.sounding.values()) notify?.({ ...event, on: false });
    this.sounding.clear();
    this.onStop = null;
  }

  /** Stop at once; keys still sounding get their note-off. */
  stop() {
    for (const timer of this.timers) this.clearTimer(timer);
    this.timers = [];
    this.#silence();
  }
}
