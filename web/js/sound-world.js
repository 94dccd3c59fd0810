// Everything the player hears from the world beyond UI tones and own steps (client.md
// §4.4, §5, §6): the microphone and the voice mesh, radios, emit loops, item use sounds
// and clock announcements, the piano synth with remote notes and piano mode. The game
// hands it every in-world packet (after the world state took it), the lifecycle tells it
// when the world is entered, and the audio engine tells it when the listener moved, a
// layer or device changed, or the world was left.
import { Microphone } from './microphone.js';
import { VoiceMesh, DEFAULT_ICE_SERVERS } from './voice-mesh.js';
import { RadioManager } from './radio.js';
import { EmitManager } from './emit-loops.js';
import { ItemSounds } from './item-sounds.js';
import { PianoSynth } from './piano-synth.js';
import { PianoMode } from './piano-mode.js';
import { fetchJson, helpLines } from './help.js';
import { midiFrequency } from './piano-model.js';
import { emitRange } from './item-audio-params.js';

export class SoundWorld {
  /**
   * @param {{game: object, audio: object, settings: object, send: (packet) => void,
   *          iceServers?: object[]}} deps
   */
  constructor({ game, audio, settings, send, iceServers = DEFAULT_ICE_SERVERS }) {
    this.game = game;
    this.audio = audio;
    this.settings = settings;
    this.send = send;
    const loc = globalThis.location;
    // Where the page is, for the media-proxy decisions of sound-url.js.
    this.page = { protocol: loc?.protocol || 'http:', origin: loc?.origin || '', pathname: loc?.pathname || '/' };
    this.types = new Map(); // item type → uiDefinitions entry
    this.mic = new Microphone(audio, settings);
    this.mesh = new VoiceMesh({
      engine: audio, settings, state: game.state, send, mic: this.mic, iceServers,
    });
    this.mic.onTrackChange = () => this.mesh.sendTrackChanged();
    const deps = { engine: audio, state: game.state, types: this.types, page: this.page };
    this.radios = new RadioManager(deps);
    this.emits = new EmitManager(deps);
    this.itemSounds = new ItemSounds(audio, this.page);
    this.synth = new PianoSynth(audio);
    this.inWorld = false;
    this.voiceAllowed = true;
    this.calibrating = false;
    this.helpDoc = null;
    this.demoDoc = null;
    audio.watch((kind, detail) => this.#audioEvent(kind, detail));
  }

  /** After welcome: item types, voice permission, sounds in range, microphone, then voice. */
  async enterWorld(welcome) {
    const { state } = this.game;
    this.inWorld = true;
    this.types.clear();
    for (const entry of welcome?.uiDefinitions?.itemTypes || []) this.types.set(entry.type, entry);
    this.voiceAllowed = state.hasPermission('voice.send');
    this.mic.setSendAllowed(this.voiceAllowed);
    this.mic.setGain(this.settings.micInputGain);
    this.#refreshItems();
    const problem = await this.mic.open();
    if (!this.inWorld || state.selfId !== welcome?.id) return;
    if (problem) this.game.say(problem);
    this.mesh.start();
  }

  leaveWorld() {
    this.inWorld = false;
    this.mesh.stop();
    this.mic.close();
    this.radios.stopAll();
    this.emits.stopAll();
    this.itemSounds.stopAll();
    this.synth.stopAll();
  }

  #audioEvent(kind, detail) {
    if (kind === 'leave') {
      this.leaveWorld();
      return;
    }
    if (!this.inWorld) return;
    switch (kind) {
      case 'listener':
        this.mesh.evaluateAll();
        this.#refreshItems();
        break;
      case 'layers':
        this.#refreshItems();
        if (!this.settings.layers.item) this.synth.stopAll();
        if (!this.settings.layers.world) this.itemSounds.stopAll();
        break;
      case 'peerGain':
        this.mesh.peerGainChanged(detail);
        break;
      case 'input':
        this.mic.open().then((problem) => { if (problem && this.inWorld) this.game.say(problem); });
        break;
      default:
        break;
    }
  }

  #refreshItems() {
    this.radios.refresh();
    this.emits.refresh();
  }

  /** The piano mode open for `itemId` (possibly under its help viewer), or null. */
  pianoMode(itemId = null) {
    return this.game.modes.find((mode) => mode instanceof PianoMode && (!itemId || mode.itemId === itemId)) || null;
  }

  /** Every in-world packet, after world-packets.js applied it. */
  handlePacket(p) {
    if (!this.inWorld) return false;
    switch (p.type) {
      case 'signal': this.mesh.handleSignal(p); return true;
      case 'update_position':
      case 'teleport_complete':
        if (p.id !== this.game.state.selfId) this.mesh.evaluate(p.id);
        return true;
      case 'update_nickname': this.mesh.peerGainChanged(p.id); return true;
      case 'user_left':
        this.mesh.peerLeft(p.id);
        this.synth.releaseWhere((key) => key.startsWith(`${p.id}:`));
        return true;
      case 'auth_permissions': this.#permissions(); return true;
      case 'item_upsert':
      case 'item_remove': this.#itemChanged(p.item?.id ?? p.itemId, p.type === 'item_remove'); return true;
      case 'item_use_sound': this.itemSounds.useSound(p); return true;
      case 'item_clock_announce': this.itemSounds.clockAnnounce(p); return true;
      case 'item_piano_note': this.#remoteNote(p); return true;
      case 'item_piano_status': this.#pianoStatus(p); return true;
      default: return false;
    }
  }

  #permissions() {
    const allowed = this.game.state.hasPermission('voice.send');
    if (allowed === this.voiceAllowed) return;
    this.voiceAllowed = allowed;
    this.mic.setSendAllowed(allowed);
    this.game.say(allowed ? 'Voice send permission granted.' : 'Voice send permission revoked.');
  }

  #itemChanged(itemId, removed) {
    this.#refreshItems();
    const mode = this.pianoMode(itemId);
    if (!mode) return;
    const item = this.game.state.items.get(itemId);
    const reachable = item && (item.carrierId ? item.carrierId === this.game.state.selfId
      : item.x === this.game.state.self.x && item.y === this.game.state.self.y);
    if (removed || !item || !reachable) {
      // The piano is gone or out of reach: close piano mode and anything opened over it.
      while (this.game.mode && this.game.mode !== mode) this.game.popMode(this.game.mode);
      mode.stop();
    } else mode.itemChanged();
  }

  #remoteNote(p) {
    if (!this.settings.layers.item) return;
    const prefix = `${p.senderId}:${p.itemId}:`;
    const key = `${prefix}${p.keyId}`;
    if (!p.on) {
      this.synth.noteOff(key);
      return;
    }
    if (p.voiceMode === 'mono') this.synth.releaseWhere((k) => k.startsWith(prefix) && k !== key);
    this.synth.noteOn(key, {
      midi: p.midi,
      instrument: p.instrument,
      attack: p.attack,
      decay: p.decay,
      release: p.release,
      brightness: p.brightness,
      at: { x: p.x, y: p.y },
      range: p.emitRange,
      source: p.senderId.startsWith('item:') ? 'playback' : 'remote',
      senderId: p.senderId,
      itemId: p.itemId,
    });
  }

  #pianoStatus(p) {
    if (p.event === 'use_mode_entered') {
      if (this.pianoMode(p.itemId)) return;
      const mode = new PianoMode(this.game, this, p.itemId);
      mode.status(p);
      this.game.pushMode(mode);
      return;
    }
    this.pianoMode(p.itemId)?.status(p);
  }

  /** A piano result spoken by piano mode (blip/cancel) instead of the usual tones. */
  pianoActionResult(p) {
    const mode = this.pianoMode(p.itemId ?? null);
    return Boolean(mode?.actionResult(p));
  }

  /** A successful use of an item without a use sound (and not a piano): the locate tone at it (§5.8). */
  useResultTone(p) {
    if (!p.ok || p.action !== 'use' || !p.itemId) return;
    const item = this.game.state.items.get(p.itemId);
    if (!item || item.type === 'piano') return;
    const own = item.params && Object.prototype.hasOwnProperty.call(item.params, 'useSound') ? item.params.useSound : item.useSound;
    if (String(own ?? '').trim() && !/^(none|off)$/i.test(String(own).trim())) return;
    this.audio.tone('locate', { at: item });
  }

  /** The server's instrument options of the piano (uiDefinitions), or null. */
  instrumentOptions() {
    return this.types.get('piano')?.propertyMetadata?.instrument?.options || null;
  }

  async pianoHelp() {
    if (!this.helpDoc) this.helpDoc = await fetchJson('piano.json');
    return helpLines(this.helpDoc);
  }

  async pianoDemo() {
    if (!this.demoDoc) this.demoDoc = await fetchJson('piano_demo.json');
    return this.demoDoc;
  }

  /** A short preview note of a piano's current sound (C4 shifted by its octave), for the property editor. */
  previewPiano(item) {
    if (!item || item.type !== 'piano') return;
    const p = item.params || {};
    const midi = Math.max(0, Math.min(127, 60 + 12 * (Number(p.octave) || 0)));
    const key = `preview:${item.id}`;
    this.synth.noteOn(key, {
      midi, instrument: p.instrument, attack: p.attack, decay: p.decay, release: p.release, brightness: p.brightness,
      at: item, range: emitRange(item, this.types), source: 'preview', itemId: item.id,
    });
    setTimeout(() => this.synth.noteOff(key), 400);
    return midiFrequency(midi);
  }
}
