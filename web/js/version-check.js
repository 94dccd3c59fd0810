// The client reload rule (upstream-0.1.md §2.3, adapted; docs/client.md "Versions"): the
// server names the client revision it serves (`expectedClientRevision`); a page built from
// another revision reloads once to fetch it. A server that does not send the field (the
// 2026-02-28 protocol) is compared the old way, by `serverInfo.version`. Pure.

/** This page's versions from version.js globals. */
export function pageVersions(g = globalThis) {
  const str = (v) => (typeof v === 'string' ? v.trim() : '');
  return {
    release: str(g.CHGRID_RELEASE_VERSION),
    revision: str(g.CHGRID_CLIENT_REVISION),
    legacy: str(g.CHGRID_WEB_VERSION),
  };
}

/** The footer's version text: "{release} {revision}" (non-empty parts), else the old version, else "unknown". */
export function footerVersion(page) {
  const parts = [page.release, page.revision].filter(Boolean);
  if (parts.length) return parts.join(' ');
  return page.legacy || 'unknown';
}

/**
 * What a server packet asks of this page: null (nothing) or {target, message} to reload
 * for. `source` is auth_required or welcome.serverInfo; `where` is 'auth_required' or 'welcome'.
 */
export function reloadWanted(source, page, where) {
  if (!source) return null;
  if (typeof source.expectedClientRevision === 'string') {
    const expected = source.expectedClientRevision.trim();
    if (!expected || expected === page.revision) return null;
    const message = where === 'welcome'
      ? `Server expects client ${expected}. Reloading client...`
      : `Server ${source.serverVersion || 'unknown'} expects client ${expected}. Reloading client...`;
    return { target: expected, message };
  }
  // An older server: only welcome carries its version, compared with CHGRID_WEB_VERSION.
  if (where !== 'welcome' || 'serverVersion' in source) return null;
  const version = typeof source.version === 'string' ? source.version.trim() : '';
  if (!version || version === 'unknown' || version === page.legacy) return null;
  return { target: version, message: `Server version ${version} detected. Reloading client...` };
}

/** The version to announce on joining: serverVersion, else the old `version`, else "unknown". */
export function announcedVersion(serverInfo) {
  const pick = (v) => (typeof v === 'string' && v.trim() ? v.trim() : '');
  return pick(serverInfo?.serverVersion) || pick(serverInfo?.version) || 'unknown';
}
