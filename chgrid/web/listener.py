"""The HTTP listener: Tornado's HTTPServer with its own accept loop.

Tornado's ``netutil.add_accept_handler`` re-raises every ``accept()`` error, so once the
process is out of descriptors (EMFILE) the listening socket stays readable and the loop
spins, logging a traceback per attempt. ``GuardedHTTPServer`` instead:

- stops watching a listening socket when accept fails for lack of resources (EMFILE,
  ENFILE, ENOBUFS, ENOMEM) and watches it again after a short, growing delay, logging
  once per interval with a count;
- counts every accepted TCP connection (HTTP or websocket: the stream object survives
  the upgrade) until its descriptor is closed, in total and per client address;
- refuses a connection over either cap before it costs more than a moment's descriptor:
  plain sockets get a minimal ``503`` with ``Retry-After`` and ``Connection: close``,
  TLS sockets are just closed.
"""
from __future__ import annotations

import errno
import logging
import socket
import ssl
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.iostream import IOStream, SSLIOStream
from tornado.netutil import ssl_wrap_socket

from chgrid.web.limits import PER_IP, TOTAL, Backoff, ConnectionCounts, IntervalLog

log = logging.getLogger(__name__)

# accept() errors about one connection that died in the queue: just take the next one.
# Any other error (EMFILE, ENFILE, ENOBUFS, ENOMEM: no resources right now) pauses accepting,
# since retrying at once cannot succeed.
TRANSIENT_ERRNOS = frozenset({errno.ECONNABORTED, errno.EPROTO, errno.EPERM, errno.EINTR,
                              errno.ECONNRESET})
ACCEPT_BATCH = 128  # connections taken per readiness event, so other work is not starved
LOG_INTERVAL_S = 10.0
RETRY_AFTER_S = 5
LINGER_S = 1.0  # a refused plain socket stays open this long so the 503 is read, not reset
MAX_LINGERING = 16


def refusal_bytes(extra_headers: Iterable[tuple[str, str]]) -> bytes:
    """The complete answer written to a plain socket refused by a connection cap."""
    body = b"Server busy: too many connections. Try again shortly.\n"
    lines = [
        "HTTP/1.1 503 Service Unavailable",
        "Content-Type: text/plain; charset=utf-8",
        f"Content-Length: {len(body)}",
        f"Retry-After: {RETRY_AFTER_S}",
        "Cache-Control: no-store",
        "Connection: close",
        *(f"{name}: {value}" for name, value in extra_headers),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def peer_key(address: Any) -> str:
    """The client address a per-IP cap counts against."""
    if isinstance(address, tuple) and address:
        return str(address[0])
    return ""  # a Unix socket peer has no address: all count as one


class _ReleaseOnClose:
    """Mixin for IOStreams: tells the listener when the descriptor is really closed.

    ``close_fd`` runs exactly once per stream, whichever side closes and whether the
    stream served HTTP or was taken over by a websocket.
    """

    _on_fd_closed: Callable[[], None] | None = None

    def close_fd(self) -> None:
        try:
            super().close_fd()  # type: ignore[misc]
        finally:
            release, self._on_fd_closed = self._on_fd_closed, None
            if release is not None:
                release()


class CountedIOStream(_ReleaseOnClose, IOStream):
    """A plain stream counted by the listener."""


class CountedSSLIOStream(_ReleaseOnClose, SSLIOStream):
    """A TLS stream counted by the listener."""


class _Acceptor:
    """Accepts on one listening socket, pausing instead of spinning when out of resources."""

    def __init__(self, sock: socket.socket, on_connection: Callable[[socket.socket, Any], None],
                 failures: IntervalLog) -> None:
        self.sock = sock
        self.on_connection = on_connection
        self.failures = failures
        self.backoff = Backoff()
        self.io_loop = IOLoop.current()
        self.stopped = False
        self.watching = False
        self._retry: object | None = None
        self._watch()

    def _watch(self) -> None:
        if not self.stopped and not self.watching:
            self.io_loop.add_handler(self.sock, self._ready, IOLoop.READ)
            self.watching = True

    def _unwatch(self) -> None:
        if self.watching:
            self.io_loop.remove_handler(self.sock)
            self.watching = False

    def _ready(self, _fd: Any, _events: int) -> None:
        for _ in range(ACCEPT_BATCH):
            if self.stopped:
                return
            try:
                connection, address = self.sock.accept()
            except BlockingIOError:
                return
            except OSError as err:
                if err.errno in TRANSIENT_ERRNOS:
                    continue
                self._pause(err)
                return
            self.backoff.reset()
            self.on_connection(connection, address)

    def _pause(self, err: OSError) -> None:
        """Stop watching until a timer fires: the socket stays readable while the
        backlog is full, so watching it now would fail again at once."""
        self._unwatch()
        delay = self.backoff.next_delay()
        self.failures.hit(err.strerror or str(err), delay)
        self._retry = self.io_loop.call_later(delay, self._resume)

    def _resume(self) -> None:
        self._retry = None
        self._watch()

    def stop(self) -> None:
        self.stopped = True
        self._unwatch()
        if self._retry is not None:
            self.io_loop.remove_timeout(self._retry)
            self._retry = None


class GuardedHTTPServer(HTTPServer):
    """``HTTPServer`` with connection caps and a backing-off accept loop.

    Extra keyword arguments: ``max_connections`` (total), ``max_connections_per_ip``
    (0: none) and ``refusal_headers`` (security headers for the 503 on plain sockets).
    """

    def initialize(self, *args: Any, max_connections: int, max_connections_per_ip: int = 0,
                   refusal_headers: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().initialize(*args, **kwargs)
        self.counts = ConnectionCounts(max_connections, max_connections_per_ip)
        self.refused = {TOTAL: 0, PER_IP: 0}
        self._refusal = refusal_bytes(refusal_headers)
        self._lingering: deque[socket.socket] = deque()
        io_loop = IOLoop.current()
        self._accept_failures = IntervalLog(
            log, "accept() failed %d time(s): %s; pausing accepts (next retry in %.2fs)",
            LOG_INTERVAL_S, io_loop.call_later)
        # One throttle per cap, so a burst against one does not hide the other.
        self._refusal_logs = {
            which: IntervalLog(log, f"refused %d connection(s) over the {label} ({cap}) cap",
                               LOG_INTERVAL_S, io_loop.call_later)
            for which, label, cap in ((TOTAL, "total", max_connections),
                                      (PER_IP, "per-IP", max_connections_per_ip))
        }

    # -- accepting ------------------------------------------------------------------------

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        for sock in sockets:
            acceptor = _Acceptor(sock, self._on_accepted, self._accept_failures)
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = acceptor.stop  # TCPServer.stop() calls it

    def _on_accepted(self, connection: socket.socket, address: Any) -> None:
        ip = peer_key(address)
        over = self.counts.admit(ip)
        if over is not None:
            self._refuse(connection, over)
            return
        released = [False]

        def release() -> None:
            if not released[0]:
                released[0] = True
                self.counts.release(ip)

        try:
            stream = self._open_stream(connection)
        except Exception as err:  # noqa: BLE001 (a dead peer must not take the loop down)
            release()
            connection.close()
            if not isinstance(err, (ssl.SSLError, OSError)):
                log.exception("cannot set up an accepted connection")
            return
        if stream is None:
            release()
            return
        stream._on_fd_closed = release
        try:
            future = self.handle_stream(stream, address)
            if future is not None:
                IOLoop.current().add_future(future, lambda f: f.result())
        except Exception:
            log.exception("error in connection callback")
            stream.close()

    def _open_stream(self, connection: socket.socket) -> IOStream | None:
        kwargs = {"max_buffer_size": self.max_buffer_size, "read_chunk_size": self.read_chunk_size}
        if self.ssl_options is None:
            return CountedIOStream(connection, **kwargs)
        try:
            wrapped = ssl_wrap_socket(connection, self.ssl_options, server_side=True,
                                      do_handshake_on_connect=False)
        except (ssl.SSLError, OSError):
            connection.close()  # closed or garbage before the handshake (a port scan)
            return None
        return CountedSSLIOStream(wrapped, **kwargs)

    # -- refusing -------------------------------------------------------------------------

    def _refuse(self, connection: socket.socket, which: str) -> None:
        self.refused[which] += 1
        self._refusal_logs[which].hit()
        if self.ssl_options is not None:
            connection.close()  # no plaintext answer on a TLS port
            return
        try:
            connection.setblocking(False)
            connection.send(self._refusal)  # a few hundred bytes: fits any socket buffer
            connection.shutdown(socket.SHUT_WR)
        except OSError:
            connection.close()
            return
        # Closing with the request unread would reset the connection and the client
        # could lose the 503; keep a few refused sockets open briefly, then drain and close.
        if len(self._lingering) >= MAX_LINGERING:
            _drain_and_close(self._lingering.popleft())
        self._lingering.append(connection)
        IOLoop.current().call_later(LINGER_S, self._end_linger, connection)

    def _end_linger(self, connection: socket.socket) -> None:
        try:
            self._lingering.remove(connection)
        except ValueError:
            return  # already closed to make room
        _drain_and_close(connection)

    def stop(self) -> None:
        super().stop()
        while self._lingering:
            _drain_and_close(self._lingering.popleft())


def _drain_and_close(connection: socket.socket) -> None:
    try:
        while connection.recv(4096):
            pass
    except OSError:
        pass
    connection.close()
