// Where a sound string from the server is fetched from (items.md §6.5) and the start URL
// of a radio stream (client.md §5.4). Pure; relative results resolve against the page, so
// they land under the client's base path.
//
// chgrid's own server has no media proxy. `http:` URLs are therefore played directly when
// the page itself is plain http, and through `<base>media_proxy.php?url=…` only when the
// page is https (where the browser would block them as mixed content), so a site serving
// the client over https can put such a proxy beside it.

const PROXY_PATH = 'media_proxy.php?url=';

function isDropbox(url) {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === 'dropbox.com' || host.endsWith('.dropbox.com') || host.endsWith('.dropboxusercontent.com');
  } catch {
    return false;
  }
}

function isOff(text) {
  return !text || /^(none|off)$/i.test(text);
}

/**
 * A playable URL for a sound string, or null for none/off/empty.
 * @param {string} sound e.g. "sounds/roll.ogg", "/sounds/clock/el640/its.ogg", "ping.ogg", a URL
 * @param {{pageProtocol?: string}} page
 */
export function soundUrl(sound, { pageProtocol = 'http:' } = {}) {
  const text = String(sound ?? '').trim();
  if (isOff(text)) return null;
  if (/^(data|blob):/i.test(text)) return text;
  if (/^https?:/i.test(text)) {
    const insecure = /^http:/i.test(text);
    if (insecure && pageProtocol === 'https:') return `${PROXY_PATH}${encodeURIComponent(text)}`;
    return text;
  }
  if (text.startsWith('/sounds/')) return text.slice(1);
  if (!text.includes('/')) return `sounds/${text}`;
  return text.replace(/^\/+/, '');
}

/** The URL a radio stream is started from: the sound URL plus `chgrid_start=<ms>` (not Dropbox). */
export function streamStartUrl(streamUrl, nowMs, page = {}) {
  const text = String(streamUrl ?? '').trim();
  if (isOff(text)) return null;
  if (isDropbox(text)) return soundUrl(text, page);
  const [base, fragment] = text.split('#', 2);
  const separator = base.includes('?') ? '&' : '?';
  const started = `${base}${separator}chgrid_start=${Math.round(nowMs)}${fragment !== undefined ? `#${fragment}` : ''}`;
  return soundUrl(started, page);
}

/** Whether `url` (as returned above) is on another origin than the page. */
export function isCrossOrigin(url, pageOrigin) {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return false;
  if (/^(data|blob):/i.test(url)) return false;
  try {
    return new URL(url).origin !== pageOrigin;
  } catch {
    return true;
  }
}
