// The visible copy of the open menu (add item, item selection, property list, options,
// admin menus, user and item lists, help), shown large over the grid for sighted and
// low-vision players, above the typed line when there is one. The keyboard focus stays on
// the grid and everything is spoken through the status region; this panel only shows the
// menu's title, where the cursor is, and a window of entries around it, as many as fit.

const WINDOW = 11;

/** The first entry of a window of `rows` entries out of `n`, keeping `index` in the middle. */
export function windowStart(index, n, rows) {
  return Math.max(0, Math.min(index - Math.floor(rows / 2), n - rows));
}

export class MenuPanel {
  constructor(doc) {
    this.views = new Map(); // owner → {title, labels, index}, in the order menus opened
    this.section = doc.createElement('section');
    this.section.id = 'menu-panel';
    this.section.className = 'menu-panel';
    this.section.hidden = true;
    this.section.setAttribute('aria-labelledby', 'menu-panel-title');
    this.heading = doc.createElement('h3');
    this.heading.id = 'menu-panel-title';
    this.list = doc.createElement('ul');
    this.list.className = 'menu-entries';
    this.section.append(this.heading, this.list);
    const anchor = doc.getElementById('editor-line');
    if (anchor) anchor.before(this.section);
    else doc.body.append(this.section);
    // The room over the grid changes with the window and when the typed line comes and goes.
    if (typeof ResizeObserver === 'function') {
      this.resizeObserver = new ResizeObserver(() => this.#render());
      const stage = doc.querySelector('.grid-stage');
      for (const el of [stage, anchor]) if (el) this.resizeObserver.observe(el);
    }
  }

  /** Show or update the menu of `owner` ({title, labels, index}). */
  show(owner, view) {
    this.views.set(owner, view);
    this.#render();
  }

  hide(owner) {
    if (this.views.delete(owner)) this.#render();
  }

  clear() {
    this.views.clear();
    this.#render();
  }

  #render() {
    const views = [...this.views.values()];
    const view = views[views.length - 1];
    if (!view) {
      this.section.hidden = true;
      this.list.replaceChildren();
      return;
    }
    const { labels, index } = view;
    const n = labels.length;
    this.heading.textContent = n ? `${view.title} (${index + 1} of ${n})` : view.title;
    this.section.hidden = false;
    // Fewer rows when the panel would not fit over the grid (phones), the current one kept.
    for (let rows = Math.min(WINDOW, n); rows >= 1; rows -= 2) {
      this.#rows(labels, index, rows);
      if (rows <= 1 || !this.#overflows()) break;
    }
    if (!n) this.list.replaceChildren();
  }

  #rows(labels, index, rows) {
    const start = windowStart(index, labels.length, rows);
    const doc = this.list.ownerDocument;
    this.list.replaceChildren(...labels.slice(start, start + rows).map((label, offset) => {
      const li = doc.createElement('li');
      li.textContent = label;
      if (start + offset === index) li.setAttribute('aria-current', 'true');
      return li;
    }));
  }

  #overflows() {
    return this.section.scrollHeight > this.section.clientHeight + 1;
  }
}
