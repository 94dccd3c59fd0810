// Item type definitions from welcome.uiDefinitions (items.md §9): the add-item menu
// entries in the server's order, a type's property metadata, `visibleWhen`, and which
// property keys the editor (O) and the inspector (Shift+O) offer for an item
// (client.md §4.3). Pure functions; nothing here speaks or sends.

/** The definition of `type` in uiDefinitions, or null. */
export function typeDefinition(ui, type) {
  return (ui?.itemTypes || []).find((entry) => entry.type === type) || null;
}

/** Add-item menu entries {type, label, tooltip} in `itemTypeOrder` (else `itemTypes`) order. */
export function addMenuEntries(ui) {
  if (!ui) return [];
  const order = ui.itemTypeOrder?.length ? ui.itemTypeOrder : (ui.itemTypes || []).map((entry) => entry.type);
  const seen = new Set();
  const entries = [];
  for (const type of order) {
    if (seen.has(type)) continue;
    seen.add(type);
    const def = typeDefinition(ui, type);
    entries.push({ type, label: def?.label || type, tooltip: def?.tooltip || '' });
  }
  return entries;
}

/** Metadata of one property key ({} when the type has none). */
export function metadataOf(def, key) {
  return def?.propertyMetadata?.[key] || {};
}

/** A property's raw value: the item's params, falling back to the type's globalProperties. */
export function paramOrGlobal(item, def, key) {
  const params = item?.params || {};
  if (Object.prototype.hasOwnProperty.call(params, key)) return params[key];
  const globals = def?.globalProperties || {};
  if (Object.prototype.hasOwnProperty.call(globals, key)) return globals[key];
  return undefined;
}

/** true/false for the on/off spellings the server accepts (items.md §10.1), else null. */
export function onOffValue(value) {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(text)) return true;
  if (['off', 'false', '0', 'no'].includes(text)) return false;
  return null;
}

function sameValue(actual, expected) {
  if (typeof expected === 'boolean') return (onOffValue(actual) ?? false) === expected;
  if (typeof expected === 'number') return Number(actual) === expected;
  return String(actual ?? '').trim().toLowerCase() === String(expected).trim().toLowerCase();
}

/**
 * Whether every `visibleWhen` condition holds for the item: key → expected value, a string
 * starting with "!" meaning "not equal to the rest"; the key is read from the item's
 * params, falling back to the type's globalProperties.
 */
export function visibleWhenHolds(visibleWhen, item, def) {
  if (!visibleWhen) return true;
  return Object.entries(visibleWhen).every(([key, expected]) => {
    const actual = paramOrGlobal(item, def, key);
    if (typeof expected === 'string' && expected.startsWith('!')) return !sameValue(actual, expected.slice(1));
    return sameValue(actual, expected);
  });
}

export function isVisible(def, item, key) {
  return visibleWhenHolds(metadataOf(def, key).visibleWhen, item, def);
}

/** Whether the editor may change `key` (one of the type's editableProperties). */
export function isEditableKey(def, key) {
  return Boolean(def?.editableProperties?.includes(key));
}

/** The keys the property editor (O) lists: editableProperties filtered by visibleWhen. */
export function editorKeys(item, def) {
  const keys = def?.editableProperties?.length ? def.editableProperties : ['title'];
  return keys.filter((key) => isVisible(def, item, key));
}

const RECORD_KEYS = ['type', 'x', 'y', 'carrierId', 'version', 'createdBy', 'updatedBy', 'createdAt',
  'updatedAt', 'capabilities', 'useSound', 'emitSound'];
const RADIO_KEYS = ['stationName', 'nowPlaying'];

/**
 * The keys the inspector (Shift+O) lists: the editor keys, the record fields, the radio's
 * station keys, the item's other params and the type's global keys (both alphabetical),
 * all filtered by visibility, without duplicates.
 */
export function inspectorKeys(item, def) {
  const keys = [
    ...editorKeys(item, def),
    ...RECORD_KEYS,
    ...(item?.type === 'radio_station' ? RADIO_KEYS : []),
    ...Object.keys(item?.params || {}).sort(),
    ...Object.keys(def?.globalProperties || {}).sort(),
  ];
  return [...new Set(keys)].filter((key) => isVisible(def, item, key));
}
