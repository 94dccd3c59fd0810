// Draws the grid on the canvas for sighted players: tiles with a line every 5 and a
// stronger one every 10, items as amber diamonds, other users as blue circles with their
// initial, yourself as a red square with a ring, nickname labels, and row/column numbers.
// y grows northward: row y is drawn at height - (y + 1) * cell.

const COLORS = {
  background: '#fbfaf6',
  line: '#e2e0d6',
  line5: '#c9c6b8',
  line10: '#9d998a',
  axis: '#55524a',
  item: '#b7791f',
  itemEdge: '#5c3d0e',
  peer: '#1f5fbf',
  peerEdge: '#0d2f66',
  self: '#c0392b',
  selfEdge: '#5e120b',
  labelBg: 'rgba(255,255,255,0.85)',
  label: '#1b1b1b',
};

export class GridRenderer {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext('2d');
    this.dirty = true;
    this.cssSize = 0;
    this.frame = null;
    this.source = null;
    if (typeof ResizeObserver === 'function') {
      this.resizeObserver = new ResizeObserver(() => this.invalidate());
      this.resizeObserver.observe(canvas.parentElement || canvas);
    }
  }

  /** `source()` returns {gridSize, self:{x,y,nickname}, selfDraw:{x,y}, peers:[], items:[]}. */
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

  #fit() {
    const width = Math.max(160, Math.floor(this.canvas.parentElement?.clientWidth || 480));
    const size = Math.min(width, 720);
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

  draw() {
    this.dirty = false;
    if (!this.source) return;
    const view = this.source();
    const size = this.#fit();
    const ctx = this.ctx;
    const margin = 22;
    const n = view.gridSize;
    const cell = (size - margin) / n;
    const left = margin;
    const top = 0;
    const px = (x) => left + x * cell;
    const py = (y) => top + (n - 1 - y) * cell; // y grows north

    ctx.fillStyle = COLORS.background;
    ctx.fillRect(0, 0, size, size);

    for (let i = 0; i <= n; i += 1) {
      ctx.strokeStyle = i % 10 === 0 ? COLORS.line10 : i % 5 === 0 ? COLORS.line5 : COLORS.line;
      ctx.lineWidth = i % 5 === 0 ? 1.2 : 0.6;
      ctx.beginPath();
      ctx.moveTo(px(i), top);
      ctx.lineTo(px(i), top + n * cell);
      ctx.moveTo(left, top + i * cell);
      ctx.lineTo(left + n * cell, top + i * cell);
      ctx.stroke();
    }

    ctx.fillStyle = COLORS.axis;
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (let i = 0; i < n; i += 5) {
      ctx.fillText(String(i), px(i) + cell / 2, top + n * cell + 6);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i < n; i += 5) {
      ctx.fillText(String(i), left - 4, py(i) + cell / 2);
    }

    for (const entry of view.items) {
      const cx = px(entry.x) + cell / 2;
      const cy = py(entry.y) + cell / 2;
      const r = cell * 0.5;
      ctx.beginPath();
      ctx.moveTo(cx, cy - r);
      ctx.lineTo(cx + r, cy);
      ctx.lineTo(cx, cy + r);
      ctx.lineTo(cx - r, cy);
      ctx.closePath();
      ctx.fillStyle = COLORS.item;
      ctx.fill();
      ctx.strokeStyle = COLORS.itemEdge;
      ctx.lineWidth = 1.2;
      ctx.stroke();
    }

    const labels = [];
    for (const peer of view.peers) {
      const cx = px(peer.x) + cell / 2;
      const cy = py(peer.y) + cell / 2;
      ctx.beginPath();
      ctx.arc(cx, cy, cell * 0.34, 0, Math.PI * 2);
      ctx.fillStyle = COLORS.peer;
      ctx.fill();
      ctx.strokeStyle = COLORS.peerEdge;
      ctx.lineWidth = 1.2;
      ctx.stroke();
      if (cell >= 11) {
        ctx.fillStyle = '#fff';
        ctx.font = `bold ${Math.floor(cell * 0.5)}px system-ui, sans-serif`;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText((peer.nickname[0] || '?').toUpperCase(), cx, cy + 0.5);
      }
      labels.push({ text: peer.nickname, cx, cy });
    }

    const me = view.selfDraw;
    const sx = px(me.x) + cell / 2;
    const sy = py(me.y) + cell / 2;
    const half = cell * 0.3;
    ctx.fillStyle = COLORS.self;
    ctx.fillRect(sx - half, sy - half, half * 2, half * 2);
    ctx.strokeStyle = COLORS.selfEdge;
    ctx.lineWidth = 1.5;
    ctx.strokeRect(sx - half, sy - half, half * 2, half * 2);
    ctx.beginPath();
    ctx.arc(sx, sy, cell * 0.78, 0, Math.PI * 2);
    ctx.strokeStyle = COLORS.self;
    ctx.lineWidth = 2;
    ctx.stroke();
    labels.push({ text: `${view.self.nickname} (you)`, cx: sx, cy: sy });

    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    for (const label of labels) {
      const width = ctx.measureText(label.text).width + 6;
      const x = Math.max(width / 2, Math.min(size - width / 2, label.cx));
      const y = Math.max(16, label.cy - cell * 0.85);
      ctx.fillStyle = COLORS.labelBg;
      ctx.fillRect(x - width / 2, y - 14, width, 15);
      ctx.fillStyle = COLORS.label;
      ctx.fillText(label.text, x, y);
    }
  }
}
