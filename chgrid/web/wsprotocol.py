"""Tornado's RFC 6455 protocol with one change: invalid UTF-8 in a text message closes the
connection with code 1007 (RFC 6455 §7.4.1, "invalid frame payload data") instead of
dropping the TCP connection without a close frame, which is what Tornado does.

This relies on two Tornado internals, pinned by ``tests/test_ws_limits.py``: the
constructor arguments of ``WebSocketProtocol13`` with its ``_WebSocketParams``, and
``_handle_message(opcode, data)``, called once per complete (reassembled) message.
"""
from __future__ import annotations

from collections.abc import Callable

from tornado.websocket import WebSocketHandler, WebSocketProtocol13, _WebSocketParams

INVALID_UTF8_CODE = 1007
INVALID_UTF8_REASON = "Text frame is not valid UTF-8."
_TEXT = 0x1


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class StrictTextProtocol(WebSocketProtocol13):
    """``WebSocketProtocol13`` that answers an invalid UTF-8 text message with a 1007 close.

    ``on_invalid_text`` is called instead of delivering such a message; by default the
    protocol just starts the closing handshake with 1007.
    """

    def __init__(self, handler, mask_outgoing: bool, params: _WebSocketParams,
                 on_invalid_text: Callable[[], None] | None = None) -> None:
        super().__init__(handler, mask_outgoing, params)
        self._on_invalid_text = on_invalid_text or (
            lambda: self.close(INVALID_UTF8_CODE, INVALID_UTF8_REASON))

    def _handle_message(self, opcode: int, data: bytes):
        # Compression is off for this server (GridSocket.get_compression_options), so
        # ``data`` is the message as sent; with it on, Tornado decompresses first and a
        # compressed message is left to its own check.
        if (opcode == _TEXT and not self.client_terminated and not self._frame_compressed
                and not _valid_utf8(data)):
            self._on_invalid_text()
            return None
        return super()._handle_message(opcode, data)


def strict_protocol(handler: WebSocketHandler,
                    on_invalid_text: Callable[[], None] | None = None) -> StrictTextProtocol | None:
    """What ``WebSocketHandler.get_websocket_protocol`` builds, as a ``StrictTextProtocol``.

    Mirrors Tornado 6.x: only protocol version 13 is spoken; any other is refused (None).
    """
    if handler.request.headers.get("Sec-WebSocket-Version") != "13":
        return None
    params = _WebSocketParams(
        ping_interval=handler.ping_interval,
        ping_timeout=handler.ping_timeout,
        max_message_size=handler.max_message_size,
        compression_options=handler.get_compression_options(),
    )
    return StrictTextProtocol(handler, False, params, on_invalid_text)
