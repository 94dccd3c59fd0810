// Changing item properties by metadata (client.md §4.3): number steps snapped to the
// step and clamped to the range, list options cycled with wrap-around, and the local
// check of a typed value before it is sent. The checks are a convenience; the server
// validates again and its message is what the player hears when it refuses. Pure.
import { onOffValue } from './item-schema.js';
import { decimalsOf, propertyLabel } from './property-format.js';

function stepOf(range) {
  const step = range?.step;
  return typeof step === 'number' && step > 0 ? step : 1;
}

function clamp(value, range) {
  let result = value;
  if (typeof range?.min === 'number') result = Math.max(range.min, result);
  if (typeof range?.max === 'number') result = Math.min(range.max, result);
  return result;
}

/** Snap a number to the range's step grid (counted from the minimum) and clamp it. */
export function snapToStep(value, range) {
  const step = stepOf(range);
  const base = typeof range?.min === 'number' ? range.min : 0;
  const snapped = base + Math.round((value - base) / step) * step;
  const decimals = decimalsOf(step) ?? 0;
  return clamp(Number(snapped.toFixed(decimals)), range);
}

/** The number `steps` steps away from `current` (a missing value starts at the minimum). */
export function stepNumber(current, range, steps) {
  const start = typeof current === 'number' && Number.isFinite(current)
    ? current
    : (typeof range?.min === 'number' ? range.min : 0);
  return snapToStep(start + steps * stepOf(range), range);
}

/** The option `delta` places from `current`, wrapping around; the first when unknown. */
export function cycleOption(options, current, delta) {
  if (!options?.length) return null;
  const index = options.findIndex((option) => option.toLowerCase() === String(current ?? '').toLowerCase());
  if (index < 0) return options[0];
  const n = options.length;
  return options[(((index + delta) % n) + n) % n];
}

/** How far PageUp/PageDown move through a list's options: min(10, options − 1). */
export function optionPage(options) {
  return Math.max(1, Math.min(10, (options?.length || 1) - 1));
}

/**
 * Check a typed value for `key` against its metadata.
 * @returns {{ok: true, value: any, patch: object} | {ok: false, error: string}}
 *   `patch` is the item_update body: {title} or {params: {key: value}}.
 */
export function validateInput(key, text, meta = {}) {
  const label = propertyLabel(key, meta);
  const raw = String(text ?? '');
  const limit = meta.maxLength;
  if (key === 'title') {
    const title = raw.trim();
    if (!title) return { ok: false, error: 'Value is required.' };
    if (limit && [...title].length > limit) return { ok: false, error: `${label} must be ${limit} characters or less.` };
    return { ok: true, value: title, patch: { title } };
  }
  const ok = (value) => ({ ok: true, value, patch: { params: { [key]: value } } });
  switch (meta.valueType) {
    case 'boolean': {
      const value = onOffValue(raw);
      return value === null ? { ok: false, error: `${key} must be on or off.` } : ok(value);
    }
    case 'number': {
      const trimmed = raw.trim();
      const value = trimmed === '' ? NaN : Number(trimmed);
      if (!Number.isFinite(value)) return { ok: false, error: `${label} must be a number.` };
      const { range } = meta;
      if (range && (value < range.min || value > range.max)) {
        return { ok: false, error: `${label} must be between ${range.min} and ${range.max}.` };
      }
      return ok(range ? snapToStep(value, range) : value);
    }
    case 'list': {
      const options = meta.options || [];
      const match = options.find((option) => option.toLowerCase() === raw.trim().toLowerCase());
      return match === undefined ? { ok: false, error: `${label} must be one of: ${options.join(', ')}.` } : ok(match);
    }
    default:
      if (limit && [...raw].length > limit) return { ok: false, error: `${label} must be ${limit} characters or less.` };
      return ok(raw);
  }
}
