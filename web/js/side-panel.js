// The visible summary beside the grid for sighted players (position, users and the
// nearest items with their squares) and the visible editor line while typing a
// nickname or chat message (shown large over the grid, in the grid overlay).
import { coordinates, distancePhrase } from './phrases.js';
import { itemLetter } from './marker-layout.js';

export class SidePanel {
  constructor(doc) {
    this.position = doc.getElementById('position-summary');
    this.users = doc.getElementById('user-list');
    this.items = doc.getElementById('item-list');
    this.editor = doc.getElementById('editor-line');
    this.lastSummary = '';
  }

  showWorldSummary(state) {
    const peers = state.peersByName();
    const items = state.groundItemsByDistance();
    const summary = JSON.stringify([state.self, peers, items.map((i) => [i.id, i.title, i.x, i.y])]);
    if (summary === this.lastSummary) return;
    this.lastSummary = summary;
    this.position.textContent = `${state.self.nickname} at ${coordinates(state.self)} on a ${state.gridSize} by ${state.gridSize} grid.`;
    const rows = [{ ...state.self, self: true }, ...peers];
    this.users.replaceChildren(...rows.map((user) => {
      const li = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = user.self ? 'swatch self' : 'swatch';
      swatch.setAttribute('aria-hidden', 'true');
      const text = document.createElement('span');
      text.textContent = user.self
        ? `${user.nickname} (you), ${coordinates(user)}`
        : `${user.nickname}, ${coordinates(user)}, ${distancePhrase(state.self, user)}`;
      li.append(swatch, text);
      return li;
    }));
    const shown = items.slice(0, 12);
    this.items.replaceChildren(...shown.map((entry) => {
      const li = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch item';
      swatch.setAttribute('aria-hidden', 'true');
      swatch.textContent = itemLetter(state.itemLetters, entry.type); // the letter drawn on the grid
      const text = document.createElement('span');
      text.textContent = `${entry.title} (${state.typeLabel(entry.type)}), ${coordinates(entry)}, ${distancePhrase(state.self, entry)}`;
      li.append(swatch, text);
      return li;
    }));
    if (!items.length) {
      const li = document.createElement('li');
      li.textContent = 'None';
      this.items.append(li);
    } else if (items.length > shown.length) {
      const li = document.createElement('li');
      li.textContent = `and ${items.length - shown.length} more`;
      this.items.append(li);
    }
  }

  /** Show {label, text, cursor, selected} in the editor line, or hide it with null. */
  showEditor(view) {
    if (!view) {
      this.editor.hidden = true;
      this.editor.replaceChildren();
      return;
    }
    this.editor.hidden = false;
    const chars = [...view.text];
    const label = document.createElement('strong');
    label.textContent = `${view.label}: `;
    const before = document.createElement('span');
    before.textContent = chars.slice(0, view.cursor).join('');
    const cursor = document.createElement('span');
    cursor.className = 'cursor';
    const after = document.createElement('span');
    after.textContent = chars.slice(view.cursor).join('');
    if (view.selected) {
      before.className = 'selected';
      after.className = 'selected';
    }
    this.editor.replaceChildren(label, before, cursor, after);
    // A line longer than the box shows the part around the cursor.
    this.editor.scrollTop = Math.max(0, cursor.offsetTop - this.editor.clientHeight / 2);
  }

  reset() {
    this.lastSummary = '';
    this.users.replaceChildren();
    this.items.replaceChildren();
    this.position.textContent = '';
  }
}
