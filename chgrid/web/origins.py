"""What the server believes about a request's client: its origin and its address.

Every handler (the websocket handshake, the cookie helpers ``…/auth/session/*``, the
media proxy) calls these functions rather than reading headers itself, so the
``[network]`` settings apply the same way everywhere:

- :func:`handshake_allowed`: may this websocket open at all? (``network.allowed_origins``);
- :func:`request_trusted`: may this request use the login cookie? (the rules are in
  :mod:`chgrid.auth.origins`);
- :func:`client_address`: the address the login rate limiter (auth.md §10) and the logs
  count a request against: forwarded headers only from ``network.trusted_proxies``
  (:mod:`chgrid.auth.forwarded`).
"""
from __future__ import annotations

import logging
from typing import Any

from chgrid.auth import forwarded
from chgrid.auth import origins as rules
# normalise_origin and origin_trusted are re-exported: tests of the rules import them from here.
from chgrid.auth.origins import normalise_origin, origin_trusted  # noqa: F401

log = logging.getLogger(__name__)

# The proxies trusted when a settings object names none (the settings' own default).
LOOPBACK_PROXIES = ("127.0.0.0/8", "::1")


def trusted_proxies(network: Any) -> tuple[str, ...]:
    """The proxies whose forwarded headers count: none unless ``trust_forwarded_for``."""
    if not network.trust_forwarded_for:
        return ()
    return tuple(getattr(network, "trusted_proxies", LOOPBACK_PROXIES))


def from_trusted_proxy(request: Any, network: Any) -> bool:
    """Whether the request's TCP peer is a proxy whose forwarded headers count."""
    return forwarded.is_trusted_proxy(request.remote_ip, trusted_proxies(network))


def handshake_allowed(request: Any, network: Any) -> bool:
    """Whether a websocket handshake's ``Origin`` passes ``network.allowed_origins``."""
    origin = request.headers.get("Origin")
    allowed = rules.handshake_allowed(origin, network.allowed_origins)
    if not allowed:
        log.info("websocket refused from %s: Origin %r is not in network.allowed_origins",
                 client_address(request, network), (origin or "")[:200])
    return allowed


def request_trusted(request: Any, network: Any) -> bool:
    """:func:`~chgrid.auth.origins.origin_trusted` for a Tornado request and the
    ``[network]`` settings."""
    scheme = "https" if request.protocol == "https" else "http"
    origin = request.headers.get("Origin")
    trusted = origin_trusted(origin, scheme, request.headers, network.allowed_origins,
                             from_trusted_proxy(request, network))
    if not trusted:
        # Info, not warning: any page a user visits can cause this, it needs no action.
        log.info("login cookie ignored for %s %s: Origin %r is not allowed",
                 request.method, request.path, (origin or "")[:200])
    return trusted


def client_address(request: Any, network: Any) -> str:
    """The client's address: the TCP peer, or, when that peer is a trusted proxy
    (``network.trust_forwarded_for`` and ``network.trusted_proxies``), the address the
    proxy reports (:func:`chgrid.auth.forwarded.forwarded_client`)."""
    headers = request.headers
    return forwarded.forwarded_client(request.remote_ip, headers.get("X-Forwarded-For"),
                                      headers.get("X-Real-IP"), trusted_proxies(network))
