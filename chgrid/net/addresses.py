"""Which addresses an outbound fetch may connect to, and DNS resolution for it.

A radio's stream URL is chosen by any user allowed to edit items, so fetching it must
not turn the server into a scanner of its own network: by default only globally
routable unicast addresses are allowed (``radio.allow_private_networks`` /
``CHGRID_RADIO_ALLOW_PRIVATE_NETWORKS=1`` lifts that for tests and LAN deployments).
The check runs on the resolved addresses, and the fetch then connects to exactly the
address that passed, so a DNS answer that changes between check and connect (DNS
rebinding) cannot sneak a private peer in.
"""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]

# IPv6 prefixes that carry an IPv4 address a gateway may translate to (RFC 6052/8215).
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address stands for (mapped, 6to4, Teredo, NAT64)."""
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.append(ip.teredo[1])
    if any(ip in net for net in _NAT64):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


class AddressPolicy:
    """``allowed(ip)``: may a fetch connect to this address?

    Multicast and unspecified addresses are never a stream server and are always
    refused. With ``allow_private`` False, everything that is not globally routable is
    refused too: loopback, RFC 1918 private, link-local (cloud metadata services live
    at 169.254.169.254), shared CGNAT space, unique-local IPv6, documentation and
    reserved ranges — also when wrapped in an IPv6 address.
    """

    def __init__(self, allow_private: bool = False) -> None:
        self.allow_private = allow_private

    def allowed(self, ip: IPAddress) -> bool:
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address):
            candidates += _embedded_ipv4(ip)
        for candidate in candidates:
            if candidate.is_multicast or candidate.is_unspecified:
                return False
            if not self.allow_private and not candidate.is_global:
                return False
        return True

    def __call__(self, ip: IPAddress) -> bool:
        return self.allowed(ip)


def system_resolver(host: str, port: int) -> list[str]:
    """The host's addresses as text, in the resolver's preference order (no duplicates).

    Blocking: called only from a poller actor's own thread.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


def parse_ip(text: str) -> IPAddress | None:
    """An address from resolver output (an IPv6 zone suffix is dropped), or None."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
