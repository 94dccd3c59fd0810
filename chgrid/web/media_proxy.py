"""``<base>media_proxy.php?url=…``: radio streams and item sounds fetched for a player.

The v0.1.0 client sends ``http:`` radio streams, Dropbox links and every cross-origin
item sound through this route (upstream-0.1.md §14.1), so they play on an ``https:``
page. chgrid serves it itself (§27.5) with the radio's SSRF protections; it is never an
open proxy. A request, in order (§14.2, with chgrid's own session check):

1. an ``Origin`` header (when present) the cookie helpers would not trust → 403
   ``origin not allowed``; CORS
   headers for the trusted origin; ``OPTIONS`` → 204; other methods than GET/HEAD → 405;
2. the grid's session cookie, resumed by the account actor (which rolls its expiry):
   missing or not valid → 401 ``session required``;
3. ``url`` trimmed (empty → 400), Dropbox share links rewritten to ``raw=1``;
4. the URL checks of :mod:`chgrid.net.media_target` on the URL and every redirect hop
   (at most 5, followed here, never by the HTTP client); DNS runs off the IOLoop and
   *every* address must be public (unless ``radio.allow_private_networks``); the
   connection goes to exactly the addresses that were checked;
5. at most ``media_proxy.max_per_session`` streams per account at once (429);
6. the upstream answer streamed through chunk by chunk: the next chunk is read only
   once the previous one is written to the player (back-pressure), so nothing is
   buffered whole. Status, ``Content-Type`` (media types only, anything else becomes
   ``application/octet-stream`` so a proxied page or script can never run on this
   origin), ``Content-Length``, ``Accept-Ranges``, ``Content-Range`` and
   ``Cache-Control`` (default ``no-store``) are passed on; the player's ``Range`` is
   passed up. A response ends cleanly after ``max_response_bytes`` or
   ``max_duration_s``.

Error bodies are ``text/plain; charset=utf-8`` with a trailing newline.
"""
from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any
from urllib.parse import urljoin

from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.httputil import HTTPHeaders, HTTPInputError, parse_response_start_line
from tornado.iostream import StreamClosedError
from tornado.netutil import Resolver
from tornado.simple_httpclient import HTTPTimeoutError, SimpleAsyncHTTPClient
from tornado.web import RequestHandler

from chgrid.net.addresses import parse_ip, system_resolver
from chgrid.net.dns import executor
from chgrid.net.media_target import Refusal, Target, check_addresses, check_target, dropbox_rewrite
from chgrid.web import origins
from chgrid.web.bridge import ask
from chgrid.web.context import ServerContext
from chgrid.web.cookie_renewal import cookie_token
from chgrid.web.sites import GridSite, root_site

log = logging.getLogger(__name__)

MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "ChatGridMediaProxy/1.0"
PASSED_HEADERS = ("Content-Length", "Accept-Ranges", "Content-Range")
MEDIA_TYPE_PREFIXES = ("audio/", "video/")
MEDIA_TYPES = frozenset({"application/ogg", "application/octet-stream", "application/mp4",
                         "application/vnd.apple.mpegurl", "application/x-mpegurl"})
PROXY_IDENTITY = "media-proxy"  # what failed resumes count against in the login limiter


class SessionSlots:
    """How many proxied streams each account has open. Used on the IOLoop only."""

    def __init__(self) -> None:
        self._open: dict[int, int] = {}

    def take(self, user_id: int, cap: int) -> bool:
        if self._open.get(user_id, 0) >= cap:
            return False
        self._open[user_id] = self._open.get(user_id, 0) + 1
        return True

    def release(self, user_id: int) -> None:
        left = self._open.get(user_id, 0) - 1
        if left > 0:
            self._open[user_id] = left
        else:
            self._open.pop(user_id, None)

    def open_count(self, user_id: int) -> int:
        return self._open.get(user_id, 0)


# One table per process: the cap holds across every grid the account uses here.
SHARED_SLOTS = SessionSlots()


class CheckingResolver(Resolver):
    """Resolves off the IOLoop and refuses the host unless every address is allowed;
    the HTTP client connects only to the addresses returned here."""

    def initialize(self, allow_private: bool, timeout_s: float) -> None:  # type: ignore[override]
        self.allow_private = allow_private
        self.timeout_s = timeout_s

    async def resolve(self, host: str, port: int, family: socket.AddressFamily = socket.AF_UNSPEC):
        literal = parse_ip(host.strip("[]"))
        if literal is not None:
            addresses = [literal]
        else:
            loop = asyncio.get_running_loop()
            try:
                answers = await asyncio.wait_for(
                    loop.run_in_executor(executor(), system_resolver, host, port), self.timeout_s)
            except (OSError, UnicodeError, asyncio.TimeoutError):
                raise Refusal(502, "dns resolution failed") from None
            addresses = [ip for ip in (parse_ip(a) for a in answers) if ip is not None]
        check_addresses(addresses, self.allow_private)
        return [(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, (str(ip), port))
                for ip in addresses]


def media_type(value: str | None) -> str:
    """The upstream ``Content-Type`` when it is a media type, else octet-stream."""
    text = (value or "").strip()
    bare = text.split(";", 1)[0].strip().lower()
    if bare.startswith(MEDIA_TYPE_PREFIXES) or bare in MEDIA_TYPES:
        return text
    return "application/octet-stream"


class _Cut(HTTPInputError):
    """Raised into the upstream read to stop it: limit reached or player gone. An
    ``HTTPInputError`` so that Tornado closes the upstream connection without logging
    a traceback."""


class MediaProxyHandler(RequestHandler):
    """The proxy route of one base path: ``site`` gives the session cookie's name (the
    root's when None); ``slots`` the per-account stream table (default: one per process)."""

    def initialize(self, ctx: ServerContext, site: GridSite | None = None,
                   slots: SessionSlots | None = None) -> None:
        self.ctx = ctx
        self.site = site or root_site(ctx.rooms.default_grid)
        self.slots = slots or SHARED_SLOTS
        self._committed = False  # response headers decided (a stream is being passed on)
        self._gone = False
        self._sent = 0

    # ------------------------------------------------------------------ request checks

    def _reply(self, status: int, message: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        for name in PASSED_HEADERS:
            self.clear_header(name)
        self.finish(message + "\n")

    def prepare(self) -> None:
        if not self.ctx.settings.media_proxy.enabled:
            self._reply(404, "not found")
            return
        # §14.2 step 1: only an Origin that is present is checked (an <audio> element's
        # same-origin request carries none); it must pass the cookie helpers' rule.
        origin = (self.request.headers.get("Origin") or "").strip()
        if origin and not origins.request_trusted(self.request, self.ctx.settings.network):
            self._reply(403, "origin not allowed")
            return
        if origin:
            self.set_header("Access-Control-Allow-Origin", origin)
        self.set_header("Vary", "Origin")
        self.set_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
        self.set_header("Access-Control-Allow-Headers", "Range")
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            self._reply(405, "method not allowed")

    def options(self) -> None:
        self.set_status(204)
        self.finish()

    async def get(self) -> None:
        await self._serve()

    async def head(self) -> None:
        await self._serve()

    def on_connection_close(self) -> None:
        self._gone = True

    async def _user_id(self) -> int | None:
        """The account behind the request's session cookie, or None."""
        token = cookie_token(self.request.headers.get("Cookie"), self.site.cookie_name)
        if not token or len(token) > 512:
            return None
        limiter = self.ctx.limiter
        ip = origins.client_address(self.request, self.ctx.settings.network)
        if await limiter.is_limited(ip, PROXY_IDENTITY):
            return None
        try:
            grant = await ask(self.ctx.account.resume(token))
        except Exception:
            log.exception("media proxy: session check failed")
            return None
        if isinstance(grant, str):
            await limiter.record_failure(ip, PROXY_IDENTITY)
            return None
        return grant.user_id

    async def _serve(self) -> None:
        user_id = await self._user_id()
        if user_id is None:
            self._reply(401, "session required")
            return
        url = self.get_query_argument("url", "").strip()
        if not url:
            self._reply(400, "missing url query param")
            return
        config = self.ctx.settings.media_proxy
        if not self.slots.take(user_id, config.max_per_session):
            self._reply(429, "too many streams")
            return
        try:
            await self._proxy(dropbox_rewrite(url))
        except Refusal as refusal:
            self._fail(refusal.status, refusal.message)
        finally:
            self.slots.release(user_id)

    def _fail(self, status: int, message: str) -> None:
        if not self._committed:
            self._reply(status, message)
        elif not self._finished:
            # Headers are out: the player gets what was passed on, then the end.
            self.finish()

    # ------------------------------------------------------------------ the fetch

    async def _proxy(self, url: str) -> None:
        config = self.ctx.settings.media_proxy
        allow_private = self.ctx.settings.radio.allow_private_networks
        loop = asyncio.get_running_loop()
        deadline = loop.time() + config.max_duration_s
        client = SimpleAsyncHTTPClient(
            force_instance=True, max_body_size=1 << 62,
            resolver=CheckingResolver(allow_private=allow_private, timeout_s=config.connect_timeout_s))
        try:
            current = url
            for _hop in range(MAX_REDIRECTS + 1):
                target = check_target(current, allow_private=allow_private, allowlist=config.allowlist)
                location = await self._fetch(client, target, deadline - loop.time())
                if location is None:
                    if not self._finished:
                        self.finish()
                    return
                current = urljoin(current, location)
            raise Refusal(502, "too many redirects")
        finally:
            client.close()

    async def _fetch(self, client: SimpleAsyncHTTPClient, target: Target, time_left: float) -> str | None:
        """One hop; the redirect ``Location`` to follow, or None once passed through."""
        if time_left <= 0:
            return None
        hop = _Hop(self)
        headers = {"Accept": "*/*", "User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        if self.request.headers.get("Range"):
            headers["Range"] = self.request.headers["Range"]
        request = HTTPRequest(
            target.url, method=self.request.method, headers=headers, follow_redirects=False,
            decompress_response=False, connect_timeout=self.ctx.settings.media_proxy.connect_timeout_s,
            request_timeout=time_left, header_callback=hop.header_line, streaming_callback=hop.chunk,
        )
        try:
            await client.fetch(request, raise_error=False)
        except Refusal:
            raise
        except _Cut:
            return None
        except HTTPTimeoutError:
            if not self._committed:
                raise Refusal(502, "upstream fetch failed: timeout") from None
            return None  # the time limit: what was passed on stands
        except (HTTPClientError, OSError, StreamClosedError, ValueError, HTTPInputError) as error:
            if self._gone or self._committed:
                return None  # the player left, or the stream broke off after it began
            raise Refusal(502, f"upstream fetch failed: {_describe(error)}") from None
        if hop.redirect:
            location = hop.headers.get("Location", "").strip()
            if not location:
                raise Refusal(502, "redirect location missing or invalid")
            return location
        if not self._committed:
            hop.commit()  # a response without a body
        return None


class _Hop:
    """Collects one upstream answer's head and passes its body to the handler."""

    def __init__(self, handler: MediaProxyHandler) -> None:
        self.handler = handler
        self.status = 0
        self.reason = ""
        self.headers = HTTPHeaders()
        self.redirect = False
        self._head_done = False

    def header_line(self, line: str) -> None:
        if self._head_done:
            return
        if not self.status:
            start = parse_response_start_line(line.strip())
            self.status, self.reason = start.code, start.reason
        elif line in ("\r\n", "\n"):
            self._head_done = True
            self.redirect = self.status in REDIRECT_CODES
        else:
            self.headers.parse_line(line)

    def commit(self) -> None:
        """Status and headers for the player, once, before the first body byte."""
        handler = self.handler
        handler._committed = True
        handler.set_status(self.status, self.reason or None)
        handler.set_header("Content-Type", media_type(self.headers.get("Content-Type")))
        handler.set_header("Cache-Control", self.headers.get("Cache-Control") or "no-store")
        limit = handler.ctx.settings.media_proxy.max_response_bytes
        for name in PASSED_HEADERS:
            value = self.headers.get(name)
            if value is None:
                continue
            # A length beyond the limit is not promised: the answer will end at the limit.
            if (name == "Content-Length" and handler.request.method != "HEAD"
                    and (not value.strip().isdigit() or int(value) > limit)):
                continue
            handler.set_header(name, value)

    def chunk(self, data: bytes) -> Any:
        handler = self.handler
        if self.redirect:
            return None
        if handler._gone:
            raise _Cut()
        if not handler._committed:
            self.commit()
        if handler.request.method == "HEAD":
            return None
        limit = handler.ctx.settings.media_proxy.max_response_bytes
        room = limit - handler._sent
        if room <= 0:
            raise _Cut()
        piece = data[:room]
        handler._sent += len(piece)
        handler.write(piece)
        return handler.flush()  # awaited by the HTTP client before it reads more


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text[:200]
