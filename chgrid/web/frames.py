"""Server-to-client websocket framing, done once per broadcast.

A server frame is not masked (RFC 6455 §5.1), so the bytes of a text frame are the same
for every recipient: building them once and writing the same bytes to each socket
saves Tornado's per-recipient framing, which dominated the IOLoop's time under load.
"""
from __future__ import annotations

import struct

_TEXT_FIN = 0x81


def text_frame(payload: str) -> bytes:
    """A complete, final, unmasked text frame carrying ``payload``."""
    data = payload.encode("utf-8")
    n = len(data)
    if n < 126:
        header = struct.pack("!BB", _TEXT_FIN, n)
    elif n <= 0xFFFF:
        header = struct.pack("!BBH", _TEXT_FIN, 126, n)
    else:
        header = struct.pack("!BBQ", _TEXT_FIN, 127, n)
    return header + data
