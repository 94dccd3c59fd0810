// Spatial voice between players (client.md §6), over the server's `signal` relay. Only
// peers within hearing range get a live RTCPeerConnection: a peer coming within range is
// connected, one moving a little beyond it is released (range-rules.js), so a crowded grid
// never builds a full mesh. Both sides agree that the smaller client id offers; the other
// side answers offers from peers in range (a new session id in an offer means the offerer
// started over, so the old connection is replaced). Every remote voice plays through a
// muted <audio> element (Chrome needs one to pull the stream) and a Web Audio source placed
// at the peer's tile on the voice layer.
import { distance, isOfferer, voiceInRange, VOICE_RELEASE_RANGE } from './range-rules.js';
import { SOURCE_KINDS } from './spatial-model.js';
import { mungeOpus, sessionId } from './sdp.js';

export const DEFAULT_ICE_SERVERS = [{ urls: 'stun:stun.l.google.com:19302' }];
const CONNECT_TIMEOUT_MS = 15000;
const DISCONNECTED_GRACE_MS = 5000;
const RETRY_MS = 2000;
const MAX_QUEUED_SIGNALS = 500;
const FAR_AWAY = { x: Infinity, y: Infinity };

export class VoiceMesh {
  /**
   * @param {{engine: object, settings: object, state: object, send: (packet) => void,
   *          mic: object, iceServers?: object[]}} deps
   */
  constructor({ engine, settings, state, send, mic, iceServers = DEFAULT_ICE_SERVERS }) {
    this.engine = engine;
    this.settings = settings;
    this.state = state;
    this.send = send;
    this.mic = mic;
    this.iceServers = iceServers;
    this.conns = new Map(); // peer id → connection record
    this.inRange = new Map(); // peer id → wanted (with hysteresis)
    this.chains = new Map(); // peer id → promise serialising its signals
    this.queue = [];
    this.ready = false;
    this.retryTimers = new Map();
  }

  get canSignal() {
    return this.mic.sendAllowed;
  }

  /** Negotiation may begin: take the queued signals, then connect every peer in range. */
  start() {
    this.ready = true;
    const queued = this.queue;
    this.queue = [];
    for (const packet of queued) this.handleSignal(packet);
    this.evaluateAll();
  }

  stop() {
    this.ready = false;
    this.queue = [];
    for (const id of [...this.conns.keys()]) this.release(id);
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    this.inRange.clear();
    this.chains.clear();
  }

  evaluateAll() {
    for (const id of this.state.peers.keys()) this.evaluate(id);
    for (const id of [...this.conns.keys()]) if (!this.state.peers.has(id)) this.release(id);
  }

  /** Connect or release one peer by its distance (after it or we moved). */
  evaluate(id) {
    if (!this.ready) return;
    const peer = this.state.peers.get(id);
    if (!peer) {
      this.peerLeft(id);
      return;
    }
    const wanted = voiceInRange(this.inRange.get(id) || false, distance(this.state.self, peer));
    this.inRange.set(id, wanted);
    const conn = this.conns.get(id);
    if (!wanted) {
      if (conn) this.release(id);
      return;
    }
    conn?.remote?.node.update();
    if (!conn && this.canSignal && isOfferer(this.state.selfId, id) && !this.retryTimers.has(id)) this.#offer(id);
  }

  peerLeft(id) {
    this.release(id);
    this.inRange.delete(id);
    clearTimeout(this.retryTimers.get(id));
    this.retryTimers.delete(id);
  }

  /** The listening volume of a peer changed. */
  peerGainChanged(id) {
    this.conns.get(id)?.remote?.node.update();
  }

  /** voice.send changed: every connection sends the microphone track or nothing. */
  sendTrackChanged() {
    for (const conn of this.conns.values()) this.#applySendTrack(conn);
    if (this.canSignal) this.evaluateAll();
  }

  #applySendTrack(conn) {
    const track = this.mic.sendTrack;
    for (const transceiver of conn.pc.getTransceivers()) {
      if (transceiver.currentDirection === 'stopped' || transceiver.direction === 'stopped') continue;
      transceiver.sender.replaceTrack(track).catch(() => {});
    }
  }

  /** A `signal` packet from the server. */
  handleSignal(packet) {
    if (packet.senderId === this.state.selfId) return;
    if (!this.ready) {
      if (this.queue.length < MAX_QUEUED_SIGNALS) this.queue.push(packet);
      return;
    }
    const id = packet.senderId;
    const previous = this.chains.get(id) || Promise.resolve();
    const next = previous.then(() => this.#signal(packet)).catch((error) => {
      console.warn(`chgrid voice: signal from ${id} failed`, error);
    });
    this.chains.set(id, next);
  }

  async #signal(packet) {
    const { sdp, ice } = packet;
    if (sdp?.type === 'offer') await this.#answer(packet);
    else if (sdp?.type === 'answer') await this.#accept(packet);
    if (ice) await this.#addIce(packet.senderId, ice);
  }

  #create(id, role) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const conn = {
      id, pc, role, remoteSession: '', pendingIce: [], remote: null, timer: null,
    };
    this.conns.set(id, conn);
    pc.onicecandidate = (event) => {
      if (event.candidate && this.conns.get(id) === conn) {
        this.send({ type: 'signal', targetId: id, ice: event.candidate.toJSON() });
      }
    };
    pc.ontrack = (event) => this.#attachRemote(conn, event.streams[0] || new MediaStream([event.track]));
    pc.onconnectionstatechange = () => this.#stateChanged(conn);
    conn.timer = setTimeout(() => this.#stuck(conn), CONNECT_TIMEOUT_MS);
    return conn;
  }

  async #setLocal(conn, description) {
    const munged = { type: description.type, sdp: mungeOpus(description.sdp) };
    try {
      await conn.pc.setLocalDescription(munged);
    } catch {
      await conn.pc.setLocalDescription(description);
    }
    return munged;
  }

  async #offer(id) {
    const conn = this.#create(id, 'offerer');
    const stream = this.mic.outStream;
    conn.pc.addTransceiver(this.mic.sendTrack || 'audio', { direction: 'sendrecv', streams: stream ? [stream] : [] });
    try {
      const offer = await conn.pc.createOffer();
      if (this.conns.get(id) !== conn) return;
      const sdp = await this.#setLocal(conn, offer);
      if (this.conns.get(id) !== conn) return;
      this.send({ type: 'signal', targetId: id, sdp });
    } catch (error) {
      console.warn(`chgrid voice: offer to ${id} failed`, error);
      this.#retryLater(conn);
    }
  }

  async #answer(packet) {
    const id = packet.senderId;
    const peer = this.state.peers.get(id);
    if (!this.canSignal || !peer || distance(this.state.self, peer) > VOICE_RELEASE_RANGE) return;
    this.inRange.set(id, true);
    const session = sessionId(packet.sdp.sdp);
    let conn = this.conns.get(id);
    if (conn && conn.remoteSession && conn.remoteSession !== session) {
      this.release(id);
      conn = null;
    }
    if (conn && conn.pc.signalingState === 'have-local-offer') {
      if (isOfferer(this.state.selfId, id)) return; // both offered: ours stands
      await conn.pc.setLocalDescription({ type: 'rollback' });
    }
    if (!conn) conn = this.#create(id, 'answerer');
    await conn.pc.setRemoteDescription(packet.sdp);
    conn.remoteSession = session;
    const stream = this.mic.outStream;
    for (const transceiver of conn.pc.getTransceivers()) {
      if (transceiver.receiver.track?.kind !== 'audio' || transceiver.direction === 'stopped') continue;
      transceiver.direction = 'sendrecv';
      if (stream) transceiver.sender.setStreams?.(stream);
    }
    this.#applySendTrack(conn);
    await this.#flushIce(conn);
    const answer = await conn.pc.createAnswer();
    const sdp = await this.#setLocal(conn, answer);
    if (this.conns.get(id) === conn) this.send({ type: 'signal', targetId: id, sdp });
  }

  async #accept(packet) {
    const conn = this.conns.get(packet.senderId);
    if (!conn || conn.pc.signalingState !== 'have-local-offer') return;
    await conn.pc.setRemoteDescription(packet.sdp);
    conn.remoteSession = sessionId(packet.sdp.sdp);
    await this.#flushIce(conn);
  }

  async #addIce(id, ice) {
    const conn = this.conns.get(id);
    if (!conn) return;
    if (!conn.pc.remoteDescription) {
      conn.pendingIce.push(ice);
      return;
    }
    await conn.pc.addIceCandidate(ice).catch(() => {});
  }

  async #flushIce(conn) {
    const pending = conn.pendingIce;
    conn.pendingIce = [];
    for (const ice of pending) await conn.pc.addIceCandidate(ice).catch(() => {});
  }

  #attachRemote(conn, stream) {
    if (conn.remote || this.conns.get(conn.id) !== conn || !this.engine.ctx) return;
    const element = new Audio();
    element.muted = true;
    element.srcObject = stream;
    element.play().catch(() => {});
    const source = this.engine.ctx.createMediaStreamSource(stream);
    const node = this.engine.placed({
      layer: 'voice',
      where: () => this.state.peers.get(conn.id) || FAR_AWAY,
      model: () => ({ ...SOURCE_KINDS.voice, baseGain: this.listenGain(conn.id) }),
    });
    source.connect(node.input);
    conn.remote = { element, source, node };
  }

  /** The user's listening volume for a peer (by nickname, 0.5–4). */
  listenGain(id) {
    const peer = this.state.peers.get(id);
    return peer ? this.settings.peerListenGain(peer.nickname) : 1;
  }

  #stateChanged(conn) {
    if (this.conns.get(conn.id) !== conn) return;
    const state = conn.pc.connectionState;
    clearTimeout(conn.timer);
    conn.timer = null;
    if (state === 'connected') return;
    if (state === 'failed' || state === 'closed') this.#stuck(conn);
    else if (state === 'disconnected') conn.timer = setTimeout(() => this.#stuck(conn), DISCONNECTED_GRACE_MS);
    else conn.timer = setTimeout(() => this.#stuck(conn), CONNECT_TIMEOUT_MS);
  }

  /** A connection that did not come up (or went down): drop it; the offerer tries again. */
  #stuck(conn) {
    if (this.conns.get(conn.id) !== conn || conn.pc.connectionState === 'connected') return;
    this.#retryLater(conn);
  }

  #retryLater(conn) {
    if (this.conns.get(conn.id) === conn) this.release(conn.id);
    if (conn.role !== 'offerer' || this.retryTimers.has(conn.id)) return;
    this.retryTimers.set(conn.id, setTimeout(() => {
      this.retryTimers.delete(conn.id);
      this.evaluate(conn.id);
    }, RETRY_MS));
  }

  release(id) {
    const conn = this.conns.get(id);
    if (!conn) return;
    this.conns.delete(id);
    clearTimeout(conn.timer);
    if (conn.remote) {
      conn.remote.source.disconnect();
      conn.remote.node.dispose();
      conn.remote.element.srcObject = null;
    }
    conn.pc.onicecandidate = null;
    conn.pc.ontrack = null;
    conn.pc.onconnectionstatechange = null;
    conn.pc.close();
  }

  // --- what the test hook reads ------------------------------------------------------

  connectionState(id) {
    return this.conns.get(id)?.pc.connectionState ?? 'none';
  }

  mix(id) {
    return this.conns.get(id)?.remote?.node.mix ?? null;
  }

  /** RTP byte counts and received audio energy of a peer's connection. */
  async stats(id) {
    const conn = this.conns.get(id);
    if (!conn) return null;
    const totals = {
      bytesReceived: 0, packetsReceived: 0, totalAudioEnergy: 0, bytesSent: 0, packetsSent: 0,
    };
    const report = await conn.pc.getStats();
    report.forEach((entry) => {
      if (entry.kind !== 'audio' && entry.mediaType !== 'audio') return;
      if (entry.type === 'inbound-rtp') {
        totals.bytesReceived += entry.bytesReceived || 0;
        totals.packetsReceived += entry.packetsReceived || 0;
        totals.totalAudioEnergy += entry.totalAudioEnergy || 0;
      } else if (entry.type === 'outbound-rtp') {
        totals.bytesSent += entry.bytesSent || 0;
        totals.packetsSent += entry.packetsSent || 0;
      }
    });
    return totals;
  }
}
