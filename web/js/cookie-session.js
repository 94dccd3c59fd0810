// The HttpOnly login-cookie helpers (auth.md §8): GET auth/session/set|clear|check with
// the client header. Tried under the page's base path first, then at the host root, so
// both sub-path and root deployments work (the reference only tried the base path).
import { basePath } from './base-path.js';

async function call(name, token) {
  const headers = { 'X-Chgrid-Auth-Client': '1' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const base = basePath();
  const candidates = base === '/' ? ['/'] : [base, '/'];
  let last = null;
  for (const prefix of candidates) {
    try {
      last = await fetch(`${prefix}auth/session/${name}`, { method: 'GET', headers, credentials: 'include', cache: 'no-store' });
      if (last.status !== 404 && last.status !== 426) return last;
    } catch (error) {
      console.warn(`chgrid: auth/session/${name} failed`, error);
    }
  }
  return last;
}

/** Store the login token in the HttpOnly cookie. Resolves to true on success. */
export async function setSessionCookie(token) {
  const response = await call('set', token);
  return Boolean(response && response.ok);
}

/** Expire the login cookie. */
export async function clearSessionCookie() {
  const response = await call('clear');
  return Boolean(response && response.ok);
}

/**
 * Ask whether the cookie holds a valid session: 'valid' (204), 'invalid' (401), or
 * 'unknown' when the server does not offer the check or cannot be reached.
 */
export async function checkSessionCookie() {
  const response = await call('check');
  if (!response) return 'unknown';
  if (response.status === 204) return 'valid';
  if (response.status === 401) return 'invalid';
  return 'unknown';
}
