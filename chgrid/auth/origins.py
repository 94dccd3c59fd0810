"""Which browser origins may use the websocket and the login cookie: the pure part.

``network.allowed_origins`` is the allow-list of upstream-0.1.md §27.2.

**Empty (the default)**: the websocket accepts every ``Origin`` (protocol.md §1.3, as the
2026-02-28 protocol requires). The login cookie is ``SameSite=Lax``, so a page on another
port of the same host is *same-site* and the browser sends the cookie with that page's
websocket handshake and its cookie-helper requests (issue 11, defect 4). The cookie is
therefore honoured only when the request's ``Origin`` is

- absent (non-browser clients; browsers' same-origin ``fetch`` GETs also omit it), or
- the server's own origin: ``scheme://host:port`` the request was addressed to, from the
  ``Host`` header and the TLS state (``X-Forwarded-Proto`` / ``X-Forwarded-Host`` only
  from a trusted proxy, see :mod:`chgrid.auth.forwarded`).

**Set**: only the listed origins, nothing else, not even the server's own (list it when
the server serves the bundled client; a ``Host``-derived origin cannot tell a DNS-rebound
page from ours). The websocket handshake needs an ``Origin`` in the list
(:func:`handshake_allowed`); the cookie helpers and the handshake cookie follow §11.3
(:func:`origin_trusted`): an ``Origin`` header must be listed; without one,
``Sec-Fetch-Site: same-origin`` or a ``Referer`` of a listed origin will do.

Everything here is a plain function of strings and header mappings, so the settings can
validate ``network.allowed_origins`` with it; ``chgrid.web.origins`` applies it to requests.
"""
from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_origin(text: str) -> str | None:
    """``scheme://host:port`` (lower-case, explicit port, IPv6 bracketed) or None.

    Accepts what browsers send (``https://example.org``, ``http://127.0.0.1:8080``) and,
    for configuration, one trailing ``/``. Anything with credentials, a path, a query or
    a fragment, another scheme, or ``null`` is None: never equal to a trusted origin.
    """
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text.isascii() or any(ch.isspace() or ch == "\\" for ch in text):
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if "@" in parts.netloc or parts.path not in ("", "/") or "?" in text or "#" in text:
        return None
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port if port is not None else DEFAULT_PORTS[scheme]}"


def is_origin(text: str) -> bool:
    """True for a value ``network.allowed_origins`` accepts."""
    return normalise_origin(text) is not None


def _first(value: str) -> str:
    return value.split(",")[0].strip()


def server_origin(scheme: str, headers: Any, trust_forwarded: bool) -> str | None:
    """The origin a request was addressed to, or None when it cannot be told.

    ``scheme`` is ``http`` or ``https`` as the connection arrived (TLS or not); the host
    comes from ``Host``. Behind a trusted proxy the forwarded scheme and host win.
    """
    host = headers.get("Host", "") or ""
    if trust_forwarded:
        proto = _first(headers.get("X-Forwarded-Proto", "") or "").lower()
        if proto in DEFAULT_PORTS:
            scheme = proto
        forwarded_host = _first(headers.get("X-Forwarded-Host", "") or "")
        if forwarded_host:
            host = forwarded_host
    host = host.strip()
    if not host or "/" in host or "@" in host:
        return None
    return normalise_origin(f"{scheme}://{host}")


def _listed(allowed: Iterable[str]) -> set[str]:
    return {origin for origin in (normalise_origin(entry) for entry in allowed) if origin}


def handshake_allowed(origin: str | None, allowed: Iterable[str]) -> bool:
    """Whether a websocket handshake with this ``Origin`` header may open at all: always
    with an empty allow-list, else only from a listed origin (a missing one is refused)."""
    listed = _listed(allowed)
    if not listed:
        return True
    return normalise_origin(origin or "") in listed


def _referer_origin(referer: str) -> str | None:
    try:
        parts = urlsplit(referer.strip())
    except ValueError:
        return None
    if not parts.scheme or not parts.netloc:
        return None
    return normalise_origin(f"{parts.scheme}://{parts.netloc}")


def origin_trusted(
    origin: str | None, scheme: str, headers: Any, allowed: Iterable[str], trust_forwarded: bool
) -> bool:
    """Whether a request whose ``Origin`` header is ``origin`` may use the login cookie
    (the handshake's cookie resume and the ``…/auth/session/*`` helpers)."""
    listed = _listed(allowed)
    if listed:
        # upstream-0.1.md §11.3, with the allow-list in place of the one host origin.
        if origin is not None and origin.strip():
            return normalise_origin(origin) in listed
        if (headers.get("Sec-Fetch-Site", "") or "").strip().lower() == "same-origin":
            return True
        referer = headers.get("Referer", "") or ""
        return bool(referer.strip()) and _referer_origin(referer) in listed
    if origin is None or not origin.strip():
        return True  # not a browser's cross-origin request
    normalised = normalise_origin(origin)
    if normalised is None:
        return False
    return normalised == server_origin(scheme, headers, trust_forwarded)
