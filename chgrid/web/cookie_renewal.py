"""Renewing the login cookie in the websocket handshake answer (issue 11).

A cookie resume no longer hands the session token back (a same-site page must not get
it), so a browser client has nothing to pass to ``…/auth/session/set`` after a reload,
and its cookie would lapse 14 days after the last password login although the server
keeps rolling the token's expiry on every resume (auth.md §6). The ``101`` answer to a
handshake whose cookie is honoured therefore carries the same cookie again with a fresh
``Max-Age``, written exactly as ``…/auth/session/set`` writes it (auth.md §8.1); browsers
store cookies from handshake answers. If the token turns out to be invalid, the resume
fails with a "session" message and the client clears the cookie as before.

Each base path has its own cookie (upstream-0.1.md §10.3): ``chgrid_session_token`` with
``Path=/`` at the root, ``chgrid_session_<suffix>`` with ``Path=/NAME/`` for a grid served
under ``/NAME/`` (:func:`cookie_name_for`); a socket or helper reads only its own name.
"""
from __future__ import annotations

import re
from typing import Any

COOKIE_NAME = "chgrid_session_token"
COOKIE_PREFIX = "chgrid_session_"
COOKIE_MAX_AGE = 1_209_600
# Our tokens are 64 URL-safe base64 characters; anything else is not echoed into a header.
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,512}")


_NOT_NAME_RE = re.compile(r"[^a-z0-9]+")


def cookie_name_for(base: str) -> str:
    """The session cookie's name under base path ``base`` (§10.3): ``/`` keeps
    ``chgrid_session_token``; ``/My Grid/v2/`` is ``chgrid_session_my_grid_v2``."""
    suffix = _NOT_NAME_RE.sub("_", base.strip("/").casefold()).strip("_")
    return COOKIE_PREFIX + suffix if suffix else COOKIE_NAME


def cookie_token(header: str | None, name: str = COOKIE_NAME) -> str:
    """The first ``name`` part of a Cookie header, trimmed, not URL-decoded ("" if none)."""
    for part in (header or "").split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value.strip()
    return ""


def session_cookie(value: str, max_age: int, tls: bool, headers: Any,
                   name: str = COOKIE_NAME, path: str = "/") -> str:
    """The ``Set-Cookie`` value of auth.md §8.1 / upstream-0.1.md §10.3 (``Secure`` under
    TLS or when the first ``X-Forwarded-Proto`` value is https: adding it is never less
    safe, so the header is believed from anyone); shared by the cookie helpers and the
    renewal."""
    cookie = f"{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}"
    proto = (headers.get("X-Forwarded-Proto", "") or "").split(",")[0].strip().lower()
    return cookie + "; Secure" if tls or proto == "https" else cookie


def renewal_header(token: str, tls: bool, headers: Any,
                   name: str = COOKIE_NAME, path: str = "/") -> str | None:
    """The ``Set-Cookie`` value renewing ``token``, or None for a value we never issue."""
    if not _TOKEN_RE.fullmatch(token or ""):
        return None
    return session_cookie(token, COOKIE_MAX_AGE, tls, headers, name, path)
