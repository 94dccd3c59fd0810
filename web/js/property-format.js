// How item properties read in the property list (client.md §4.3): a key's label, its
// value as spoken (server `display` text first, then by value type), and the Space
// line with the tooltip, type, range or options, length and editability. Pure.
import { metadataOf, onOffValue, paramOrGlobal } from './item-schema.js';

/** Metadata label, else the key split at camelCase and underscores, lower-cased. */
export function propertyLabel(key, meta = {}) {
  if (meta.label) return meta.label;
  return key
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Decimal places of a range step (0.1 → 1, 1 → 0); null without a step. */
export function decimalsOf(step) {
  if (typeof step !== 'number' || !Number.isFinite(step)) return null;
  const text = String(step);
  if (text.includes('e-')) return Number(text.split('e-')[1]);
  return (text.split('.')[1] || '').length;
}

/** A number rounded to the step's decimals, without trailing zeros. */
export function formatNumber(value, step) {
  const decimals = decimalsOf(step);
  if (decimals === null) return String(value);
  return String(Number(Number(value).toFixed(decimals)));
}

/** The file name of a sound reference, or "none" (items.md §2). */
export function soundName(value) {
  const text = String(value ?? '').trim();
  if (!text || ['none', 'off'].includes(text.toLowerCase())) return 'none';
  const bare = text.split('#')[0].split('?')[0];
  const segments = bare.split('/');
  return segments[segments.length - 1] || 'none';
}

function plainText(raw) {
  if (raw === undefined || raw === null) return '';
  if (typeof raw === 'boolean') return raw ? 'on' : 'off';
  if (Array.isArray(raw)) return raw.join(', ');
  if (typeof raw === 'object') return JSON.stringify(raw);
  return String(raw);
}

/** The raw value of a key for editing and stepping: title, a param or a global, or an item field. */
export function rawValue(item, def, key) {
  if (key === 'title') return item.title;
  const value = paramOrGlobal(item, def, key);
  if (value !== undefined) return value;
  return Object.prototype.hasOwnProperty.call(item, key) ? item[key] : undefined;
}

/** The value of a key as spoken; '' when it has none. */
export function propertyValue(item, def, key) {
  if (key === 'title') return item.title;
  const display = item.display || {};
  if (typeof display[key] === 'string') return display[key];
  const meta = metadataOf(def, key);
  const raw = rawValue(item, def, key);
  switch (meta.valueType) {
    case 'boolean': {
      if (raw === undefined && key === 'enabled') return 'on';
      return onOffValue(raw) ? 'on' : 'off';
    }
    case 'sound':
      return soundName(raw);
    case 'number':
      return typeof raw === 'number' && Number.isFinite(raw) ? formatNumber(raw, meta.range?.step) : plainText(raw);
    default:
      return plainText(raw);
  }
}

/** "{label}: {value}" ("blank" for an empty value). */
export function propertyLine(item, def, key) {
  const value = propertyValue(item, def, key);
  return `${propertyLabel(key, metadataOf(def, key))}: ${value === '' ? 'blank' : value}`;
}

function sentence(text) {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** What Space says about a key: tooltip, type, range or options, max length, editability. */
export function tooltipLine(meta = {}, editable = false) {
  const parts = [meta.tooltip ? sentence(meta.tooltip) : 'No tooltip available.'];
  if (meta.valueType) parts.push(`Type: ${meta.valueType}.`);
  if (meta.range) {
    const step = typeof meta.range.step === 'number' ? ` step ${meta.range.step}` : '';
    parts.push(`Range: ${meta.range.min} to ${meta.range.max}${step}.`);
  } else if (meta.options?.length) {
    parts.push(`Options: ${meta.options.join(', ')}.`);
  }
  if (meta.maxLength) parts.push(`Max length: ${meta.maxLength} characters.`);
  parts.push(editable ? 'Editable.' : 'Read only.');
  return parts.join(' ');
}
