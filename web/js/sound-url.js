// Where a sound string from the server is fetched from (items.md §6.5), the start URL of a
// radio stream (client.md §5.4), and when either goes through the grid's media proxy
// (upstream-0.1.md §14.1, adapted). Pure; `page` describes the page's location
// ({protocol, origin, pathname}; the older {pageProtocol} is still read), and relative
// results resolve against the page, so they land under the grid's base path.
//
// The proxy (`<base>media_proxy.php?url=…`, served by chgrid itself for a logged-in session)
// is used when the browser would otherwise refuse the sound:
// - an `http:` URL on an `https:` page (mixed content, always blocked);
// - Dropbox links (their pages are not audio and send no CORS headers);
// - one-shot item sounds on another origin: they are fetched and decoded, which needs CORS;
// - a radio or widget stream on another origin whose CORS load fails: media-tap.js falls
//   back to `proxyFallback` (it tries the stream directly first, saving the server the
//   traffic when the station allows CORS).

const PROXY_FILE = 'media_proxy.php';

function pageOf(page = {}) {
  const protocol = page.protocol || page.pageProtocol || 'http:';
  return { protocol, origin: page.origin || '', pathname: page.pathname || '' };
}

function basePathOf(pathname) {
  if (!pathname) return '';
  return pathname.endsWith('/') ? pathname : pathname.slice(0, pathname.lastIndexOf('/') + 1);
}

/** `<base>media_proxy.php?url=<target>`: absolute when the page origin is known, else relative. */
export function proxiedUrl(target, page = {}) {
  const p = pageOf(page);
  const prefix = p.origin ? `${p.origin}${basePathOf(p.pathname) || '/'}` : '';
  return `${prefix}${PROXY_FILE}?url=${encodeURIComponent(target)}`;
}

export function isDropbox(url) {
  try {
    const host = new URL(url).hostname.toLowerCase();
    return host === 'dropbox.com' || host.endsWith('.dropbox.com')
      || host === 'dropboxusercontent.com' || host.endsWith('.dropboxusercontent.com');
  } catch {
    return false;
  }
}

/** Already pointing at this grid's proxy (never proxied twice). */
function isOwnProxy(url, page) {
  const p = pageOf(page);
  try {
    const parsed = new URL(url, p.origin || 'http://invalid.invalid/');
    return parsed.pathname.endsWith(`/${PROXY_FILE}`) && (!p.origin || parsed.origin === p.origin);
  } catch {
    return false;
  }
}

function isOff(text) {
  return !text || /^(none|off)$/i.test(text);
}

/** Whether `url` (as returned below) is on another origin than the page. */
export function isCrossOrigin(url, pageOrigin) {
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) return false;
  if (/^(data|blob):/i.test(url)) return false;
  try {
    return new URL(url).origin !== pageOrigin;
  } catch {
    return true;
  }
}

/**
 * How an absolute http(s) URL is reached from this page:
 * 'direct' (same origin, or nothing known about the page), 'proxy' (would be blocked:
 * mixed content or Dropbox), or 'cors' (another origin: works only if it allows CORS).
 */
export function mediaRoute(url, page = {}) {
  const p = pageOf(page);
  if (!/^https?:/i.test(url) || isOwnProxy(url, page)) return 'direct';
  if (/^http:/i.test(url) && p.protocol === 'https:') return 'proxy';
  if (isDropbox(url)) return 'proxy';
  if (p.origin && isCrossOrigin(url, p.origin)) return 'cors';
  return 'direct';
}

/** A sound string as a URL, before any proxy decision; null for none/off/empty. */
function plainUrl(sound) {
  const text = String(sound ?? '').trim();
  if (isOff(text)) return null;
  if (/^(data|blob|https?):/i.test(text)) return text;
  if (text.startsWith('/sounds/')) return text.slice(1);
  if (!text.includes('/')) return `sounds/${text}`;
  return text.replace(/^\/+/, '');
}

/**
 * A playable URL for a one-shot item sound (fetched and decoded), or null for none/off/
 * empty: every URL on another origin goes through the proxy (fetch needs CORS).
 * @param {string} sound e.g. "sounds/roll.ogg", "/sounds/clock/el640/its.ogg", "ping.ogg", a URL
 */
export function soundUrl(sound, page = {}) {
  const url = plainUrl(sound);
  if (!url) return null;
  return mediaRoute(url, page) === 'direct' ? url : proxiedUrl(url, page);
}

/**
 * The URL an <audio> stream (radio, widget emit loop) starts from, and the proxied
 * fallback to try when a cross-origin load fails (null when there is none).
 * @returns {{url: string, proxyFallback: string|null}|null}
 */
export function streamSource(sound, page = {}) {
  const url = plainUrl(sound);
  if (!url) return null;
  const route = mediaRoute(url, page);
  if (route === 'proxy') return { url: proxiedUrl(url, page), proxyFallback: null };
  if (route === 'cors') return { url, proxyFallback: proxiedUrl(url, page) };
  return { url, proxyFallback: null };
}

/** A radio's stream URL with the cache-busting `chgrid_start=<ms>` (not for Dropbox links). */
export function withStartMarker(streamUrl, nowMs) {
  const text = String(streamUrl ?? '').trim();
  if (isOff(text)) return null;
  if (isDropbox(text)) return text;
  const [base, fragment] = text.split('#', 2);
  const separator = base.includes('?') ? '&' : '?';
  return `${base}${separator}chgrid_start=${Math.round(nowMs)}${fragment !== undefined ? `#${fragment}` : ''}`;
}

/** The URL a radio stream is started from (kept for callers that want one string). */
export function streamStartUrl(streamUrl, nowMs, page = {}) {
  const marked = withStartMarker(streamUrl, nowMs);
  return marked === null ? null : streamSource(marked, page).url;
}
