"""A websocket spoken by hand over a plain blocking socket, for tests and benches that
must misbehave: never read, send frames a library would refuse (invalid UTF-8), and
see exactly how the server ends the connection (close frame and code, or a bare drop).
"""
from __future__ import annotations

import base64
import os
import socket
import struct
import time

CLOSE = 0x8
TEXT = 0x1


def connect(port: int, *, rcvbuf: int | None = None, timeout: float = 10.0) -> socket.socket:
    """Open ``ws://127.0.0.1:port/ws`` and complete the handshake. The 101 answer is
    read byte by byte so no frame after it is consumed. ``rcvbuf`` shrinks the kernel's
    receive buffer (set before connecting, so the TCP window starts small)."""
    sock = socket.socket()
    if rcvbuf is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                  "Sec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        byte = sock.recv(1)
        if not byte:
            raise ConnectionError(f"handshake cut short: {head!r}")
        head += byte
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise ConnectionError(head.decode(errors="replace"))
    return sock


def frame(payload: bytes, opcode: int = TEXT, mask: bytes = b"\x11\x22\x33\x44") -> bytes:
    """A final, masked client frame (a fixed mask by default: tests need no secrecy)."""
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = (mask * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big") if n else b""
    return header + mask + masked


def split_frames(buf: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """Cut complete unmasked server frames off ``buf``: ([(opcode, payload)], rest)."""
    out = []
    pos = 0
    while len(buf) - pos >= 2:
        opcode, n, head = buf[pos] & 0x0F, buf[pos + 1] & 0x7F, 2
        if n == 126:
            if len(buf) - pos < 4:
                break
            (n,) = struct.unpack_from("!H", buf, pos + 2)
            head = 4
        elif n == 127:
            if len(buf) - pos < 10:
                break
            (n,) = struct.unpack_from("!Q", buf, pos + 2)
            head = 10
        if len(buf) - pos < head + n:
            break
        out.append((opcode, buf[pos + head:pos + head + n]))
        pos += head + n
    return out, buf[pos:]


def read_to_end(sock: socket.socket, timeout: float) -> tuple[str, int | None, int]:
    """Read until the server's close frame, the end of the stream, or ``timeout``.

    Returns (how, close code, text frames read) where ``how`` is ``"close"`` (a close
    frame arrived), ``"eof"`` / ``"reset"`` (dropped without one) or ``"open"``.
    """
    deadline = time.monotonic() + timeout
    buf = b""
    texts = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return "open", None, texts
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(1 << 18)
        except TimeoutError:
            return "open", None, texts
        except ConnectionResetError:
            return "reset", None, texts
        if not chunk:
            return "eof", None, texts
        frames, buf = split_frames(buf + chunk)
        for opcode, payload in frames:
            if opcode == CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return "close", code, texts
            texts += opcode == TEXT
