"""What the server believes about a request's client: its origin and its address.

Both depend on ``network.trust_forwarded_for`` the same way for every handler, so the
websocket handshake and the cookie helpers (``/auth/session/*``) call these two
functions rather than reading headers themselves:

- :func:`request_trusted`: may this request use the login cookie? (the rules are in
  :mod:`chgrid.auth.origins`);
- :func:`client_address`: the address the login rate limiter (auth.md §10) and the logs
  count a request against.
"""
from __future__ import annotations

import logging
from typing import Any

# normalise_origin is re-exported: tests of the handshake rules import it from here.
from chgrid.auth.origins import normalise_origin, origin_trusted  # noqa: F401

log = logging.getLogger(__name__)


def request_trusted(request: Any, network: Any) -> bool:
    """:func:`~chgrid.auth.origins.origin_trusted` for a Tornado request and the
    ``[network]`` settings."""
    scheme = "https" if request.protocol == "https" else "http"
    origin = request.headers.get("Origin")
    trusted = origin_trusted(
        origin, scheme, request.headers, network.allowed_origins, network.trust_forwarded_for
    )
    if not trusted:
        # Info, not warning: any page a user visits can cause this, it needs no action.
        log.info("login cookie ignored for %s %s: Origin %r is not this server's",
                 request.method, request.path, (origin or "")[:200])
    return trusted


def client_address(request: Any, network: Any) -> str:
    """The client's address: the TCP peer, or behind a trusted proxy
    (``network.trust_forwarded_for``) the address that proxy reports.

    From ``X-Forwarded-For`` the *last* entry is taken: it is the one the proxy in front
    of chgrid appended, while earlier entries arrive from the client and could be
    invented to dodge the rate limiter. ``X-Real-IP`` is used when there is no
    ``X-Forwarded-For``.
    """
    if network.trust_forwarded_for:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
        real = request.headers.get("X-Real-IP", "").strip()
        if real:
            return real
    return request.remote_ip or ""
