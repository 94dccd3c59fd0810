// Where the grid sits on its canvas and how big the canvas is (client.md "For sighted
// players"): the canvas is a square that fits both the column width and the height left
// in the window, and the grid inside it leaves room for the row and column numbers so
// none is clipped, even at phone width. Pure functions; `measure(text)` gives a text's
// width in CSS pixels at the axis font.

export const AXIS_FONT_PX = 14;
export const AXIS_STEP = 5; // every fifth row and column is numbered
const AXIS_GAP = 4; // between a number and the grid

/** The canvas side: as wide as the column and as tall as the window allows, within [min, max]. */
export function fitSize(width, availableHeight, { min = 240, max = 760 } = {}) {
  const w = Math.max(1, Math.floor(width));
  const h = Math.floor(Number.isFinite(availableHeight) ? availableHeight : w);
  const size = Math.min(w, h, max);
  return Math.max(size, Math.min(min, w));
}

/** The numbered rows and columns: 0, 5, 10, … below n. */
export function axisValues(n, step = AXIS_STEP) {
  const values = [];
  for (let i = 0; i < n; i += step) values.push(i);
  return values;
}

/**
 * The grid's cell size and origin inside a `size`×`size` canvas, and the axis numbers with
 * their boxes: row numbers left of the grid (right-aligned), column numbers under it.
 * Half a number's width (height) of room is kept right of (above) the grid, so the last
 * column's (top row's) number, centred on its cell, stays inside the canvas.
 */
export function gridGeometry(size, n, measure, font = AXIS_FONT_PX) {
  const widest = Math.max(0, ...axisValues(n).map((v) => measure(String(v))));
  const left = Math.ceil(widest + AXIS_GAP + 2);
  const right = Math.ceil(widest / 2 + 2);
  const top = Math.ceil(font / 2 + 2);
  const bottom = Math.ceil(font + AXIS_GAP + 2);
  const cell = Math.max(1, Math.min((size - left - right) / n, (size - top - bottom) / n));
  // every fifth row and column, or every tenth, fifteenth … when the cells are too small
  const room = Math.max(widest + AXIS_GAP, font + 2);
  const step = AXIS_STEP * Math.max(1, Math.ceil(room / (AXIS_STEP * cell)));
  const gridBottom = top + n * cell;
  const axis = [];
  axisValues(n, step).forEach((value) => {
    const w = measure(String(value));
    const cx = left + (value + 0.5) * cell;
    axis.push({
      text: String(value), x: cx, y: gridBottom + AXIS_GAP, align: 'center', baseline: 'top',
      box: { x: cx - w / 2, y: gridBottom + AXIS_GAP, w, h: font },
    });
    const cy = top + (n - 1 - value + 0.5) * cell;
    axis.push({
      text: String(value), x: left - AXIS_GAP, y: cy, align: 'right', baseline: 'middle',
      box: { x: left - AXIS_GAP - w, y: cy - font / 2, w, h: font },
    });
  });
  return { size, n, cell, left, top, width: n * cell, font, step, axis };
}

/** The centre of tile (x, y) on the canvas; y grows northward, so row 0 is at the bottom. */
export function tileCentre(geometry, x, y) {
  const { left, top, cell, n } = geometry;
  return { cx: left + (x + 0.5) * cell, cy: top + (n - 1 - y + 0.5) * cell };
}

/**
 * Where the typed line and the open menu go over the grid: the half away from the player,
 * so they never hide the player's own marker. Rows below the middle are drawn low.
 */
export function overlaySide(selfY, n) {
  return selfY < n / 2 ? 'top' : 'bottom';
}
