// Gain and stereo pan of a sound source heard from the listener's tile (client.md §5.2),
// used by the audio module. Pure.

export function smoothstep(r) {
  return r * r * (3 - 2 * r);
}

/**
 * @returns {{gain: number, pan: number}} gain 0 when out of range.
 */
export function spatialMix(source, listener, { range = 20, baseGain = 1, nearField = 0, centreNear = false, mono = false } = {}) {
  const dx = source.x - listener.x;
  const dy = source.y - listener.y;
  const d = Math.hypot(dx, dy);
  let pan = Math.sin((Math.max(-range, Math.min(range, dx)) / range) * (Math.PI / 2));
  let gain;
  if (d < nearField) {
    gain = baseGain;
    if (centreNear) pan = 0;
  } else if (d > range) {
    gain = 0;
  } else {
    gain = baseGain * smoothstep(Math.max(0, 1 - d / range));
  }
  if (mono) pan = 0;
  return { gain, pan };
}
