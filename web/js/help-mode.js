// The help viewer input mode (client.md §4.7): opens by saying its title ("Help", "Piano
// help") and the first line; Up/Down/Home/End read the lines built from help.json; Escape
// returns to the previous mode with "Closed help.". The lines are also shown in the menu
// panel over the grid.
import { ListCursor } from './listnav.js';

export class HelpMode {
  constructor(game, lines, title = 'Help') {
    this.game = game;
    this.title = title;
    this.cursor = new ListCursor(lines, 0);
    this.name = 'help';
  }

  enter() {
    this.game.say(`${this.title}. ${this.cursor.current}`);
    this.#render();
  }

  leave() {
    this.game.menuPanel?.hide(this);
  }

  describe() {
    return `${this.title}: ${this.cursor.current}`;
  }

  #render() {
    this.game.menuPanel?.show(this, { title: this.title, labels: this.cursor.labels, index: this.cursor.index });
  }

  keydown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return false;
    const moves = { ArrowDown: 'down', ArrowUp: 'up', Home: 'home', End: 'end' };
    if (moves[event.key]) {
      const before = this.cursor.index;
      const wraps = (event.key === 'ArrowDown' && before === this.cursor.labels.length - 1)
        || (event.key === 'ArrowUp' && before === 0);
      if (wraps) {
        this.game.audio.tone('blip');
        this.game.say(this.cursor.current);
        return true;
      }
      this.cursor[moves[event.key]]();
      this.game.say(this.cursor.current);
      this.#render();
      return true;
    }
    if (event.key === 'Escape') {
      this.game.popMode(this);
      this.game.say('Closed help.');
      return true;
    }
    return true;
  }
}
