// Placing the name labels on the grid so they never overlap each other and stay inside the
// canvas: each label tries spots around its marker (above, below, right, left, then further
// above and below) and takes the first one free of other labels, preferring spots that
// also leave other markers uncovered. A label with no free spot is left out (the users are
// all listed beside the grid). Pure functions.

/** Whether two boxes {x, y, w, h} overlap (touching edges do not count). */
export function overlaps(a, b) {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

function clampBox(box, width, height) {
  return {
    ...box,
    x: Math.max(0, Math.min(width - box.w, box.x)),
    y: Math.max(0, Math.min(height - box.h, box.y)),
  };
}

/** Candidate boxes for a w×h label around a marker at (cx, cy) with half-size r. */
export function candidateBoxes({ cx, cy, r }, w, h, gap = 2) {
  const boxes = [];
  const above = cy - r - gap - h;
  const below = cy + r + gap;
  boxes.push({ x: cx - w / 2, y: above, w, h });
  boxes.push({ x: cx - w / 2, y: below, w, h });
  boxes.push({ x: cx + r + gap + 1, y: cy - h / 2, w, h });
  boxes.push({ x: cx - r - gap - 1 - w, y: cy - h / 2, w, h });
  for (let k = 1; k <= 4; k += 1) {
    boxes.push({ x: cx - w / 2, y: above - k * (h + gap), w, h });
    boxes.push({ x: cx - w / 2, y: below + k * (h + gap), w, h });
  }
  return boxes;
}

/**
 * @param {{text: string, w: number, h: number, anchor: {cx: number, cy: number, r: number}}[]} requests
 *   in priority order (the first is placed first)
 * @param {{width: number, height: number, obstacles?: {x: number, y: number, w: number, h: number}[]}} area
 * @returns {({text: string, box: {x: number, y: number, w: number, h: number}}|null)[]} one per request;
 *   null when the label found no free spot
 */
export function placeLabels(requests, { width, height, obstacles = [] }) {
  const placed = [];
  return requests.map((request) => {
    const { w, h } = request;
    if (w > width || h > height) return null;
    const candidates = candidateBoxes(request.anchor, w, h).map((box) => clampBox(box, width, height));
    const free = candidates.filter((box) => !placed.some((other) => overlaps(box, other)));
    const clear = free.find((box) => !obstacles.some((o) => overlaps(box, o)));
    const box = clear || free[0];
    if (!box) return null;
    placed.push(box);
    return { ...request, box };
  });
}
