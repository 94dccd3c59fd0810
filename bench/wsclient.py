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

from tests.rawws import frame


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
        return frame(payload, opcode, os.urandom(4))

    def send_text(self, text: str) -> None:
        self.writer.write(self._frame(0x1, text.encode()))

    async def frames(self):
        """Yield each text frame's payload (bytes); answers pings; ends on close."""
        async for batch in self.batches():
            for payload in batch:
                yield payload

    async def batches(self):
        """Yield lists of text payloads, one list per socket read.

        Reading large chunks and cutting frames out of a buffer keeps the per-frame cost
        to a few slices, so many clients fit in one process.
        """
        buf = b""
        while True:
            try:
                chunk = await self.reader.read(1 << 18)
            except ConnectionError:
                return
            if not chunk:
                return
            buf += chunk
            out = []
            pos, end = 0, len(buf)
            while end - pos >= 2:
                b1, b2 = buf[pos], buf[pos + 1]
                n, head = b2 & 0x7F, 2
                if n == 126:
                    if end - pos < 4:
                        break
                    (n,) = struct.unpack_from("!H", buf, pos + 2)
                    head = 4
                elif n == 127:
                    if end - pos < 10:
                        break
                    (n,) = struct.unpack_from("!Q", buf, pos + 2)
                    head = 10
                if end - pos < head + n:
                    break
                payload = buf[pos + head:pos + head + n]
                pos += head + n
                opcode = b1 & 0x0F
                if opcode == 0x1:
                    out.append(payload)
                elif opcode == 0x9:
                    self.writer.write(self._frame(0xA, payload))
                elif opcode == 0x8:
                    if out:
                        yield out
                    return
            buf = buf[pos:]
            if out:
                yield out

    def close(self) -> None:
        try:
            self.writer.write(self._frame(0x8, struct.pack("!H", 1000)))
            self.writer.close()
        except Exception:
            pass
