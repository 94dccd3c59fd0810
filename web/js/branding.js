// Branding (upstream-0.1.md §3): the grid's name and welcome message, from
// <base>client_branding.json at load and from every auth_required and welcome. The name
// titles the page, the heading, the focus button and the canvas label; the welcome message
// is the first thing the status line says before login.
import { pageUrl } from './base-path.js';

export const DEFAULT_GRID_NAME = 'Chat Grid';
export const DEFAULT_WELCOME_MESSAGE = 'Welcome to the Chat Grid, your immersive audio playground. Configure your audio, then Log in or register to join the grid.';

function text(value, fallback) {
  return typeof value === 'string' && value.trim() ? value.trim() : fallback;
}

/**
 * {gridName, welcomeMessage} from a branding source (client_branding.json, auth_required,
 * welcome.serverInfo); a missing, blank or non-string field takes the built-in default.
 * Unlike upstream, a source that has neither field (an older server) is `null`, so it
 * does not reset a name that client_branding.json gave.
 */
export function brandingFrom(source) {
  if (!source || typeof source !== 'object') return null;
  const hasName = typeof source.gridName === 'string';
  const hasWelcome = typeof source.welcomeMessage === 'string';
  if (!hasName && !hasWelcome) return null;
  return {
    gridName: text(source.gridName, DEFAULT_GRID_NAME),
    welcomeMessage: text(source.welcomeMessage, DEFAULT_WELCOME_MESSAGE),
  };
}

/** Fetch <base>client_branding.json; null when missing or unreadable. */
export async function fetchBranding(fetchFn = globalThis.fetch, loc = globalThis.location) {
  try {
    const response = await fetchFn(pageUrl('client_branding.json', loc), { cache: 'no-store', credentials: 'same-origin' });
    if (!response.ok) return null;
    return brandingFrom(await response.json());
  } catch {
    return null;
  }
}

/** The page's branded parts; `apply` changes only what differs, so screen readers are not disturbed. */
export class Branding {
  constructor(doc) {
    this.doc = doc;
    this.gridName = DEFAULT_GRID_NAME;
    this.welcomeMessage = DEFAULT_WELCOME_MESSAGE;
  }

  /** Apply a brandingFrom() result; returns true when something changed. */
  apply(branding) {
    if (!branding) return false;
    const changed = branding.gridName !== this.gridName || branding.welcomeMessage !== this.welcomeMessage;
    this.gridName = branding.gridName;
    this.welcomeMessage = branding.welcomeMessage;
    const { doc } = this;
    const name = this.gridName;
    if (doc.title !== name) doc.title = name;
    const set = (id, fn) => { const el = doc.getElementById(id); if (el) fn(el); };
    set('gridTitle', (el) => { if (el.textContent !== name) el.textContent = name; });
    set('focus-grid-button', (el) => { if (el.textContent !== name) el.textContent = name; });
    set('grid-canvas', (el) => el.setAttribute('aria-label', `${name}, press question mark for help.`));
    return changed;
  }
}
