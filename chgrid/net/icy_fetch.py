"""One hardened ICY metadata fetch (items.md §10.4, with the spec's security advice).

``IcyFetcher(url)`` returns the station name and current title of an internet radio
stream, or an error (the poller then stores both as empty, as the reference does). It
blocks, and is only ever called from a radio poller actor's own thread. Bounds:

- only ``http``/``https`` URLs without credentials; at most 5 redirects, each
  ``Location`` (resolved against the current URL) checked like the first URL
  (upstream-0.1.md §13.2);
- every hop resolves the host, checks *every* address with an :class:`AddressPolicy`
  (private, loopback and link-local refused unless allowed; one refused address refuses
  the host) and connects to an address that passed (no second lookup, so no DNS
  rebinding);
- one total deadline (``radio.fetch_timeout_s``) for all hops, connects, TLS
  handshakes and reads — every socket wait gets only the time that is left;
- reads are capped: 16 KiB of response head, ``icy-metaint`` bytes of audio (at most
  64 KiB) plus one length byte and one metadata block (at most 255 × 16 = 4080 bytes);
- a process-wide semaphore keeps at most 4 fetches in flight, so a crowd of radios
  cannot open an unbounded number of sockets.

The request is HTTP/1.0 (a server must then not answer chunked) with the reference's
headers; ``ICY 200 OK`` status lines of old SHOUTcast servers are accepted too.
"""
from __future__ import annotations

import logging
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from chgrid.items.types.radio_station.icy import (
    MAX_METAINT,
    IcyTitleReader,
    icy_headers_station_name,
    icy_metaint,
)
from chgrid.net.addresses import AddressPolicy, IPAddress, Resolver, parse_ip, system_resolver

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MAX_HEAD_BYTES = 16 * 1024
DEFAULT_CONCURRENCY = 4
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
_RECV_CHUNK = 4096
_STATUS = re.compile(rb"(?:HTTP/\d(?:\.\d)?|ICY)\s+(\d{3})(?:\s.*)?", re.ASCII)
_UNSAFE_URL = re.compile(r"[\x00-\x20\x7f]")

# One limit for the whole process: fetches of every room share it.
FETCH_SLOTS = threading.BoundedSemaphore(DEFAULT_CONCURRENCY)


class FetchError(Exception):
    """The fetch failed; the message says why (logged, never sent to clients)."""


class RefusedAddress(FetchError):
    """The URL's host resolves only to addresses the policy refuses."""


@dataclass(frozen=True)
class IcyResult:
    """What one fetch found. ``error`` set: treat as "no metadata" (both empty).

    ``skipped``: no fetch slot became free in time; not a verdict on the stream, so
    the poller reports nothing and keeps the stored metadata.
    """

    station_name: str = ""
    now_playing: str = ""
    error: str | None = None
    skipped: bool = False


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str          # IDNA-encoded, without brackets
    port: int
    request_path: str
    host_header: str


def parse_target(url: str) -> _Target:
    """Split a stream URL; anything but a clean http(s) URL is a :class:`FetchError`."""
    if not isinstance(url, str) or _UNSAFE_URL.search(url.strip()):
        raise FetchError("URL contains spaces or control characters")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError("only http and https URLs are fetched")
    try:
        host = parts.hostname
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError as error:
        raise FetchError(f"bad URL: {error}") from None
    if not host:
        raise FetchError("URL has no host")
    if parts.username or parts.password:
        raise FetchError("URL includes credentials")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise FetchError("host name cannot be encoded") from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    # Non-ASCII path characters go out percent-encoded; existing escapes are kept.
    path = quote(path, safe="!#$%&'()*+,/:;=?@[]~")
    shown = f"[{host}]" if ":" in host else host
    default_port = 443 if scheme == "https" else 80
    host_header = shown if port == default_port else f"{shown}:{port}"
    return _Target(scheme, host, port, path, host_header)


class _Connection:
    """A socket with a deadline: every wait gets only the time left before it."""

    def __init__(self, sock: socket.socket, deadline: float, now: Callable[[], float]) -> None:
        self._sock = sock
        self._deadline = deadline
        self._now = now
        self._buffer = bytearray()

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass

    def _remaining(self) -> float:
        left = self._deadline - self._now()
        if left <= 0:
            raise FetchError("timed out")
        return left

    def send(self, data: bytes) -> None:
        self._sock.settimeout(self._remaining())
        try:
            self._sock.sendall(data)
        except socket.timeout:
            raise FetchError("timed out") from None

    def _recv(self) -> bytes:
        self._sock.settimeout(self._remaining())
        try:
            return self._sock.recv(_RECV_CHUNK)
        except socket.timeout:
            raise FetchError("timed out") from None

    def read_head(self) -> tuple[int, dict[str, str]]:
        """Status code and headers (lower-case names, first occurrence wins)."""
        while True:
            end, gap = _head_end(self._buffer)
            if end >= 0:
                break
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise FetchError("response head too large")
            chunk = self._recv()
            if not chunk:
                raise FetchError("connection closed before the response head")
            self._buffer.extend(chunk)
        head = bytes(self._buffer[:end])
        del self._buffer[: end + gap]
        if len(head) > MAX_HEAD_BYTES:
            raise FetchError("response head too large")
        lines = head.replace(b"\r\n", b"\n").split(b"\n")
        match = _STATUS.fullmatch(lines[0].strip())
        if not match:
            raise FetchError("not an HTTP or ICY response")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep:
                continue
            key = name.strip().decode("latin-1").lower()
            headers.setdefault(key, _header_text(value.strip()))
        return int(match.group(1)), headers

    def read_some(self, limit: int) -> bytes:
        """Up to ``limit`` body bytes; ``b""`` at the end of the stream."""
        if not self._buffer:
            chunk = self._recv()
            if not chunk:
                return b""
            self._buffer.extend(chunk)
        data = bytes(self._buffer[:limit])
        del self._buffer[:limit]
        return data


def _head_end(buffer: bytearray) -> tuple[int, int]:
    """Index and length of the blank line ending the head, or (-1, 0)."""
    crlf = buffer.find(b"\r\n\r\n")
    lf = buffer.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf <= lf):
        return crlf, 4
    if lf >= 0:
        return lf, 2
    return -1, 0


def _header_text(raw: bytes) -> str:
    """Header values: ICY servers often send UTF-8 station names despite HTTP's latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class IcyFetcher:
    """A configured fetch; call it with a URL to get an :class:`IcyResult`.

    ``policy`` decides which peers are allowed (default: :class:`AddressPolicy` built
    from ``allow_private``); ``resolver`` maps ``(host, port)`` to address strings
    (default: the system resolver). Both are injectable for tests.
    """

    def __init__(self, *, allow_private: bool = False, timeout_s: float = 8.0,
                 max_redirects: int = MAX_REDIRECTS, max_metaint: int = MAX_METAINT,
                 policy: Callable[[IPAddress], bool] | None = None,
                 resolver: Resolver | None = None,
                 slots: threading.Semaphore | None = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.timeout_s = timeout_s
        self.max_redirects = max_redirects
        self.max_metaint = max_metaint
        self.policy = policy or AddressPolicy(allow_private)
        self.resolver = resolver or system_resolver
        self.slots = slots or FETCH_SLOTS
        self._now = monotonic
        self._tls = tls_context

    def __call__(self, url: str) -> IcyResult:
        if not self.slots.acquire(timeout=self.timeout_s):
            return IcyResult(error="no fetch slot free", skipped=True)
        try:
            station, title = self._fetch(url, self._now() + self.timeout_s)
            return IcyResult(station, title)
        except FetchError as error:
            return IcyResult(error=str(error))
        except (OSError, ValueError, UnicodeError) as error:
            # Connection refused, reset, TLS failure, odd bytes: all "no metadata".
            return IcyResult(error=f"{type(error).__name__}: {error}")
        finally:
            self.slots.release()

    def _fetch(self, url: str, deadline: float) -> tuple[str, str]:
        current = url
        for _hop in range(self.max_redirects + 1):
            target = parse_target(current)
            connection = self._open(target, deadline)
            try:
                connection.send(_request(target))
                status, headers = connection.read_head()
                if status in REDIRECT_CODES:
                    location = headers.get("location", "").strip()
                    if not location:
                        raise FetchError(f"redirect {status} without a location")
                    current = urljoin(current, location)
                    continue
                if not 200 <= status < 300:
                    raise FetchError(f"HTTP status {status}")
                return self._read_metadata(connection, headers)
            finally:
                connection.close()
        raise FetchError(f"more than {self.max_redirects} redirects")

    def _pick_address(self, target: _Target) -> IPAddress:
        try:
            answers = self.resolver(target.host, target.port)
        except (OSError, UnicodeError) as error:
            raise FetchError(f"cannot resolve {target.host}: {error}") from None
        addresses = [ip for ip in (parse_ip(a) for a in answers) if ip is not None]
        if not addresses:
            raise FetchError(f"{target.host} has no address")
        if not all(self.policy(ip) for ip in addresses):
            raise RefusedAddress(f"{target.host} resolves to a refused address")
        return addresses[0]

    def _open(self, target: _Target, deadline: float) -> _Connection:
        ip = self._pick_address(target)
        left = deadline - self._now()
        if left <= 0:
            raise FetchError("timed out")
        try:
            sock = socket.create_connection((str(ip), target.port), timeout=left)
        except socket.timeout:
            raise FetchError("timed out while connecting") from None
        if target.scheme == "https":
            try:
                context = self._tls or ssl.create_default_context()
                sock.settimeout(max(0.001, deadline - self._now()))
                # Verify the certificate against the URL's host, not the address.
                sock = context.wrap_socket(sock, server_hostname=target.host)
            except socket.timeout:
                sock.close()
                raise FetchError("timed out during the TLS handshake") from None
            except (OSError, ssl.SSLError):
                sock.close()
                raise
        return _Connection(sock, deadline, self._now)

    def _read_metadata(self, connection: _Connection, headers: dict[str, str]) -> tuple[str, str]:
        station = icy_headers_station_name(headers)
        metaint = icy_metaint(headers)
        if metaint is None or metaint > self.max_metaint:
            # No interval, or one we refuse to skip through: the name is all we learn.
            return station, ""
        reader = IcyTitleReader(metaint, self.max_metaint)
        while not reader.done:
            chunk = connection.read_some(reader.bytes_wanted())
            if not chunk:
                raise FetchError("stream ended before its first metadata block")
            reader.feed(chunk)
        return station, reader.title or ""


def _request(target: _Target) -> bytes:
    lines = [
        f"GET {target.request_path} HTTP/1.0",
        f"Host: {target.host_header}",
        "Icy-MetaData: 1",
        "User-Agent: ChatGrid",
        "Accept-Encoding: identity",
        "Connection: close",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def fetcher_from_settings(settings) -> IcyFetcher:
    """The fetcher a poller uses, from ``RadioSettings``."""
    return IcyFetcher(allow_private=settings.allow_private_networks,
                      timeout_s=settings.fetch_timeout_s)
