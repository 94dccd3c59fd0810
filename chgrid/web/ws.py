"""The websocket endpoint: one ``GridSocket`` per connection.

Frames are handled strictly in arrival order by one consumer coroutine per connection,
so an auth command that waits for hashing or the database holds back the packets that
came after it (protocol.md §2). Gameplay packets are told to the room and never waited
for.
"""
from __future__ import annotations

import asyncio
import logging
import uuid

from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketHandler

from chgrid.auth import messages as M
from chgrid.protocol import ProtocolError, encode, parse_frame
from chgrid.web import admin_flow, auth_flow
from chgrid.web.context import ServerContext
from chgrid.web.frames import text_frame

log = logging.getLogger(__name__)

AUTH_COMMANDS = frozenset({"auth_register", "auth_login", "auth_resume", "auth_logout"})
COOKIE_NAME = "chgrid_session_token"
QUEUE_LIMIT = 256  # inbound frames waiting behind a slow auth command


def cookie_token(header: str | None) -> str:
    """First ``chgrid_session_token`` part of a Cookie header, trimmed, not URL-decoded."""
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name == COOKIE_NAME:
            return value.strip()
    return ""


class GridSocket(WebSocketHandler):
    """A player's connection."""

    def initialize(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.client_id = str(uuid.uuid4())
        self.authenticated = False
        self.user_id: int | None = None
        self.username = ""
        self.token = ""
        self.closed = False
        self.ip = ""
        self._pending_bytes = 0
        self._inbox: asyncio.Queue | None = None
        self._consumer: asyncio.Task | None = None

    def check_origin(self, origin: str) -> bool:
        return True  # protocol.md §1.3: any Origin, including none

    def get_compression_options(self):
        return None

    def open(self, *args, **kwargs) -> None:
        # Small frames must leave at once: Nagle's algorithm against the peer's delayed
        # ACKs would hold movement broadcasts back by up to 200 ms.
        self.set_nodelay(True)
        self.ip = self._remote_ip()
        self.ctx.connections.add(self)
        self._inbox = asyncio.Queue()
        token = cookie_token(self.request.headers.get("Cookie"))
        self._consumer = asyncio.ensure_future(self._consume(token))

    def _remote_ip(self) -> str:
        if self.ctx.settings.network.trust_forwarded_for:
            forwarded = self.request.headers.get("X-Forwarded-For", "")
            if forwarded:
                return forwarded.split(",")[0].strip()
            real = self.request.headers.get("X-Real-IP", "")
            if real:
                return real.strip()
        return self.request.remote_ip or ""

    def on_message(self, message: str | bytes) -> None:
        if self._inbox is None or self.closed:
            return
        if self._inbox.qsize() >= QUEUE_LIMIT:
            self.close_with(1008, "Too many packets waiting.")
            return
        self._inbox.put_nowait(message)

    async def _consume(self, token: str) -> None:
        try:
            if token and not await auth_flow.cookie_resume(self, token):
                self._send_auth_required()
            elif not token:
                self._send_auth_required()
            while not self.closed:
                raw = await self._inbox.get()
                if raw is None:
                    break
                await self._handle(raw)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("connection %s failed", self.client_id)
            self.close_with(1011, "Server error.")

    def _send_auth_required(self) -> None:
        self.send_packet(
            "auth_required",
            {"message": M.AUTH_REQUIRED, "authPolicy": self.ctx.policy.as_wire()},
        )

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
        elif packet.type == "ping":
            # Answered here rather than by the room: a heartbeat measures the connection,
            # and should not wait behind a busy room's queue.
            self.send_packet("pong", {"clientSentAt": packet.data["clientSentAt"]})
        elif packet.type.startswith("admin_"):
            await admin_flow.handle_admin_packet(self, packet.type, packet.data)
        else:
            self.ctx.room.handle(self.client_id, packet.type, packet.data)

    # -- identity ---------------------------------------------------------------------

    def bind(self, grant) -> None:
        self.authenticated = True
        self.user_id = grant.user_id
        self.username = grant.username
        self.token = grant.token

    # -- output -----------------------------------------------------------------------

    def send_packet(self, packet_type: str, payload: dict) -> None:
        self.write_raw(text_frame(encode(packet_type, payload)))

    def write_raw(self, data: bytes) -> int:
        """Write complete, pre-built frames; returns the bytes not yet on the socket.

        Frames are built once per broadcast by the registry, so this goes straight to
        the connection's stream instead of through ``write_message``'s per-call framing.
        """
        conn = self.ws_connection
        if self.closed or conn is None or conn.is_closing():
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
        self.ctx.connections.remove(self.client_id)
        if self._inbox is not None:
            self._inbox.put_nowait(None)
        if self.authenticated:
            self.ctx.room.leave(self.client_id)
