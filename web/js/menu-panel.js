// The visible copy of the open menu (add item, item selection, property list, options,
// admin menus) under the grid, for sighted and low-vision players. The keyboard focus
// stays on the grid and everything is spoken through the status region; this panel only
// shows the menu's title, where the cursor is, and a window of entries around it.

const WINDOW = 11;

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
    if (anchor) anchor.after(this.section);
    else doc.body.append(this.section);
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
    const start = Math.max(0, Math.min(index - Math.floor(WINDOW / 2), n - WINDOW));
    const rows = labels.slice(start, start + WINDOW).map((label, offset) => {
      const li = this.list.ownerDocument.createElement('li');
      li.textContent = label;
      if (start + offset === index) li.setAttribute('aria-current', 'true');
      return li;
    });
    this.list.replaceChildren(...rows);
    this.section.hidden = false;
  }
}
