// Announcement phrases built from world facts: distances, directions, user counts, lines
// of the locate and list commands (client.md §4.1). Pure functions.

const COMPASS = ['east', 'northeast', 'north', 'northwest', 'west', 'southwest', 'south', 'southeast'];

/** Compass word from (dx, dy), y growing northward. */
export function directionWord(dx, dy) {
  if (dx === 0 && dy === 0) return 'here';
  if (dx === 0) return dy > 0 ? 'directly north' : 'directly south';
  if (dy === 0) return dx > 0 ? 'directly east' : 'directly west';
  const angle = Math.atan2(dy, dx); // 0 = east, counter-clockwise
  const sector = ((Math.round(angle / (Math.PI / 4)) % 8) + 8) % 8;
  return COMPASS[sector];
}

export function euclidean(a, b) {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

/** "here", or "{d} square(s) {direction}" with d the rounded Euclidean distance. */
export function distancePhrase(from, to) {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  if (dx === 0 && dy === 0) return 'here';
  const d = Math.round(Math.hypot(dx, dy));
  return `${d} ${d === 1 ? 'square' : 'squares'} ${directionWord(dx, dy)}`;
}

export function coordinates(pos) {
  return `${pos.x}, ${pos.y}`;
}

export function countPhrase(n, singular, plural = `${singular}s`) {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** How many users are on the grid, you included: "{n} user(s)" (U and Shift+L say the same). */
export function userCount(otherCount) {
  return countPhrase(otherCount + 1, 'user');
}

/** "{n} user(s): {names}" with own nickname first (key U). */
export function usersLine(selfNickname, otherNicknames) {
  return `${userCount(otherNicknames.length)}: ${[selfNickname, ...otherNicknames].join(', ')}`;
}

/**
 * A title-first announcement (upstream-0.1.md §18): "{title}. {entry}." with the final
 * period added only when the entry does not already end in . ! or ?.
 */
export function titled(title, entry) {
  return `${title}. ${entry}${/[.!?]$/.test(entry) ? '' : '.'}`;
}

/** The user list's opening line (Shift+L), counting as U does: "{n} users, {m} other(s). {first}.". */
export function userListIntro(otherCount, firstEntry) {
  return titled(`${userCount(otherCount)}, ${countPhrase(otherCount, 'other')}`, firstEntry);
}

/** The item list's opening line (Shift+I): "{n} item(s). {first}.". */
export function itemListIntro(count, firstEntry) {
  return titled(countPhrase(count, 'item'), firstEntry);
}

/** After "Grid focused.": "You are at {x}, {y}." and what is open ("Add item: dice."), if anything. */
export function focusLine(self, openMode) {
  const where = `You are at ${coordinates(self)}.`;
  return openMode ? `${where} ${openMode}` : where;
}

/** "{nickname}, {distance phrase}, {x}, {y}" (key L). */
export function locateLine(self, user) {
  return `${user.nickname}, ${distancePhrase(self, user)}, ${coordinates(user)}`;
}

/** One entry of the user list (Shift+L): "{nickname}, volume {g}, {distance}, {x}, {y}". */
export function userListEntry(self, user, volume) {
  return `${user.nickname}, volume ${formatGain(volume)}, ${distancePhrase(self, user)}, ${coordinates(user)}`;
}

/** "{title} ({type label})" of an item. */
export function itemLabel(item, typeLabel) {
  return `${item.title} (${typeLabel || item.type})`;
}

/** One entry of the item list (Shift+I) and the locate-item line (I). */
export function itemLine(self, item, typeLabel) {
  return `${itemLabel(item, typeLabel)}, ${distancePhrase(self, item)}, ${coordinates(item)}`;
}

/** Gains are spoken with up to two decimals and no trailing zeros (1, 1.05, 0.5). */
export function formatGain(value) {
  return String(Math.round(value * 100) / 100);
}

/** What stepping onto a tile says: "{names}. {item labels}" or '' when the tile is empty. */
export function tileContentsLine(userNames, itemLabels) {
  const parts = [];
  if (userNames.length) parts.push(userNames.join(', '));
  if (itemLabels.length) parts.push(itemLabels.join(', '));
  return parts.length ? `${parts.join('. ')}.` : '';
}
