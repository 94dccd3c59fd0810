// The spatial model of every world sound source (client.md §5.2–5.3): smoothstep distance
// attenuation, stereo pan, near field, and the directional cone of radios and widgets.
// Also the per-kind ranges and near fields of the §5.2 table. Pure.
import { smoothstep } from './spatial.js';

export const HEARING_RANGE = 20;
export const CONE_HALF_WIDTH = 60; // a 120° cone
export const CONE_REAR_GAIN = 0.4;
export const SMOOTHING_TIME_CONSTANT = 0.2 / 3; // seconds (exponential approach)

/** Near field and default range of each kind of source (client.md §5.2 table). */
export const SOURCE_KINDS = {
  voice: { range: HEARING_RANGE, nearField: 1.5, centreNear: false },
  radio: { range: 10, nearField: 1, centreNear: true },
  emit: { range: 15, nearField: 1, centreNear: true },
  oneShot: { range: HEARING_RANGE, nearField: 0, centreNear: false },
  piano: { range: 15, nearField: 0, centreNear: false },
  locate: { range: HEARING_RANGE, nearField: 0, centreNear: false },
};

function clamp(value, min, max) {
  return Math.max(min, Math.min(max, value));
}

/** A 0–100 volume control as a gain: smoothstep(v/100) (50 → 0.5, 100 → 1). */
export function volumeGain(percent, fallback = 100) {
  const value = Number.isFinite(Number(percent)) && percent !== null && percent !== '' ? Number(percent) : fallback;
  return smoothstep(clamp(value / 100, 0, 1));
}

/** Bearing from `from` to `to` in degrees: 0 = north (+y), 90 = east (+x), 0–360. */
export function bearingDegrees(from, to) {
  const deg = (Math.atan2(to.x - from.x, to.y - from.y) * 180) / Math.PI;
  return (deg + 360) % 360;
}

/** The smallest angle between two headings, 0–180. */
export function angleBetween(a, b) {
  const diff = Math.abs((((a - b) % 360) + 360) % 360);
  return diff > 180 ? 360 - diff : diff;
}

/** Range factor of a directional source facing `facing` heard at `listener` (§5.3). */
export function coneFactor(facing, source, listener) {
  if (source.x === listener.x && source.y === listener.y) return 1;
  const diff = angleBetween(Number(facing) || 0, bearingDegrees(source, listener));
  if (diff <= CONE_HALF_WIDTH) return 1;
  const t = clamp((diff - CONE_HALF_WIDTH) / 120, 0, 1);
  return 1 - smoothstep(t) * (1 - CONE_REAR_GAIN);
}

/**
 * Gain and pan of a source heard from the listener's tile.
 * @param {{x:number,y:number}} source
 * @param {{x:number,y:number}} listener
 * @param {{range?: number, baseGain?: number, nearField?: number, centreNear?: boolean,
 *          facing?: number|null, mono?: boolean}} options  facing set → directional cone
 * @returns {{gain: number, pan: number, distance: number}}
 */
export function sourceMix(source, listener, {
  range = HEARING_RANGE, baseGain = 1, nearField = 0, centreNear = false, facing = null, mono = false,
} = {}) {
  const dx = source.x - listener.x;
  const dy = source.y - listener.y;
  const distance = Math.hypot(dx, dy);
  const effective = facing === null || facing === undefined
    ? range
    : Math.max(0.01, range * coneFactor(facing, source, listener));
  let pan = range > 0 ? Math.sin((clamp(dx, -range, range) / range) * (Math.PI / 2)) : 0;
  let gain;
  if (distance < nearField) {
    gain = baseGain;
    if (centreNear) pan = 0;
  } else if (distance > effective) {
    gain = 0;
  } else {
    gain = baseGain * smoothstep(Math.max(0, 1 - distance / effective));
  }
  if (mono) pan = 0;
  return { gain, pan, distance };
}
