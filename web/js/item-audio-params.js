// What an item's parameters mean for its sound (client.md §5.2–5.5, items.md §6.2, §10):
// whether it is on, its emit range, its directional facing, its radio or emit source and
// volume. `types` maps a type id to its uiDefinitions entry (for globalProperties). Pure.
import { volumeGain } from './spatial-model.js';

const DEFAULT_RANGES = { radio_station: 10, clock: 10, piano: 15 };

export function globalsOf(item, types) {
  return types?.get?.(item.type)?.globalProperties || {};
}

/** A missing `enabled` reads as on; only an explicit false (or "off") is off. */
export function itemEnabled(item) {
  const value = item.params?.enabled;
  if (value === false) return false;
  if (typeof value === 'string') return !/^(off|false|0|no)$/i.test(value.trim());
  return true;
}

/** params.emitRange when a positive number, else the type's, else 15. */
export function emitRange(item, types) {
  const own = Number(item.params?.emitRange);
  if (Number.isFinite(own) && own > 0) return own;
  const global = Number(globalsOf(item, types).emitRange);
  if (Number.isFinite(global) && global > 0) return global;
  return DEFAULT_RANGES[item.type] ?? 15;
}

/** The facing of a directional item (radio by default, widget when `directional`), else null. */
export function directionalFacing(item, types) {
  const own = item.params?.directional;
  const directional = typeof own === 'boolean' ? own : (typeof own === 'string'
    ? /^(on|true|1|yes)$/i.test(own.trim())
    : Boolean(globalsOf(item, types).directional ?? item.type === 'radio_station'));
  if (!directional) return null;
  const facing = Number(item.params?.facing);
  return Number.isFinite(facing) ? facing : 0;
}

/** The looping emit sound string: params.emitSound when the key exists, else the item's. */
export function emitSoundOf(item) {
  if (item.params && Object.prototype.hasOwnProperty.call(item.params, 'emitSound')) return item.params.emitSound;
  return item.emitSound || '';
}

export function radioSettings(item) {
  const p = item.params || {};
  return {
    streamUrl: String(p.streamUrl ?? '').trim(),
    baseGain: volumeGain(p.mediaVolume, 50),
    channel: ['stereo', 'mono', 'left', 'right'].includes(String(p.mediaChannel).toLowerCase())
      ? String(p.mediaChannel).toLowerCase() : 'stereo',
    effect: p.mediaEffect ?? 'off',
    effectValue: p.mediaEffectValue ?? 50,
  };
}

export function emitSettings(item) {
  const p = item.params || {};
  return {
    baseGain: volumeGain(p.emitVolume, 100),
    speed: p.emitSoundSpeed ?? 50,
    tempo: p.emitSoundTempo ?? 50,
    initialDelay: p.emitInitialDelay ?? 0,
    loopDelay: p.emitLoopDelay ?? 0,
    effect: p.emitEffect ?? 'off',
    effectValue: p.emitEffectValue ?? 50,
  };
}
