"""What the media proxy may fetch: the URL rules of upstream-0.1.md §14.2, without I/O.

The proxy (``chgrid.web.media_proxy``) calls :func:`check_target` on the requested URL
and on every redirect hop; a :class:`Refusal` carries the HTTP status and the plain-text
message to answer with. Address checks after DNS resolution use
:func:`check_addresses`; the proxy's resolver applies it to exactly the addresses it
then connects to, so a changing DNS answer cannot slip a private peer in.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from chgrid.net.addresses import AddressPolicy, IPAddress

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
DROPBOX_SUFFIXES = ("dropbox.com", "dropboxusercontent.com")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


class Refusal(Exception):
    """The proxy refuses: answer ``status`` with ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Target:
    """A URL that passed the checks: what to fetch and the host to resolve."""

    url: str
    host: str  # IDNA-encoded, lower case, without brackets
    port: int


def host_matches(host: str, suffixes: Sequence[str]) -> bool:
    """``host`` equals one of ``suffixes`` or ends in ``.suffix`` (case-insensitive)."""
    host = host.lower().rstrip(".")
    for suffix in suffixes:
        suffix = suffix.strip().lower().strip(".")
        if suffix and (host == suffix or host.endswith("." + suffix)):
            return True
    return False


def dropbox_rewrite(url: str) -> str:
    """A Dropbox share link as a direct download: ``raw=1``, ``dl`` removed."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return url
    if not host_matches(host, DROPBOX_SUFFIXES):
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("dl", "raw")]
    query.append(("raw", "1"))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def check_target(url: str, *, allow_private: bool, allowlist: Sequence[str]) -> Target:
    """The checks before DNS: syntax, scheme, credentials, host names, allow-list."""
    if _CONTROL.search(url):
        raise Refusal(400, "invalid url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise Refusal(400, "invalid url") from None
    scheme = parts.scheme.lower()
    if not scheme or not host:
        raise Refusal(400, "invalid url")
    if scheme not in ("http", "https"):
        raise Refusal(400, "unsupported scheme")
    if parts.username or parts.password:
        raise Refusal(400, "credentials not allowed")
    host = host.lower().rstrip(".")
    if not allow_private and host in LOOPBACK_NAMES:
        raise Refusal(403, "forbidden host")
    if allowlist and not host_matches(host, allowlist):
        raise Refusal(403, "host not allowed")
    try:
        lookup = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refusal(400, "invalid url") from None
    # Sent as ASCII: the IDNA host, non-ASCII path and query percent-encoded (existing
    # escapes kept); the fragment never leaves the browser.
    shown = f"[{lookup}]" if ":" in lookup else lookup
    netloc = shown if port is None else f"{shown}:{port}"
    safe = "!$%&'()*+,/:;=?@[]~"
    clean = urlunsplit((scheme, netloc, quote(parts.path or "/", safe=safe),
                        quote(parts.query, safe=safe), ""))
    return Target(clean, lookup, port or (443 if scheme == "https" else 80))


def check_addresses(addresses: Sequence[IPAddress], allow_private: bool) -> None:
    """Every resolved address must be allowed; none at all is a DNS failure."""
    if not addresses:
        raise Refusal(502, "dns resolution failed")
    policy = AddressPolicy(allow_private)
    if not all(policy(ip) for ip in addresses):
        raise Refusal(403, "resolved ip not allowed")
