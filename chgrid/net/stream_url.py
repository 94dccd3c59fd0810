"""A radio's ``streamUrl``: the rules of upstream-0.1.md §13.1.

:func:`check_stream_url` takes the already trimmed, non-empty text and returns what to
store, or raises :class:`StreamUrlError` with the exact client message:

- an absolute URL must have a host, use http/https and carry no credentials; its host
  must resolve, and *every* address it resolves to must pass the
  :class:`~chgrid.net.addresses.AddressPolicy` (globally routable unless
  ``radio.allow_private_networks``); it is stored re-assembled with a lower-case scheme
  and host, an explicit port kept;
- without a scheme, only a site-relative path (``/…``, e.g. this grid's media proxy) is
  accepted, unchanged.

The lookup is bounded by ``dns_timeout_s`` (:mod:`chgrid.net.dns`): the check runs in a
room's thread, which must not stall behind a hanging resolver. A lookup that times out
counts as "DNS resolution failed.".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from chgrid.net.addresses import AddressPolicy, Resolver
from chgrid.net.dns import ResolutionFailed, resolve_bounded

DEFAULT_DNS_TIMEOUT_S = 2.0
_CONTROL = re.compile(r"[\x00-\x20\x7f]")

INVALID = "streamUrl must be a valid http/https URL."
SCHEME = "streamUrl must use http or https."
CREDENTIALS = "streamUrl must not include credentials."
DNS_FAILED = "DNS resolution failed."
NOT_PUBLIC = "streamUrl must resolve to a public IP address."
HOST_WITHOUT_SCHEME = "streamUrl must use http or https when specifying a host."
NOT_ABSOLUTE = "streamUrl must be an absolute http/https URL or site-relative path."


class StreamUrlError(ValueError):
    """The URL is refused; ``message`` is what the client is told."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StreamUrlRules:
    """How strictly stream URLs are checked (from ``[radio]``); ``resolver`` is for tests."""

    allow_private: bool = False
    dns_timeout_s: float = DEFAULT_DNS_TIMEOUT_S
    resolver: Resolver | None = None


def _split(text: str) -> SplitResult:
    if _CONTROL.search(text):
        raise StreamUrlError(INVALID)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise StreamUrlError(INVALID) from None
    return parts


def check_stream_url(text: str, rules: StreamUrlRules) -> str:
    """The value to store for ``text`` (trimmed, non-empty), or :class:`StreamUrlError`."""
    if text.startswith("//"):
        raise StreamUrlError(HOST_WITHOUT_SCHEME)
    if text.startswith("/"):
        if _CONTROL.search(text):
            raise StreamUrlError(NOT_ABSOLUTE)
        return text
    if ":" not in text.split("/", 1)[0]:
        raise StreamUrlError(NOT_ABSOLUTE)  # "radio.example/live": no scheme, not a path
    parts = _split(text)
    if not parts.hostname:
        raise StreamUrlError(INVALID)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise StreamUrlError(SCHEME)
    if parts.username or parts.password:
        raise StreamUrlError(CREDENTIALS)
    host = parts.hostname.lower()
    check_host_public(host, parts.port or (443 if scheme == "https" else 80), rules)
    shown = f"[{host}]" if ":" in host else host
    netloc = shown if parts.port is None else f"{shown}:{parts.port}"
    rest = parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return f"{scheme}://{netloc}{rest}"


def check_host_public(host: str, port: int, rules: StreamUrlRules) -> None:
    """Resolve ``host``; every address must pass the policy (else :class:`StreamUrlError`)."""
    try:
        lookup_name = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise StreamUrlError(DNS_FAILED) from None
    try:
        addresses = resolve_bounded(lookup_name, port, rules.dns_timeout_s, rules.resolver)
    except ResolutionFailed:
        raise StreamUrlError(DNS_FAILED) from None
    policy = AddressPolicy(rules.allow_private)
    if not all(policy(ip) for ip in addresses):
        raise StreamUrlError(NOT_PUBLIC)
