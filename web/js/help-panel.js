// The footer's help panel (upstream-0.1.md §21): a "Help" heading and a "Show help" /
// "Hide help" toggle (aria-expanded, aria-controls) over the keys from help.json,
// collapsed by default so the pre-login page stays short to Tab through, and hidden when
// help.json offers nothing. Unlike upstream it stays as it was when leaving the world.

export class HelpPanel {
  constructor(doc) {
    this.section = doc.getElementById('help');
    this.toggle = doc.getElementById('help-toggle');
    this.body = doc.getElementById('instructions');
    this.toggle.addEventListener('click', () => this.setExpanded(!this.expanded));
  }

  get expanded() {
    return this.toggle.getAttribute('aria-expanded') === 'true';
  }

  setExpanded(open) {
    this.toggle.setAttribute('aria-expanded', String(open));
    this.toggle.textContent = open ? 'Hide help' : 'Show help';
    this.body.hidden = !open;
  }

  /** Show the section only when help.json had something to show. */
  available(yes) {
    this.section.hidden = !yes;
  }
}
