// The item property list (O edits, Shift+O inspects; client.md §4.3), driven entirely by
// the type's uiDefinitions: which keys show (visibleWhen), how each reads, what Space
// says, and how Left/Right, PageUp/PageDown and Enter change a value (list options,
// on/off, numbers by step, or the text editor). Every change is an item_update with one
// key; the list follows the server's item_upsert copies and closes when the item goes.
import { MenuMode } from './menu-mode.js';
import { PropertyEditMode } from './property-edit-mode.js';
import {
  editorKeys, inspectorKeys, isEditableKey, metadataOf, onOffValue, typeDefinition,
} from './item-schema.js';
import {
  formatNumber, propertyLabel, propertyLine, propertyValue, rawValue, tooltipLine,
} from './property-format.js';
import { cycleOption, optionPage, stepNumber } from './property-input.js';
import { hasCapability } from './item-targets.js';
import { itemOut } from './command-packets.js';

const QUIET_AFTER_ADJUST_MS = 600;

export class PropertyList {
  constructor(game, itemId, { inspect = false } = {}) {
    this.game = game;
    this.itemId = itemId;
    this.inspect = inspect;
    this.sent = new Map(); // key → value sent, shown until the server has answered every update
    this.outstanding = 0; // updates sent and not yet answered by an item_action_result
    this.adjustedAt = -Infinity;
    this.mode = new MenuMode(game, {
      title: () => this.#title(),
      entries: () => this.#keys(),
      key: (key) => key,
      label: (key) => propertyLine(this.#view(), this.#def(), key),
      onSpace: (key) => tooltipLine(metadataOf(this.#def(), key), this.#editable(key)),
      onAdjust: (key, steps, page) => this.#adjust(key, steps, page),
      onEnter: (key) => this.#activate(key),
      escapeText: 'Closed item properties.',
      emptyText: 'No properties.',
      onPacket: (packet) => this.#packet(packet),
    });
  }

  open() {
    this.game.pushMode(this.mode);
  }

  #item() {
    return this.game.state.items.get(this.itemId) || null;
  }

  #def() {
    const item = this.#item();
    return item ? typeDefinition(this.game.state.uiDefinitions, item.type) : null;
  }

  /** The item as shown: the server's copy with values still on their way applied. */
  #view() {
    const item = this.#item();
    if (!item || !this.sent.size) return item;
    return { ...item, params: { ...item.params, ...Object.fromEntries(this.sent) } };
  }

  #keys() {
    const item = this.#view();
    if (!item) return [];
    return this.inspect ? inspectorKeys(item, this.#def()) : editorKeys(item, this.#def());
  }

  #title() {
    const item = this.#item();
    if (!item) return 'Item properties';
    return `${this.inspect ? 'Inspect' : 'Edit'} ${item.title} (${this.game.state.typeLabel(item.type)})`;
  }

  #editable(key) {
    const item = this.#item();
    return Boolean(item) && hasCapability(item, 'editable') && isEditableKey(this.#def(), key);
  }

  #send(key, value) {
    if (key !== 'title') this.sent.set(key, value);
    this.#sendPatch(key === 'title' ? { title: value } : { params: { [key]: value } });
  }

  #sendPatch(patch) {
    this.outstanding += 1;
    this.game.send(itemOut.update(this.itemId, patch));
    const item = this.#view();
    if (item?.type === 'piano' && patch.params) {
      // client.md §4.3: a piano's properties play a short preview note with the new value
      this.game.sound?.previewPiano?.({ ...item, params: { ...item.params, ...patch.params } });
    }
  }

  /** Left/Right (one step) and PageUp/PageDown (ten steps, or a page of options). */
  #adjust(key, steps, page) {
    const { game } = this;
    const meta = metadataOf(this.#def(), key);
    const label = propertyLabel(key, meta);
    if (!this.#editable(key)) {
      game.say(`${label} is not editable.`);
      return;
    }
    const raw = rawValue(this.#view(), this.#def(), key);
    let next;
    let spoken;
    switch (meta.valueType) {
      case 'list':
        next = cycleOption(meta.options, raw, page ? steps * optionPage(meta.options) : steps);
        spoken = next;
        break;
      case 'boolean':
        next = !(onOffValue(raw) ?? key === 'enabled');
        spoken = next ? 'on' : 'off';
        break;
      case 'number':
        next = stepNumber(typeof raw === 'number' ? raw : Number(raw), meta.range, page ? steps * 10 : steps);
        spoken = formatNumber(next, meta.range?.step ?? 1);
        break;
      default:
        game.audio.tone('cancel');
        return;
    }
    if (next === null || next === undefined) {
      game.audio.tone('cancel');
      return;
    }
    if (next !== raw) {
      this.adjustedAt = performance.now();
      this.#send(key, next);
    } else {
      game.audio.tone('blip');
    }
    game.say(spoken);
  }

  /** Enter: toggle a boolean, open a list's options, or edit the value as text. */
  #activate(key) {
    const { game } = this;
    const def = this.#def();
    const meta = metadataOf(def, key);
    const label = propertyLabel(key, meta);
    if (!this.#editable(key)) {
      game.say(`${label} is not editable.`);
      return;
    }
    const view = this.#view();
    const raw = rawValue(view, def, key);
    if (meta.valueType === 'boolean') {
      const next = !(onOffValue(raw) ?? key === 'enabled');
      this.#send(key, next);
      game.say(`${label}: ${next ? 'on' : 'off'}`);
      this.mode.render();
      return;
    }
    if (meta.valueType === 'list' && meta.options?.length) {
      this.#openOptions(key, label, meta.options, raw);
      return;
    }
    const spoken = propertyValue(view, def, key);
    game.pushMode(new PropertyEditMode(game, {
      key,
      meta,
      label,
      spoken: spoken === '' ? 'blank' : spoken,
      text: raw === undefined || raw === null ? '' : String(raw),
      onSubmit: (patch) => this.#sendPatch(patch),
    }));
  }

  #openOptions(key, label, options, current) {
    const { game } = this;
    const currentOption = options.find((option) => option.toLowerCase() === String(current ?? '').toLowerCase());
    game.pushMode(new MenuMode(game, {
      title: `Select ${label}`,
      entries: () => options,
      key: (option) => option,
      label: (option) => option,
      initialKey: currentOption ?? options[0],
      intro: (option) => `Select ${label}: ${option}`,
      onEnter: (option, mode) => {
        game.popMode(mode);
        if (option === currentOption) game.say(`${label}: ${option}`);
        else this.#send(key, option);
        this.mode.render();
      },
      escapeText: 'Cancelled.',
    }));
  }

  /** Close the list and whatever is open above it (option list, text editor). */
  #close(text) {
    const { game } = this;
    const index = game.modes.indexOf(this.mode);
    if (index < 0) return;
    for (const mode of game.modes.slice(index).reverse()) game.popMode(mode);
    game.say(text);
  }

  #packet(packet) {
    if (packet.type === 'item_remove' && packet.itemId === this.itemId) {
      this.#close('Item no longer exists.');
      return;
    }
    if (packet.type === 'item_upsert' && packet.item.id === this.itemId) {
      for (const [key, value] of [...this.sent]) {
        if (packet.item.params?.[key] === value) this.sent.delete(key);
      }
      const quiet = performance.now() - this.adjustedAt < QUIET_AFTER_ADJUST_MS;
      if (!quiet && this.game.mode === this.mode) this.mode.announceCurrent();
      else this.mode.render();
      return;
    }
    if (packet.type === 'item_action_result' && packet.action === 'update' && packet.itemId === this.itemId) {
      this.outstanding = Math.max(0, this.outstanding - 1);
      // A refusal keeps the server's value, and once every update is answered its copy is the truth.
      if (!packet.ok || !this.outstanding) this.sent.clear();
      this.mode.render();
    }
  }
}
