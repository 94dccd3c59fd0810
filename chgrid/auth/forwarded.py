"""Which client address a request counts against, behind trusted proxies (issue 13).

The login rate limits (auth.md §10) key on the client's address. Behind a reverse proxy
every TCP peer is the proxy, so the address the proxy reports (``X-Forwarded-For``) must
be used, but only when the peer really is one of the operator's proxies: anyone else
could write any address into that header and get a fresh rate-limit budget per request.

``network.trusted_proxies`` lists those proxies (addresses or networks, loopback by
default) and ``network.trust_forwarded_for`` switches the forwarded headers on at all.
The ``X-Forwarded-For`` entries are walked from right to left (upstream-0.1.md §12): the
right-most entry is the one our nearest proxy appended; entries that are themselves
trusted proxies (a chain of them) or that do not parse as an address are skipped, and
the first remaining one is the client. Entries further left arrive from the client and
are never reached while a real address stands to their right.

Plain functions of strings, so the settings validate ``network.trusted_proxies`` with
:func:`is_proxy_entry`; ``chgrid.web.origins`` applies them to requests.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str | None) -> Address | None:
    """An address as proxies and sockets write it: brackets and an IPv6 zone (``%eth0``)
    are stripped, an IPv4-mapped IPv6 address counts as the IPv4 one; None otherwise."""
    text = (text or "").strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _parse_network(text: str) -> Network | None:
    text = (text or "").strip()
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        address = parse_address(text)
        return ipaddress.ip_network(address) if address is not None else None


def is_proxy_entry(text: str) -> bool:
    """True for a value ``network.trusted_proxies`` accepts: an address or a network
    (``10.0.0.0/8``, ``::1``, ``[fd00::1]``)."""
    return isinstance(text, str) and _parse_network(text) is not None


@lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    # Settings are validated at start-up: a bad entry here can only come from a test.
    return tuple(net for net in (_parse_network(entry) for entry in entries) if net is not None)


def is_trusted_proxy(peer: str | None, proxies: Iterable[str]) -> bool:
    """Whether the TCP peer ``peer`` is one of ``proxies``."""
    address = parse_address(peer)
    if address is None:
        return False
    return any(address.version == net.version and address in net for net in _networks(tuple(proxies)))


def forwarded_client(peer: str | None, forwarded_for: str | None, real_ip: str | None,
                     proxies: Iterable[str]) -> str:
    """The client address of a request from ``peer`` (its TCP peer address).

    Only when ``peer`` is a trusted proxy are the headers read: the right-most
    ``X-Forwarded-For`` entry that is neither a trusted proxy nor unparsable (when every
    entry is a trusted address, the left-most of them), else ``X-Real-IP`` when there is no ``X-Forwarded-For`` at all, else the peer. The answer
    is the address in its plain written form (``"unknown"`` for a peer that is none).
    """
    proxies = tuple(proxies)
    peer_address = parse_address(peer)
    fallback = str(peer_address) if peer_address is not None else (peer or "unknown")
    if not is_trusted_proxy(peer, proxies):
        return fallback
    entries = [part for part in (forwarded_for or "").split(",") if part.strip()]
    leftmost_proxy = None
    for entry in reversed(entries):
        address = parse_address(entry)
        if address is None:
            continue
        if not is_trusted_proxy(str(address), proxies):
            return str(address)
        leftmost_proxy = str(address)
    if leftmost_proxy is not None:
        return leftmost_proxy  # the client sits inside a trusted network itself
    if not entries:
        real = parse_address(real_ip)
        if real is not None:
            return str(real)
    return fallback
