"""A minimal asyncio websocket client for benchmarks.

Load generators must cost less than the server they measure: this client does the
handshake, masks what it sends, and hands received text frames over as raw bytes
without any per-frame object overhead. Not a general-purpose client (no fragmentation
of outgoing frames, no extensions).
"""
from __future__ import annotations

import asyncio
import base64
import os
import struct
from urllib.parse import urlsplit


class BenchSocket:
    """One websocket connection: ``send_text`` and ``frames()`` (an async iterator)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, url: str) -> BenchSocket:
        parts = urlsplit(url)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port, limit=2**22)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            (f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()
        )
        status = await reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in status.split(b"\r\n", 1)[0]:
            raise ConnectionError(status.decode(errors="replace"))
        return cls(reader, writer)

    def _frame(self, opcode: int, payload: bytes) -> bytes:
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
        return header + mask + masked

    def send_text(self, text: str) -> None:
        self.writer.write(self._frame(0x1, text.encode()))

    async def frames(self):
        """Yield each text frame's payload (bytes); answers pings; ends on close."""
        read = self.reader.readexactly
        while True:
            try:
                b1, b2 = await read(2)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            n = b2 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", await read(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", await read(8))
            payload = await read(n) if n else b""
            opcode = b1 & 0x0F
            if opcode == 0x1:
                yield payload
            elif opcode == 0x9:
                self.writer.write(self._frame(0xA, payload))
            elif opcode == 0x8:
                return

    def close(self) -> None:
        try:
            self.writer.write(self._frame(0x8, struct.pack("!H", 1000)))
            self.writer.close()
        except Exception:
            pass
