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
import threading
from collections import Counter

import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web


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


class IcyStreamServer:
    """Start with ``start()``; ``url(path)`` gives the address; ``stop()`` ends it."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
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
        self.lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self.stopping: asyncio.Event | None = None

    def url(self, path: str = "/stream") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self) -> IcyStreamServer:
        self._thread = threading.Thread(target=self._run, name="icy-stream", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("ICY test server did not start")
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self.stopping = asyncio.Event()
        routes = [("/stream", _Stream), ("/nometa", _NoMeta), ("/redirect", _Redirect),
                  ("/loop", _Loop), ("/silent", _Silent), ("/error", _Error),
                  ("/huge", _Huge), ("/icy", _IcyStatus)]
        app = tornado.web.Application([(path, cls, {"server": self}) for path, cls in routes])
        sockets = tornado.netutil.bind_sockets(0, self.host)
        self.port = sockets[0].getsockname()[1]
        http = tornado.httpserver.HTTPServer(app)
        http.add_sockets(sockets)
        self._ready.set()
        try:
            loop.run_until_complete(self.stopping.wait())
        finally:
            http.stop()
            loop.run_until_complete(asyncio.sleep(0.05))
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self.stopping is not None:
            self._loop.call_soon_threadsafe(self.stopping.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> IcyStreamServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
