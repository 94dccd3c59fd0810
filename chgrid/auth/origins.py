"""Which browser origins may use the login cookie (issue 11, defect 4): the pure part.

The websocket accepts every ``Origin`` (protocol.md §1.3), and the ``chgrid_session_token``
cookie is ``SameSite=Lax``: a page on another port of the same host is *same-site*, so the
browser sends the cookie with that page's websocket handshake and its cookie-helper
requests. The cookie is therefore honoured only when the request's ``Origin`` is

- absent (non-browser clients; browsers' same-origin ``fetch`` GETs also omit it),
- the server's own origin: ``scheme://host:port`` the request was addressed to, from the
  ``Host`` header and the TLS state (``X-Forwarded-Proto`` / ``X-Forwarded-Host`` only
  when ``network.trust_forwarded_for`` is on), or
- listed in ``network.allowed_origins``.

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


def origin_trusted(
    origin: str | None, scheme: str, headers: Any, allowed: Iterable[str], trust_forwarded: bool
) -> bool:
    """Whether a request whose ``Origin`` header is ``origin`` may use the login cookie."""
    if origin is None or not origin.strip():
        return True  # not a browser's cross-origin request
    normalised = normalise_origin(origin)
    if normalised is None:
        return False
    if normalised in {normalise_origin(entry) for entry in allowed}:
        return True
    return normalised == server_origin(scheme, headers, trust_forwarded)
