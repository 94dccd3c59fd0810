// A stand-in for the Game in unit tests of input modes: a mode stack, what was said,
// what was sent, the tones played, and the world state bits the item and admin menus read.
export function fakeGame({ items = [], ui = null, adminActions = [], self = { x: 5, y: 5, nickname: 'me' } } = {}) {
  const game = {
    said: [],
    sent: [],
    tones: [],
    modes: [{ name: 'normal' }],
    history: { lines: [], push(text) { this.lines.push(text); } },
    state: {
      items: new Map(items.map((item) => [item.id, item])),
      uiDefinitions: ui,
      adminActions,
      self,
      selfId: 'me',
      typeLabel: (type) => (type === 'radio_station' ? 'radio' : type),
    },
    ui: { showEditor() {} },
    audio: { tone: (name) => game.tones.push(name) },
    get mode() { return this.modes[this.modes.length - 1]; },
    pushMode(mode) { this.modes.push(mode); mode.enter?.(); },
    popMode(mode) {
      const index = this.modes.lastIndexOf(mode);
      if (index > 0) { this.modes.splice(index, 1); mode.leave?.(); }
    },
    say(text) { this.said.push(text); },
    record(text) { this.history.push(text); this.said.push(text); },
    send(packet) { this.sent.push(packet); },
    /** Deliver a server packet the way Game.handlePacket does (after the world applied it). */
    deliver(packet) {
      if (packet.type === 'item_upsert') this.state.items.set(packet.item.id, packet.item);
      if (packet.type === 'item_remove') this.state.items.delete(packet.itemId);
      for (const mode of [...this.modes]) if (this.modes.includes(mode)) mode.onPacket?.(packet);
    },
    key(key, extra = {}) {
      return this.mode.keydown({ key, code: '', altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, repeat: false, ...extra });
    },
    type(text) { for (const ch of text) this.key(ch); },
    lastSaid() { return this.said[this.said.length - 1]; },
  };
  return game;
}
