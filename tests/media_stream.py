"""A small real media server for the media-proxy tests: Tornado on 127.0.0.1, own thread.

- ``/file``: a fixed 100 000-byte body (``audio/mpeg``) with ``Range`` support (206 and
  ``Content-Range``), ``Accept-Ranges: bytes`` and ``Cache-Control: max-age=60``;
- ``/endless``: an endless stream (no length) of 4 KiB chunks until the reader goes;
  ``endless_sent`` counts what was written, ``endless_open`` how many are running;
- ``/redirect?to=URL`` (302) and ``/loop`` (302 to itself), ``/nolocation`` (302 bare);
- ``/page``: an HTML page (the proxy must not pass its type on).

Every request's path and headers are kept in ``requests``.
"""
from __future__ import annotations

import asyncio
import re
import threading

import tornado.httpserver
import tornado.iostream
import tornado.netutil
import tornado.web

FILE_BODY = bytes(range(256)) * 390 + bytes(160)  # 100 000 bytes
CHUNK = b"\xaa" * 4096


class _Base(tornado.web.RequestHandler):
    def initialize(self, server: MediaStreamServer) -> None:
        self.server = server

    def prepare(self) -> None:
        with self.server.lock:
            self.server.requests.append((self.request.method, self.request.path, dict(self.request.headers)))


class _File(_Base):
    def _answer(self, body: bool) -> None:
        data = FILE_BODY
        self.set_header("Content-Type", "audio/mpeg")
        self.set_header("Accept-Ranges", "bytes")
        self.set_header("Cache-Control", "max-age=60")
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.request.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else len(data) - 1
            self.set_status(206)
            self.set_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            data = data[start:end + 1]
        self.set_header("Content-Length", str(len(data)))
        if body:
            self.write(data)

    def get(self) -> None:
        self._answer(True)

    def head(self) -> None:
        self._answer(False)


class _Endless(_Base):
    async def get(self) -> None:
        server = self.server
        self.set_header("Content-Type", "audio/ogg")
        server.endless_open += 1
        try:
            while not server.stopping.is_set():
                self.write(CHUNK)
                try:
                    await self.flush()
                except tornado.iostream.StreamClosedError:
                    return
                server.endless_sent += len(CHUNK)
                await asyncio.sleep(0)
        finally:
            server.endless_open -= 1


class _Redirect(_Base):
    def get(self) -> None:
        self.redirect(self.get_argument("to"), status=302)


class _Loop(_Base):
    def get(self) -> None:
        self.redirect("/loop", status=302)


class _NoLocation(_Base):
    def get(self) -> None:
        self.set_status(302)


class _Page(_Base):
    def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write("<script>alert(1)</script>")


class MediaStreamServer:
    """``start()``/``stop()`` or a ``with`` block; ``url(path)`` gives an address."""

    def __init__(self) -> None:
        self.port = 0
        self.requests: list[tuple[str, str, dict]] = []
        self.endless_sent = 0
        self.endless_open = 0
        self.lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self.stopping: asyncio.Event | None = None

    def url(self, path: str = "/file") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> MediaStreamServer:
        self._thread = threading.Thread(target=self._run, name="media-stream", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("media test server did not start")
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self.stopping = asyncio.Event()
        routes = [("/file", _File), ("/endless", _Endless), ("/redirect", _Redirect),
                  ("/loop", _Loop), ("/nolocation", _NoLocation), ("/page", _Page)]
        app = tornado.web.Application([(path, cls, {"server": self}) for path, cls in routes])
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
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

    def __enter__(self) -> MediaStreamServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
