// The browser tests' window into the audio graph: `window.__chgridTest`, installed only when
// the page was loaded with `?test=1` (never otherwise). Every method returns plain data
// (numbers, strings, arrays, objects), so tests check what the client set up instead of
// listening to it. Test mode also records every sample URL requested and every UI tone.

/** Whether this page load is in test mode. */
export function isTestMode(loc = globalThis.location) {
  try {
    return new URLSearchParams(loc?.search || '').get('test') === '1';
  } catch {
    return false;
  }
}

export function installTestHook(win, { game, audio, sound }) {
  if (!isTestMode(win.location)) return null;
  audio.probe = { samples: [], tones: [] };
  const hook = {
    /** Ids of the peers with a live RTCPeerConnection. */
    connectedPeers: () => [...sound.mesh.conns.keys()],
    peerId: (nickname) => [...game.state.peers.values()].find((p) => p.nickname === nickname)?.id ?? null,
    /** 'none' when there is no connection, else the RTCPeerConnection's connectionState. */
    peerConnectionState: (id) => sound.mesh.connectionState(id),
    /** Gain and pan applied to a peer's voice (null until its audio arrived). */
    peerGain: (id) => sound.mesh.mix(id)?.gain ?? null,
    peerPan: (id) => sound.mesh.mix(id)?.pan ?? null,
    peerStats: (id) => sound.mesh.stats(id),
    mic: () => sound.mic.state(),
    layerGains: () => Object.fromEntries(Object.entries(audio.buses).map(([k, bus]) => [k, bus.gain.value])),
    masterGain: () => audio.master?.gain.value ?? null,
    listener: () => ({ ...audio.listener }),
    contextState: () => audio.ctx?.state ?? 'none',
    /** Every sample URL requested, in order (clock announcements, use sounds, steps …). */
    requestedSamples: () => [...audio.probe.samples],
    tones: () => [...audio.probe.tones],
    clearRequests: () => {
      audio.probe.samples.length = 0;
      audio.probe.tones.length = 0;
    },
    /** Shared radio stream elements with the radios routed from each. */
    radioElements: () => sound.radios.describe(),
    /** Emit loop elements (clock ticking, widget sounds). */
    emitElements: () => sound.emits.describe(),
    /** Notes started on the synth: {key, midi, instrument, source, senderId, itemId, gain, pan}. */
    synthNotes: () => sound.synth.log.map((note) => ({ ...note })),
    soundingNotes: () => [...sound.synth.voices.keys()],
    mode: () => game.mode?.name ?? null,
    recordingState: () => sound.pianoMode()?.recordingState ?? null,
  };
  win.__chgridTest = hook;
  return hook;
}
