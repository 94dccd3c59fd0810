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

import tornado.iostream
import tornado.web

from tests.background_http import BackgroundHTTPServer

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


class MediaStreamServer(BackgroundHTTPServer):
    """``start()``/``stop()`` or a ``with`` block; ``url(path)`` gives an address."""

    thread_name = "media-stream"

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str, dict]] = []
        self.endless_sent = 0
        self.endless_open = 0

    def url(self, path: str = "/file") -> str:
        return super().url(path)

    def routes(self):
        return [("/file", _File), ("/endless", _Endless), ("/redirect", _Redirect),
                ("/loop", _Loop), ("/nolocation", _NoLocation), ("/page", _Page)]
