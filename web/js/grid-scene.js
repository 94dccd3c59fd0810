// What the grid shows, laid out before anything is drawn (render.js paints it): the grid's
// geometry and axis numbers, one marker per user and item (stacked markers spread out,
// items with their type's letter), and the name labels placed without overlaps. The scene
// is plain data, so it can be checked without looking at pixels. Pure.
import { gridGeometry, tileCentre } from './grid-geometry.js';
import { groupByTile, itemLetter, stackOffsets } from './marker-layout.js';
import { placeLabels } from './label-layout.js';

export const LABEL_FONT_PX = 14;
const LABEL_PAD_X = 4;
const LABEL_HEIGHT = LABEL_FONT_PX + 5;

// half-sizes in marker units at scale 1: an item's square, a user's circle, your own square
const HALF = { item: 0.42, peer: 0.38, self: 0.34 };
// A marker unit is a little more than a cell (markers fill their square), and never under
// this many pixels: on small grids (phones, many squares) markers reach over the next
// square rather than shrink past reading.
export const MIN_UNIT_PX = 22;
const UNIT_PER_CELL = 1.2;

/** Move a square's markers together (so they still do not overlap) until all are inside the canvas. */
export function keepInside(group, size) {
  const shift = (low, high) => (low < 0 ? -low : high > size ? size - high : 0);
  const dx = shift(Math.min(...group.map((m) => m.cx - m.r)), Math.max(...group.map((m) => m.cx + m.r)));
  const dy = shift(Math.min(...group.map((m) => m.cy - m.r)), Math.max(...group.map((m) => m.cy + m.r)));
  return group.map((m) => ({ ...m, cx: m.cx + dx, cy: m.cy + dy }));
}

/**
 * @param {{gridSize: number, self: {nickname: string}, selfDraw: {x: number, y: number},
 *   peers: {id: string, nickname: string, x: number, y: number}[],
 *   items: {id: string, type: string, title: string, x: number, y: number}[],
 *   letters?: Map<string, string>}} view
 * @param {number} size the canvas side in CSS pixels
 * @param {{axis: (text: string) => number, label: (text: string) => number}} measure text widths
 */
export function buildScene(view, size, measure) {
  const geometry = gridGeometry(size, view.gridSize, measure.axis);
  const entries = [
    { kind: 'self', id: 'self', nickname: view.self.nickname, x: view.selfDraw.x, y: view.selfDraw.y },
    ...[...view.peers]
      .sort((a, b) => a.nickname.localeCompare(b.nickname) || String(a.id).localeCompare(String(b.id)))
      .map((p) => ({ kind: 'peer', id: p.id, nickname: p.nickname, x: p.x, y: p.y })),
    ...view.items.map((i) => ({ kind: 'item', id: i.id, type: i.type, title: i.title, x: i.x, y: i.y })),
  ];
  const unit = Math.max(geometry.cell * UNIT_PER_CELL, MIN_UNIT_PX);
  const markers = [];
  for (const group of groupByTile(entries).values()) {
    const offsets = stackOffsets(group.length);
    const placed = [];
    group.forEach((entry, index) => {
      const { dx, dy, scale } = offsets[index];
      const { cx, cy } = tileCentre(geometry, entry.x, entry.y);
      const marker = {
        ...entry,
        cx: cx + dx * unit,
        cy: cy + dy * unit,
        r: HALF[entry.kind] * scale * unit,
        stacked: group.length,
      };
      if (entry.kind === 'item') marker.letter = itemLetter(view.letters, entry.type);
      if (entry.kind === 'peer') marker.letter = (entry.nickname[0] || '?').toUpperCase();
      placed.push(marker);
    });
    markers.push(...keepInside(placed, size));
  }
  const self = markers.find((m) => m.kind === 'self');
  const distance = (m) => Math.hypot(m.cx - self.cx, m.cy - self.cy);
  const named = markers.filter((m) => m.kind !== 'item')
    .sort((a, b) => (a.kind === 'self' ? -1 : b.kind === 'self' ? 1 : distance(a) - distance(b)));
  const requests = named.map((m) => {
    const text = m.kind === 'self' ? `${m.nickname} (you)` : m.nickname;
    return {
      text, kind: m.kind, id: m.id, w: Math.ceil(measure.label(text)) + 2 * LABEL_PAD_X, h: LABEL_HEIGHT,
      anchor: { cx: m.cx, cy: m.cy, r: m.r },
    };
  });
  const obstacles = markers.map((m) => ({ x: m.cx - m.r, y: m.cy - m.r, w: 2 * m.r, h: 2 * m.r }));
  const labels = placeLabels(requests, { width: size, height: size, obstacles }).filter(Boolean)
    .map(({ text, kind, id, box }) => ({ text, kind, id, box, font: LABEL_FONT_PX }));
  return { size, geometry, markers, labels };
}
