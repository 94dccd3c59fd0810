"""The websocket endpoint: one ``GridSocket`` per connection.

Frames are handled strictly in arrival order by one consumer coroutine per connection,
so an auth command that waits for hashing or the database holds back the packets that
came after it (protocol.md §2). Gameplay packets are told to the room and never waited
for.

Every connection is bounded (issue 11): the bytes queued to it, direct replies and room
deliveries alike, pass through ``write_raw`` and count against one limit (tighter before
login); the frames waiting in its inbox are bounded in count and bytes; and a connection
that has not authenticated within ``network.auth_timeout_s`` is closed.
"""
from __future__ import annotations

import asyncio
import logging
import sys
import uuid

from tornado.ioloop import IOLoop
from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketHandler

from chgrid.auth import messages as M
from chgrid.protocol import ProtocolError, encode, parse_frame
from chgrid.web import admin_flow, auth_flow, cookie_renewal, origins
# cookie_token is re-exported: other handlers import it from here.
from chgrid.web.cookie_renewal import cookie_token  # noqa: F401
from chgrid.web.connections import SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON
from chgrid.web.context import ServerContext
from chgrid.web.frames import text_frame
from chgrid.web.sites import GridSite, root_site
from chgrid.web.wsprotocol import INVALID_UTF8_CODE, INVALID_UTF8_REASON, strict_protocol

log = logging.getLogger(__name__)

AUTH_COMMANDS = frozenset({"auth_register", "auth_login", "auth_resume", "auth_logout"})
QUEUE_LIMIT = 256  # inbound frames waiting behind a slow auth command
POLICY_VIOLATION = 1008
INBOX_FULL_REASON = "Too many packets waiting."
AUTH_TIMEOUT_REASON = "Authentication timed out."


class GridSocket(WebSocketHandler):
    """A player's connection."""

    def initialize(self, ctx: ServerContext, site: GridSite | None = None) -> None:
        self.ctx = ctx
        # Where the socket was opened (chgrid.web.sites): /NAME/ws plays on NAME.
        self.site = site or root_site(ctx.rooms.default_grid)
        self.client_id = str(uuid.uuid4())
        self.authenticated = False
        self.user_id: int | None = None
        self.grid = self.site.grid  # the grid this connection plays on
        self.username = ""
        self.token = ""
        self.closed = False
        self.ip = ""
        self._pending_bytes = 0  # handed to the stream, not yet on the socket
        self._inbox: asyncio.Queue | None = None
        self._inbox_bytes = 0  # memory held by the frames in the inbox
        self._auth_deadline = None  # IOLoop timeout handle until authenticated
        self._consumer: asyncio.Task | None = None
        self._cookie_token = ""

    def check_origin(self, origin: str) -> bool:
        # Decided in prepare(), which also sees a handshake without any Origin (Tornado
        # calls this only when there is one): network.allowed_origins, empty = any.
        return True

    def get_compression_options(self):
        return None

    def get_websocket_protocol(self):
        # Tornado's protocol, except that invalid UTF-8 closes with 1007 (issue 11).
        return strict_protocol(self, lambda: self.close_with(INVALID_UTF8_CODE, INVALID_UTF8_REASON))

    def prepare(self) -> None:
        # Before the handshake answer. With an allow-list, other origins (and none) are
        # refused (upstream-0.1.md §27.2). A login cookie (only this base path's name)
        # counts only from a trusted origin (a same-site page of another port must not
        # resume; issue 11), and an honoured cookie is renewed in the 101 answer (see
        # chgrid.web.cookie_renewal).
        network = self.ctx.settings.network
        if not origins.handshake_allowed(self.request, network):
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish("origin not allowed")
            return
        site = self.site
        token = cookie_token(self.request.headers.get("Cookie"), site.cookie_name)
        if token and origins.request_trusted(self.request, network):
            self._cookie_token = token
            renewal = cookie_renewal.renewal_header(token, self.ctx.tls, self.request.headers,
                                                    site.cookie_name, site.base)
            if renewal:
                self.set_header("Set-Cookie", renewal)

    def open(self, *args, **kwargs) -> None:
        # Small frames must leave at once: Nagle's algorithm against the peer's delayed
        # ACKs would hold movement broadcasts back by up to 200 ms.
        self.set_nodelay(True)
        self.ip = origins.client_address(self.request, self.ctx.settings.network)
        self.ctx.connections.add(self)
        self._inbox = asyncio.Queue()
        self._auth_deadline = IOLoop.current().call_later(
            self.ctx.settings.network.auth_timeout_s, self._auth_timed_out)
        self._consumer = asyncio.ensure_future(self._consume(self._cookie_token))

    def _auth_timed_out(self) -> None:
        self._auth_deadline = None
        if not self.authenticated:
            self.close_with(POLICY_VIOLATION, AUTH_TIMEOUT_REASON)

    def _cancel_auth_deadline(self) -> None:
        if self._auth_deadline is not None:
            IOLoop.current().remove_timeout(self._auth_deadline)
            self._auth_deadline = None

    def on_message(self, message: str | bytes) -> None:
        if self._inbox is None or self.closed:
            return
        # sys.getsizeof is the memory the frame holds (a str of non-ASCII text takes 2 or 4
        # bytes a character). One frame is always taken when the inbox is empty, so a
        # limit below max_message_bytes cannot refuse every large message.
        size = sys.getsizeof(message)
        queued = self._inbox.qsize()
        if queued >= QUEUE_LIMIT or (
                queued and self._inbox_bytes + size > self.ctx.settings.network.inbound_buffer_bytes):
            log.info("closing %s from %s: %d frames (%d bytes) waiting",
                     self.client_id, self.ip, queued, self._inbox_bytes)
            self.close_with(POLICY_VIOLATION, INBOX_FULL_REASON)
            return
        self._inbox_bytes += size
        self._inbox.put_nowait(message)

    async def _consume(self, token: str) -> None:
        try:
            if token and not await auth_flow.cookie_resume(self, token):
                self._send_auth_required()
            elif not token:
                self._send_auth_required()
            while not self.closed:
                raw = await self._inbox.get()
                if raw is None or self.closed:
                    break
                self._inbox_bytes -= sys.getsizeof(raw)
                await self._handle(raw)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("connection %s failed", self.client_id)
            self.close_with(1011, "Server error.")

    def _send_auth_required(self) -> None:
        self.send_packet("auth_required", auth_flow.auth_required_payload(self))

    async def _handle(self, raw: str | bytes) -> None:
        try:
            packet = parse_frame(raw)
        except ProtocolError as err:
            log.debug("protocol error from %s: %s", self.client_id, err.message)
            payload = {"message": err.message}
            if err.packet_type:
                payload["packetType"] = err.packet_type
            self.send_packet("protocol_error", payload)
            return
        if packet.type in AUTH_COMMANDS:
            await auth_flow.handle_auth_command(self, packet.type, packet.data)
        elif not self.authenticated:
            self.send_packet("auth_result", {"ok": False, "message": M.GAMEPLAY_BEFORE_AUTH})
        elif packet.type == "welcome_ready":
            # v0.1.0's deferred activation: chgrid seats a connection at welcome, so both
            # client generations work; the packet changes nothing and gets no reply
            # (upstream-0.1.md §27.1).
            log.debug("welcome_ready from %s", self.client_id)
        elif packet.type == "ping":
            # Answered here rather than by the room: a heartbeat measures the connection,
            # and should not wait behind a busy room's queue.
            self.send_packet("pong", {"clientSentAt": packet.data["clientSentAt"]})
        elif packet.type.startswith("admin_"):
            await admin_flow.handle_admin_packet(self, packet.type, packet.data)
        else:
            self.ctx.rooms.room(self.grid).handle(self.client_id, packet.type, packet.data)

    # -- identity ---------------------------------------------------------------------

    def bind(self, grant) -> None:
        self.authenticated = True
        self._cancel_auth_deadline()
        self.user_id = grant.user_id
        self.username = grant.username
        self.token = grant.token

    # -- output -----------------------------------------------------------------------

    def send_packet(self, packet_type: str, payload: dict) -> None:
        self.write_raw(text_frame(encode(packet_type, payload)))

    def outbound_limit(self) -> int:
        """Bytes that may wait for this connection's socket: tighter before login, since
        an anonymous peer costs nothing to open."""
        net = self.ctx.settings.network
        return net.outbound_buffer_bytes if self.authenticated else net.unauthenticated_buffer_bytes

    def write_raw(self, data: bytes) -> int:
        """Write complete, pre-built frames; returns the bytes not yet on the socket.

        Frames are built once per broadcast by the registry, so this goes straight to
        the connection's stream instead of through ``write_message``'s per-call framing.
        Every byte queued for the connection passes here: what would take the bytes
        waiting past ``outbound_limit`` is not queued and the connection is closed (1008).
        """
        conn = self.ws_connection
        if self.closed or conn is None or conn.is_closing():
            return 0
        if self._pending_bytes + len(data) > self.outbound_limit():
            log.info("closing %s from %s with %d: %d bytes waiting to be sent, limit %d",
                     self.client_id, self.ip, SLOW_CONSUMER_CODE, self._pending_bytes,
                     self.outbound_limit())
            self.close_with(SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON)
            return 0
        try:
            future = conn.stream.write(data)
        except StreamClosedError:
            return 0
        size = len(data)
        self._pending_bytes += size

        def written(_f, size=size):
            self._pending_bytes -= size
            _f.exception()  # consume a StreamClosedError so it is not logged as unhandled

        future.add_done_callback(written)
        return self._pending_bytes

    def close_with(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.close(code, reason)
        self._finish()

    def on_close(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._cancel_auth_deadline()
        self.ctx.connections.remove(self.client_id)
        if self._inbox is not None:
            # Drop what is still waiting (up to inbound_buffer_bytes) now rather than
            # with the handler, and wake the consumer so it ends.
            while not self._inbox.empty():
                self._inbox.get_nowait()
            self._inbox_bytes = 0
            self._inbox.put_nowait(None)
        if self.authenticated:
            self.ctx.rooms.room(self.grid).leave(self.client_id)
