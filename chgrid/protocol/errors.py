"""Exceptions of the protocol layer and the flattening of marshmallow error trees.

Two failure kinds exist and must never be confused:

* :class:`ProtocolError` -- a client sent something invalid.  The websocket layer
  answers the sender with a ``protocol_error`` packet and changes nothing.
* :class:`OutboundPacketError` -- the *server* tried to send a packet that breaks a
  wire rule.  That is a server bug; the reference client would silently drop the
  packet (or a whole ``welcome``), so we fail loudly instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["ProtocolError", "OutboundPacketError", "flatten_messages", "format_errors"]


class ProtocolError(Exception):
    """An inbound frame was rejected.

    ``message`` is meant to be sent back verbatim in ``protocol_error.message``;
    ``packet_type`` is the frame's ``type`` when it was a string, else ``None``.
    """

    def __init__(self, message: str, packet_type: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.packet_type = packet_type

    def __repr__(self) -> str:
        return f"ProtocolError({self.message!r}, packet_type={self.packet_type!r})"


class OutboundPacketError(ValueError):
    """A server→client payload breaks the wire rules (a server bug).

    ``errors`` lists every violation as ``"<packet_type>.<field path>: <message>"``.
    """

    def __init__(self, packet_type: str, errors: list[str]) -> None:
        self.packet_type = packet_type
        self.errors = list(errors)
        super().__init__(
            f"invalid outbound {packet_type!r} packet: " + " ".join(self.errors)
        )


def flatten_messages(messages: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(dotted path, message)`` pairs from a marshmallow error tree.

    marshmallow nests errors as dicts keyed by field name, list index or mapping key,
    with lists of strings at the leaves.  Keys are sorted so the text is stable even
    where marshmallow collects errors from a set (unknown-field errors).
    """
    if isinstance(messages, Mapping):
        for key in sorted(messages, key=_sort_key):
            if key == "_schema":
                sub = path
            else:
                sub = f"{path}.{key}" if path else str(key)
            yield from flatten_messages(messages[key], sub)
    elif isinstance(messages, (list, tuple)):
        for item in messages:
            if isinstance(item, (Mapping, list, tuple)):
                yield from flatten_messages(item, path)
            else:
                yield path, str(item)
    else:
        yield path, str(messages)


def _sort_key(key: Any) -> tuple[int, int, str]:
    # Integers (list indices) sort numerically so "items.2" comes before "items.10".
    if isinstance(key, int):
        return (0, key, "")
    return (1, 0, str(key))


def format_errors(prefix: str, messages: Any) -> list[str]:
    """Render an error tree as ``"prefix.path: message"`` lines."""
    out = []
    for path, msg in flatten_messages(messages):
        where = f"{prefix}.{path}" if path else prefix
        out.append(f"{where}: {msg}")
    return out
