// The outgoing voice effect menu (E, client.md §4.6), built on the shared MenuMode (so it
// also shows in the visible menu panel): "Effects. {label}." on the effect in use;
// Up/Down/Home/End and a first letter move and say the label; Enter applies it and says
// it; Escape closes with "Cancelled." (the reference's switch to the admin menu is a quirk
// not copied).
import { MenuMode } from './menu-mode.js';
import { EFFECT_IDS, EFFECT_LABELS } from './audio-effects.js';
import { titled } from './phrases.js';

export function effectMenu(game, { current, onSelect }) {
  return new MenuMode(game, {
    title: 'Voice effect',
    entries: () => EFFECT_IDS,
    key: (id) => id,
    label: (id) => EFFECT_LABELS[id],
    initialKey: EFFECT_IDS.includes(current) ? current : 'off',
    intro: (label) => titled('Effects', label),
    onEnter: (id, mode) => {
      game.popMode(mode);
      onSelect(id);
      game.say(EFFECT_LABELS[id]);
    },
  });
}
