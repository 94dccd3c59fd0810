// The yes/no confirmation (upstream-0.1 §16, §17): "{question} No." on opening, the
// selection starting on No; Up/Down toggle and say "No"/"Yes", N and Y jump; Enter on Yes
// confirms; Enter on No or Escape closes it with the cancel tone and lets the caller say
// where the player is back (the previous list's current entry).

const OPTIONS = ['No', 'Yes'];

export class YesNoMode {
  /**
   * @param {object} game
   * @param {{question: string, onYes: () => void, onNo: () => void}} options the mode has
   *   already left the stack when either callback runs
   */
  constructor(game, { question, onYes, onNo }) {
    this.game = game;
    this.name = 'confirm';
    this.question = question;
    this.onYes = onYes;
    this.onNo = onNo;
    this.index = 0;
  }

  get answer() {
    return OPTIONS[this.index];
  }

  enter() {
    this.game.say(`${this.question} ${this.answer}.`);
    this.render();
  }

  leave() {
    this.game.menuPanel?.hide(this);
  }

  describe() {
    return `${this.question} ${this.answer}.`;
  }

  render() {
    this.game.menuPanel?.show(this, { title: this.question, labels: OPTIONS, index: this.index });
  }

  #select(index) {
    this.index = index;
    this.game.say(this.answer);
    this.render();
  }

  #cancel() {
    this.game.popMode(this);
    this.game.audio.tone('cancel');
    this.onNo();
  }

  keydown(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return false;
    switch (event.key) {
      case 'ArrowUp': case 'ArrowDown':
        this.#select(1 - this.index);
        return true;
      case 'n': case 'N':
        this.#select(0);
        return true;
      case 'y': case 'Y':
        this.#select(1);
        return true;
      case 'Escape':
        this.#cancel();
        return true;
      case 'Enter':
        if (this.index === 0) this.#cancel();
        else {
          this.game.popMode(this);
          this.onYes();
        }
        return true;
      default:
        return true; // nothing else reaches the modes below while the question is open
    }
  }
}
