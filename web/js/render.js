// Draws the grid on the canvas for sighted players. The canvas is a square sized to fit
// both its column and the height left in the window (so the whole grid, and the typed line
// and menu shown over it, are on screen); the layout comes from grid-scene.js (stacked
// markers spread out, item letters, name labels without overlaps) and is kept in `scene`.
// Tiles have a line every 5 and a stronger one every 10, items are amber squares with their
// type's letter, other users blue circles with their initial, yourself a red square with a
// ring. It also tells the overlay (typed line, open menu) which half of the grid to use.
import { AXIS_FONT_PX, fitSize, overlaySide } from './grid-geometry.js';
import { buildScene, LABEL_FONT_PX } from './grid-scene.js';

const COLORS = {
  background: '#fbfaf6',
  line: '#e2e0d6',
  line5: '#c9c6b8',
  line10: '#9d998a',
  axis: '#4f4c45',
  item: '#e3a62f',
  itemEdge: '#5c3d0e',
  itemInk: '#1b1b1b',
  peer: '#1f5fbf',
  peerEdge: '#0d2f66',
  peerInk: '#ffffff',
  self: '#c0392b',
  selfEdge: '#5e120b',
  labelBg: 'rgba(255,255,255,0.92)',
  labelEdge: '#8c887b',
  label: '#1b1b1b',
};
const FONT_FAMILY = 'system-ui, sans-serif';
const BOTTOM_GAP = 12; // between the canvas and the bottom of the window

export class GridRenderer {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{container?: HTMLElement, overlay?: HTMLElement}} parts the element whose width the
   *   canvas may take, and the overlay told which half of the grid to use
   */
  constructor(canvas, { container = canvas.parentElement, overlay = null } = {}) {
    this.canvas = canvas;
    this.container = container;
    this.overlay = overlay;
    this.ctx = canvas.getContext('2d');
    this.dirty = true;
    this.cssSize = 0;
    this.frame = null;
    this.source = null;
    this.scene = null; // the last drawn layout (plain data)
    if (typeof ResizeObserver === 'function' && container) {
      this.resizeObserver = new ResizeObserver(() => this.invalidate());
      this.resizeObserver.observe(container);
    }
    globalThis.addEventListener?.('resize', () => this.invalidate());
  }

  /** `source()` returns {gridSize, self:{x,y,nickname}, selfDraw:{x,y}, peers:[], items:[], letters}. */
  start(source) {
    this.source = source;
    this.invalidate();
    const loop = () => {
      if (this.dirty) this.draw();
      this.frame = requestAnimationFrame(loop);
    };
    if (this.frame === null) this.frame = requestAnimationFrame(loop);
  }

  stop() {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
  }

  invalidate() {
    this.dirty = true;
  }

  /** The canvas side: the container's width, and no taller than what is left of the window. */
  #fit() {
    const box = this.container?.getBoundingClientRect();
    const width = this.container?.clientWidth || 480;
    const top = (box?.top ?? 0) + (globalThis.scrollY || 0); // where the grid starts on the page
    const style = globalThis.getComputedStyle?.(this.canvas);
    const border = (parseFloat(style?.borderLeftWidth) || 0) + (parseFloat(style?.borderRightWidth) || 0);
    const size = fitSize(width - border, (globalThis.innerHeight || width) - top - BOTTOM_GAP - border);
    const ratio = globalThis.devicePixelRatio || 1;
    if (size !== this.cssSize || this.canvas.width !== Math.round(size * ratio)) {
      this.cssSize = size;
      this.canvas.style.width = `${size}px`;
      this.canvas.style.height = `${size}px`;
      this.canvas.width = Math.round(size * ratio);
      this.canvas.height = Math.round(size * ratio);
    }
    this.ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return size;
  }

  #measure(font) {
    return (text) => {
      this.ctx.font = font;
      return this.ctx.measureText(text).width;
    };
  }

  draw() {
    this.dirty = false;
    if (!this.source) return;
    const view = this.source();
    const size = this.#fit();
    const scene = buildScene(view, size, {
      axis: this.#measure(`${AXIS_FONT_PX}px ${FONT_FAMILY}`),
      label: this.#measure(`${LABEL_FONT_PX}px ${FONT_FAMILY}`),
    });
    this.scene = scene;
    if (this.overlay) this.overlay.dataset.side = overlaySide(view.selfDraw.y, view.gridSize);
    const { ctx } = this;
    ctx.fillStyle = COLORS.background;
    ctx.fillRect(0, 0, size, size);
    this.#grid(scene.geometry);
    for (const marker of scene.markers) {
      if (marker.kind === 'item') this.#item(marker);
    }
    for (const marker of scene.markers) {
      if (marker.kind === 'peer') this.#peer(marker);
    }
    for (const marker of scene.markers) {
      if (marker.kind === 'self') this.#self(marker);
    }
    this.#labels(scene.labels);
  }

  #grid(geometry) {
    const { ctx } = this;
    const { left, top, cell, n, axis, font } = geometry;
    for (let i = 0; i <= n; i += 1) {
      ctx.strokeStyle = i % 10 === 0 ? COLORS.line10 : i % 5 === 0 ? COLORS.line5 : COLORS.line;
      ctx.lineWidth = i % 5 === 0 ? 1.2 : 0.6;
      ctx.beginPath();
      ctx.moveTo(left + i * cell, top);
      ctx.lineTo(left + i * cell, top + n * cell);
      ctx.moveTo(left, top + i * cell);
      ctx.lineTo(left + n * cell, top + i * cell);
      ctx.stroke();
    }
    ctx.fillStyle = COLORS.axis;
    ctx.font = `${font}px ${FONT_FAMILY}`;
    for (const label of axis) {
      ctx.textAlign = label.align;
      ctx.textBaseline = label.baseline;
      ctx.fillText(label.text, label.x, label.y);
    }
  }

  #letter(text, cx, cy, r, color) {
    const px = Math.round(r * 1.45);
    if (px < 7) return; // too small to read: the colour and shape still tell
    const { ctx } = this;
    ctx.fillStyle = color;
    ctx.font = `bold ${px}px ${FONT_FAMILY}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, cx, cy + 0.5);
  }

  #item({ cx, cy, r, letter }) {
    const { ctx } = this;
    const corner = r * 0.3;
    ctx.beginPath();
    if (ctx.roundRect) ctx.roundRect(cx - r, cy - r, 2 * r, 2 * r, corner);
    else ctx.rect(cx - r, cy - r, 2 * r, 2 * r);
    ctx.fillStyle = COLORS.item;
    ctx.fill();
    ctx.strokeStyle = COLORS.itemEdge;
    ctx.lineWidth = 1.2;
    ctx.stroke();
    this.#letter(letter, cx, cy, r, COLORS.itemInk);
  }

  #peer({ cx, cy, r, letter }) {
    const { ctx } = this;
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, Math.PI * 2);
    ctx.fillStyle = COLORS.peer;
    ctx.fill();
    ctx.strokeStyle = COLORS.peerEdge;
    ctx.lineWidth = 1.2;
    ctx.stroke();
    this.#letter(letter, cx, cy, r, COLORS.peerInk);
  }

  #self({ cx, cy, r, stacked }) {
    const { ctx } = this;
    ctx.fillStyle = COLORS.self;
    ctx.fillRect(cx - r, cy - r, 2 * r, 2 * r);
    ctx.strokeStyle = COLORS.selfEdge;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(cx - r, cy - r, 2 * r, 2 * r);
    // the ring marks you out; on a shared square it hugs your marker so it hides no one
    ctx.beginPath();
    ctx.arc(cx, cy, r * (stacked > 1 ? 1.5 : 2.3), 0, Math.PI * 2);
    ctx.strokeStyle = COLORS.self;
    ctx.lineWidth = 2;
    ctx.stroke();
  }

  #labels(labels) {
    const { ctx } = this;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const { text, box, font } of labels) {
      ctx.fillStyle = COLORS.labelBg;
      ctx.fillRect(box.x, box.y, box.w, box.h);
      ctx.strokeStyle = COLORS.labelEdge;
      ctx.lineWidth = 0.8;
      ctx.strokeRect(box.x + 0.4, box.y + 0.4, box.w - 0.8, box.h - 0.8);
      ctx.fillStyle = COLORS.label;
      ctx.font = `${font}px ${FONT_FAMILY}`;
      ctx.fillText(text, box.x + box.w / 2, box.y + box.h / 2 + 0.5);
    }
  }
}
