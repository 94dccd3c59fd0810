// SDP helpers for the voice mesh (client.md §6): the Opus parameters every description
// carries (stereo, 128 kbit/s, in-band FEC, no DTX) and the session id of a description,
// which tells a fresh connection's offer apart from a renegotiation. Pure.

const OPUS_PARAMS = [
  ['maxaveragebitrate', '128000'],
  ['stereo', '1'],
  ['sprop-stereo', '1'],
  ['useinbandfec', '1'],
  ['usedtx', '0'],
];

/** The payload types of Opus in an SDP text. */
function opusPayloads(sdp) {
  const payloads = new Set();
  for (const match of sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000(?:\/\d+)?\r?$/gim)) payloads.add(match[1]);
  return payloads;
}

/** Merge the Opus parameters into the fmtp line of every Opus payload (adding one if missing). */
export function mungeOpus(sdp) {
  if (typeof sdp !== 'string' || !sdp) return sdp;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const payloads = opusPayloads(sdp);
  if (!payloads.size) return sdp;
  const lines = sdp.split(/\r?\n/);
  const seen = new Set();
  const merged = lines.map((line) => {
    const match = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (!match || !payloads.has(match[1])) return line;
    seen.add(match[1]);
    const params = new Map();
    for (const part of match[2].split(';')) {
      const [key, ...rest] = part.trim().split('=');
      if (key) params.set(key, rest.join('='));
    }
    for (const [key, value] of OPUS_PARAMS) params.set(key, value);
    const text = [...params].map(([key, value]) => (value === '' ? key : `${key}=${value}`)).join(';');
    return `a=fmtp:${match[1]} ${text}`;
  });
  const out = [];
  for (const line of merged) {
    out.push(line);
    const rtpmap = /^a=rtpmap:(\d+) opus\//i.exec(line);
    if (rtpmap && !seen.has(rtpmap[1])) {
      out.push(`a=fmtp:${rtpmap[1]} ${OPUS_PARAMS.map(([k, v]) => `${k}=${v}`).join(';')}`);
      seen.add(rtpmap[1]);
    }
  }
  return out.join(eol);
}

/** The session id of the o= line, or '' when there is none. */
export function sessionId(sdp) {
  const match = /^o=\S+ (\S+) /m.exec(String(sdp ?? ''));
  return match ? match[1] : '';
}
