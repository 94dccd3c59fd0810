"""A Tornado HTTP server on its own thread and loop, for tests that need a real peer
(stream servers for the radio poller and the media proxy)."""
from __future__ import annotations

import asyncio
import threading

import tornado.httpserver
import tornado.netutil
import tornado.web


class BackgroundHTTPServer:
    """Serves ``routes()`` (path, handler class) on a free port of ``host``; each handler
    gets ``server=self``. ``start()``/``stop()`` or a ``with`` block."""

    thread_name = "test-http"

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self.stopping: asyncio.Event | None = None

    def routes(self) -> list[tuple[str, type]]:
        raise NotImplementedError

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self):
        self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"{self.thread_name} server did not start")
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self.stopping = asyncio.Event()
        app = tornado.web.Application([(path, cls, {"server": self}) for path, cls in self.routes()])
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

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
