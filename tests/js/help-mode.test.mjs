// The help viewer: it opens by saying its title first, reads its lines with the arrows,
// shows them in the menu panel while open, and says what is open for the focus line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HelpMode } from '../../web/js/help-mode.js';
import { helpLines } from '../../web/js/help.js';
import { fakeGame } from './fake-game.mjs';

function panel() {
  return {
    shown: new Map(),
    show(owner, view) { this.shown.set(owner, view); },
    hide(owner) { this.shown.delete(owner); },
  };
}

const lines = helpLines({ sections: [{ title: 'Moving', items: [{ keys: 'C', description: 'coordinates' }] }] });

test('help opens by saying "Help" first, then the first line', () => {
  const game = fakeGame();
  game.menuPanel = panel();
  const mode = new HelpMode(game, lines);
  game.pushMode(mode);
  assert.equal(game.lastSaid(), 'Help. Moving');
  assert.deepEqual(game.menuPanel.shown.get(mode), { title: 'Help', labels: ['Moving', 'C: coordinates'], index: 0 });
  game.key('ArrowDown');
  assert.equal(game.lastSaid(), 'C: coordinates');
  assert.equal(game.menuPanel.shown.get(mode).index, 1);
  assert.equal(mode.describe(), 'Help: C: coordinates');
  game.key('Escape');
  assert.equal(game.lastSaid(), 'Closed help.');
  assert.equal(game.menuPanel.shown.size, 0);
});

test('the piano help says its own title', () => {
  const game = fakeGame();
  game.pushMode(new HelpMode(game, ['Keys'], 'Piano help'));
  assert.equal(game.lastSaid(), 'Piano help. Keys');
});
