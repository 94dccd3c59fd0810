"""Pin what ``GridSocket.write_raw`` (chgrid/web/ws.py) relies on inside Tornado.

``write_raw`` writes frames built once per broadcast (``chgrid.web.frames.text_frame``)
straight to ``self.ws_connection.stream`` instead of calling ``write_message``. That is
only correct while, in the installed Tornado:

- ``ws_connection.stream`` is the IOStream Tornado itself writes its frames to, so our
  frames and Tornado's (pings, close frames, ``write_message``) share one ordered stream;
- our frame for a text message is byte for byte the frame Tornado's server side sends
  for it (no compression: GridSocket turns it off), at every length encoding (7-bit,
  16-bit and 64-bit lengths: 125, 126, 65535, 65536 bytes and beyond);
- ``ws_connection.is_closing()`` exists and is true once either side started closing or
  the TCP connection dropped, and writing to a closed stream raises StreamClosedError.

A real Tornado server (with the same protocol class and compression setting as
GridSocket) and a real client reading raw bytes off the socket check each point; a
Tornado upgrade that changes any of them fails here instead of corrupting the wire.
"""
from __future__ import annotations

import asyncio
import base64
import os
import queue
import socket
import struct
import threading

import pytest
from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream, StreamClosedError
from tornado.netutil import bind_sockets
from tornado.web import Application
from tornado.websocket import WebSocketHandler

from chgrid.web.frames import text_frame
from chgrid.web.wsprotocol import strict_protocol
from tests import rawws
from tests.support import ServerProcess

SIZES = [0, 1, 125, 126, 127, 65535, 65536, 70_001, 1_000_000]
WAIT_S = 10.0


def payload(size: int) -> str:
    """A text of exactly ``size`` UTF-8 bytes, with two-byte characters in it, so a
    length counted in characters instead of bytes would show."""
    wide = size // 4
    return "é" * wide + "a" * (size - 2 * wide)


class PinSocket(WebSocketHandler):
    """A websocket set up like GridSocket (its protocol class, no compression) that
    answers ``frame N`` with the same text twice: through Tornado's ``write_message``
    and through the stream as ``write_raw`` does, and reports what it saw."""

    def initialize(self, events: queue.Queue) -> None:
        self.events = events
        self.conn = None

    def get_compression_options(self):
        return None  # as GridSocket

    def get_websocket_protocol(self):
        return strict_protocol(self)  # as GridSocket

    def open(self) -> None:
        self.conn = self.ws_connection
        self.events.put(("open", isinstance(self.conn.stream, IOStream), self.conn.is_closing()))

    def on_message(self, message) -> None:
        command, _, arg = message.partition(" ")
        if command == "frame":
            self._send_both_ways(payload(int(arg)))
        elif command == "close":
            conn = self.ws_connection
            before = conn.is_closing()
            self.close(1000, "bye")
            self.events.put(("closed by server", before, conn.is_closing(), self.ws_connection is None))

    def _send_both_ways(self, text: str) -> None:
        stream = self.ws_connection.stream
        written: list[bytes] = []
        original = stream.write

        def recording(data, *args, **kwargs):
            written.append(bytes(data))
            return original(data, *args, **kwargs)

        stream.write = recording  # what Tornado hands its stream while framing this message
        try:
            self.write_message(text)
        finally:
            del stream.write
        self.events.put(("tornado wrote", b"".join(written)))
        self.ws_connection.stream.write(text_frame(text))  # what write_raw does

    def on_close(self) -> None:
        conn = self.conn
        try:
            conn.stream.write(b"late")
            late = "written"
        except StreamClosedError:
            late = "StreamClosedError"
        self.events.put(("on_close", conn.is_closing(), conn.stream.closed(), late))


class PinServer:
    """A Tornado server on its own thread and asyncio loop, on a free loopback port."""

    def __init__(self) -> None:
        self.events: queue.Queue = queue.Queue()
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="write-raw-pin", daemon=True)

    def start(self) -> "PinServer":
        self._thread.start()
        assert self._ready.wait(WAIT_S), "pin server did not start"
        return self

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        app = Application([("/ws", PinSocket, {"events": self.events})])
        sockets = bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        server = HTTPServer(app)
        server.add_sockets(sockets)
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._ready.set()
        await self._stop.wait()
        server.stop()
        await server.close_all_connections()

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(WAIT_S)

    def next_event(self) -> tuple:
        return self.events.get(timeout=WAIT_S)


@pytest.fixture(scope="module")
def pin_server():
    server = PinServer().start()
    yield server
    server.stop()


def read_exactly(sock: socket.socket, size: int) -> bytes:
    sock.settimeout(WAIT_S)
    data = b""
    while len(data) < size:
        chunk = sock.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise AssertionError(f"connection ended after {len(data)} of {size} bytes")
        data += chunk
    return data


def nothing_more(sock: socket.socket) -> bool:
    """True when no byte is waiting (checked after the server has reported its writes)."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""  # b"": closed, which is not "more"
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)


def opened(pin_server) -> socket.socket:
    sock = rawws.connect(pin_server.port)
    event = pin_server.next_event()
    assert event == ("open", True, False), event  # an IOStream, not closing
    return sock


def test_our_text_frames_are_the_bytes_tornado_writes_to_the_same_stream(pin_server):
    sock = opened(pin_server)
    try:
        for size in SIZES:
            text = payload(size)
            ours = text_frame(text)
            assert len(text.encode()) == size
            sock.sendall(rawws.frame(f"frame {size}".encode()))
            event = pin_server.next_event()
            assert event == ("tornado wrote", ours), f"{size} bytes: Tornado framed it differently"
            # On the wire: Tornado's frame, then ours, in the order they were written.
            assert read_exactly(sock, 2 * len(ours)) == ours + ours, size
        assert nothing_more(sock)
    finally:
        sock.close()
    assert pin_server.next_event()[0] == "on_close"


def test_is_closing_once_the_server_starts_closing(pin_server):
    sock = opened(pin_server)
    try:
        sock.sendall(rawws.frame(b"close"))
        # Not closing before close(); closing right after; the handler has let go of it.
        assert pin_server.next_event() == ("closed by server", False, True, True)
        frames, _ = rawws.split_frames(read_exactly(sock, 2 + 2 + len(b"bye")))
        assert frames == [(rawws.CLOSE, struct.pack("!H", 1000) + b"bye")]
        sock.sendall(rawws.frame(struct.pack("!H", 1000), opcode=rawws.CLOSE))
        assert pin_server.next_event() == ("on_close", True, True, "StreamClosedError")
    finally:
        sock.close()


def test_is_closing_after_the_clients_close_frame(pin_server):
    sock = opened(pin_server)
    try:
        sock.sendall(rawws.frame(struct.pack("!H", 1001), opcode=rawws.CLOSE))
        assert pin_server.next_event() == ("on_close", True, True, "StreamClosedError")
    finally:
        sock.close()


def test_is_closing_after_the_connection_drops(pin_server):
    sock = opened(pin_server)
    sock.close()  # no close frame: the TCP connection just ends
    assert pin_server.next_event() == ("on_close", True, True, "StreamClosedError")


def test_chgrid_negotiates_no_compression(tmp_path):
    """The byte equality above holds without permessage-deflate; the real server must
    refuse it even when a client asks, and its frames carry no RSV1 (compressed) bit."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT_S)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
                      f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").encode())
        head = b""
        while not head.endswith(b"\r\n\r\n"):
            head += read_exactly(sock, 1)
        assert b" 101 " in head.split(b"\r\n", 1)[0], head
        assert b"sec-websocket-extensions" not in head.lower(), head
        first = read_exactly(sock, 2)
        assert first[0] == 0x81, f"first frame byte {first[0]:#x}: not a final, uncompressed text frame"
        sock.close()
    finally:
        server.stop()
