// How the markers on the grid are arranged (client.md "For sighted players"): everything
// on one square (you, other users, items) is spread around the square's centre, smaller,
// so no marker hides another; each item type gets its own letter. Pure functions.

/** The largest marker's half-size, in cells, at scale 1 (an item's square). */
export const MARKER_HALF = 0.42;

// Two to six markers go round a ring reaching a little past the square, so they can stay
// nearly full size (and keep their letters readable).
const RING_SCALE = { 2: 0.8, 3: 0.75, 4: 0.72, 5: 0.66, 6: 0.6 };
const RING_RADIUS = 0.6;

/**
 * Offsets (in marker units, from the square's centre) and scales of `count` markers
 * sharing a square. One marker stays whole and centred; two to six go round a ring; more
 * fill a grid. The markers never overlap: centres are at least 2 × MARKER_HALF × scale apart.
 * @returns {{dx: number, dy: number, scale: number}[]}
 */
export function stackOffsets(count) {
  if (count <= 0) return [];
  if (count === 1) return [{ dx: 0, dy: 0, scale: 1 }];
  if (count <= 6) {
    const scale = RING_SCALE[count];
    // two side by side; more start at the top and go clockwise
    const start = count === 2 ? Math.PI : -Math.PI / 2;
    return Array.from({ length: count }, (_, i) => {
      const angle = start + (2 * Math.PI * i) / count;
      return { dx: RING_RADIUS * Math.cos(angle), dy: RING_RADIUS * Math.sin(angle), scale };
    });
  }
  const cols = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const pitch = 1.2 / cols;
  const scale = (0.9 * pitch) / (2 * MARKER_HALF);
  return Array.from({ length: count }, (_, i) => {
    const col = i % cols;
    const row = Math.floor(i / cols);
    return { dx: (col - (cols - 1) / 2) * pitch, dy: (row - (rows - 1) / 2) * pitch, scale };
  });
}

/**
 * Group markers by the square they stand on, keeping the given order inside each group.
 * Markers between squares (a gliding player) are a group of their own.
 * @param {{x: number, y: number}[]} markers
 * @returns {Map<string, object[]>}
 */
export function groupByTile(markers) {
  const groups = new Map();
  markers.forEach((marker, index) => {
    const whole = Number.isInteger(marker.x) && Number.isInteger(marker.y);
    const key = whole ? `${marker.x},${marker.y}` : `moving:${index}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(marker);
  });
  return groups;
}

/**
 * One capital letter per item type, from its label: the first letter, or when another
 * type has it already the next unused letter of the label, else any unused letter.
 * Types are taken in the given (the server's) order.
 * @param {{type: string, label?: string}[]} types
 * @returns {Map<string, string>}
 */
export function typeLetters(types) {
  const used = new Set();
  const letters = new Map();
  for (const { type, label } of types) {
    const candidates = [...String(label || type).toUpperCase()].filter((c) => /\p{Lu}/u.test(c));
    let letter = candidates.find((c) => !used.has(c));
    if (!letter) letter = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].find((c) => !used.has(c)) || '?';
    used.add(letter);
    letters.set(type, letter);
  }
  return letters;
}

/** The letter drawn on an item of `type` (its first letter when the type is unknown). */
export function itemLetter(letters, type) {
  return letters?.get(type) || String(type || '?').charAt(0).toUpperCase() || '?';
}
