// Where this grid lives on its host (upstream-0.1.md §10): a grid may be served under a
// base path such as /lobby/, so every URL the client builds (websocket, cookie helpers,
// client_branding.json, media proxy, sounds) is made relative to the page's own folder,
// never to the host root. The one place that knows how; pure apart from the default
// `location` argument.

/** The page's folder: "/" for "/" or "/index.html", "/lobby/" for "/lobby/" or "/lobby/index.html". */
export function basePath(loc = globalThis.location) {
  const path = loc?.pathname || '/';
  return path.endsWith('/') ? path : path.slice(0, path.lastIndexOf('/') + 1);
}

/** An absolute http(s) URL for `relative` under the base path ("auth/session/set" → "https://host/lobby/auth/session/set"). */
export function pageUrl(relative, loc = globalThis.location) {
  const origin = loc?.origin || `${loc?.protocol}//${loc?.host}`;
  return `${origin}${basePath(loc)}${String(relative).replace(/^\/+/, '')}`;
}

/** The grid's websocket: ws(s)://host<base>ws. */
export function websocketUrl(loc = globalThis.location) {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${basePath(loc)}ws`;
}

/** The media proxy URL for a target (upstream-0.1.md §14): absolute, under the base path. */
export function mediaProxyUrl(target, loc = globalThis.location) {
  return `${pageUrl('media_proxy.php', loc)}?url=${encodeURIComponent(target)}`;
}
