"""A small real ICY stream server for tests: Tornado on 127.0.0.1 in its own thread.

``/stream`` answers like an Icecast/SHOUTcast mount asked for metadata: ``icy-name``,
``icy-metaint`` and audio bytes interleaved with ``StreamTitle='…';`` blocks. The name
and title are attributes, so a test can change what the stream says. Other paths
serve the failure cases the fetcher must survive (redirects, loops, silence, errors,
an absurd metadata interval, an ``ICY 200 OK`` status line). Every request is counted
per path in ``hits`` and its headers kept in ``requests``.
"""
from __future__ import annotations

import asyncio
from collections import Counter

import tornado.iostream
import tornado.web

from tests.background_http import BackgroundHTTPServer


def metadata_block(text: str) -> bytes:
    """One ICY metadata block: a length byte L then ``L × 16`` bytes, NUL padded."""
    raw = text.encode("utf-8")
    blocks = (len(raw) + 15) // 16
    return bytes([blocks]) + raw.ljust(blocks * 16, b"\x00")


class _Base(tornado.web.RequestHandler):
    def initialize(self, server: IcyStreamServer) -> None:
        self.server = server

    def prepare(self) -> None:
        with self.server.lock:
            self.server.hits[self.request.path] += 1
            self.server.requests.append((self.request.path, dict(self.request.headers)))


class _Stream(_Base):
    async def get(self) -> None:
        server = self.server
        metaint = server.metaint
        self.set_header("Content-Type", "audio/mpeg")
        self.set_header(server.name_header, server.station_name)
        self.set_header("icy-metaint", str(metaint))
        for _ in range(server.blocks):
            self.write(b"\xff" * metaint)
            self.write(metadata_block(f"StreamTitle='{server.title}';StreamUrl='';"))
            try:
                await self.flush()
            except tornado.iostream.StreamClosedError:
                return
            await asyncio.sleep(0.01)


class _NoMeta(_Base):
    def get(self) -> None:
        self.set_header("icy-name", self.server.station_name)
        self.write(b"\xff" * 64)


class _Redirect(_Base):
    def get(self) -> None:
        self.redirect(self.get_argument("to"), status=int(self.get_argument("code", "302")))


class _Loop(_Base):
    def get(self) -> None:
        self.redirect("/loop", status=302)


class _Silent(_Base):
    async def get(self) -> None:
        self.set_header("icy-name", "Slow FM")
        self.set_header("icy-metaint", "16")
        await self.flush()
        server = self.server
        server.silent_active += 1
        server.silent_peak = max(server.silent_peak, server.silent_active)
        # Send nothing more for silent_hold seconds (or until the test server stops).
        try:
            await asyncio.wait_for(server.stopping.wait(), server.silent_hold)
        except asyncio.TimeoutError:
            pass
        finally:
            server.silent_active -= 1


class _Error(_Base):
    def get(self) -> None:
        self.set_status(500)
        self.write("boom")


class _Huge(_Base):
    def get(self) -> None:
        self.set_header("icy-name", "Huge FM")
        self.set_header("icy-metaint", str(10_000_000))
        self.write(b"\xff" * 128)


class _IcyStatus(_Base):
    async def get(self) -> None:
        stream = self.detach()
        body = b"\xff" * 8 + metadata_block("StreamTitle='Old School';")
        await stream.write(b"ICY 200 OK\r\nicy-name:Shout FM\r\nicy-metaint:8\r\n\r\n" + body)
        stream.close()


class IcyStreamServer(BackgroundHTTPServer):
    """Start with ``start()``; ``url(path)`` gives the address; ``stop()`` ends it."""

    thread_name = "icy-stream"

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.station_name = "Test FM"
        self.name_header = "icy-name"
        self.title = "Artist - Song"
        self.metaint = 16
        self.blocks = 3
        self.hits: Counter[str] = Counter()
        self.silent_active = 0
        self.silent_peak = 0  # most /silent requests open at once
        self.silent_hold = 30.0
        self.requests: list[tuple[str, dict]] = []

    def url(self, path: str = "/stream") -> str:
        return super().url(path)

    def routes(self):
        return [("/stream", _Stream), ("/nometa", _NoMeta), ("/redirect", _Redirect),
                ("/loop", _Loop), ("/silent", _Silent), ("/error", _Error),
                ("/huge", _Huge), ("/icy", _IcyStatus)]
