"""Pure helpers for the radio metadata poller (spec/items.md §10.4).

The poller (the radio's actor, ``actor.py``) does the HTTP; everything it decides from bytes and
headers lives here so it can be tested without a network:

- ``should_poll``: which radios a pass visits;
- ``icy_headers_station_name`` / ``icy_metaint``: what the response headers say;
- ``IcyTitleReader``: feed the body bytes, get the title once the first metadata block
  is complete (with a cap on how much it will read);
- ``stream_title``: the title in a metadata block.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chgrid.items.model import ItemState
from chgrid.items.numbers import parse_decimal
from chgrid.items.types.radio_station.definition import (
    NOW_PLAYING_MAX,
    POLL_DEFAULT_RANGE,
    STATION_NAME_MAX,
)

REQUEST_HEADERS = {"Icy-MetaData": "1", "User-Agent": "ChatGrid"}
# Recommended cap on the audio skipped before the first metadata block.
MAX_METAINT = 64 * 1024

_TITLE_START = "StreamTitle='"


def should_poll(item: ItemState, listener_positions: Iterable[tuple[int, int]]) -> bool:
    """Enabled (missing = on), has a stream URL, and someone is within its emit range.

    Distance is Chebyshev; the range is ``params.emitRange`` or 10.
    """
    params = item.params
    if not params.get("enabled", True):
        return False
    url = params.get("streamUrl")
    if not isinstance(url, str) or not url.strip():
        return False
    raw_range = params.get("emitRange")
    number = None if isinstance(raw_range, bool) else parse_decimal(raw_range)
    radius = int(number) if number is not None else POLL_DEFAULT_RANGE
    return any(max(abs(x - item.x), abs(y - item.y)) <= radius for x, y in listener_positions)


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    """Case-insensitive lookup that works for plain dicts and HTTP header objects."""
    getter = getattr(headers, "get", None)
    if getter is not None:
        value = getter(name)
        if value is not None:
            return str(value)
    wanted = name.lower()
    for key, value in headers.items():
        if str(key).lower() == wanted:
            return str(value)
    return None


def icy_headers_station_name(headers: Mapping[str, Any]) -> str:
    """``icy-name``, else ``ice-name``; trimmed and cut to 160 characters."""
    for name in ("icy-name", "ice-name"):
        value = _header(headers, name)
        if value is not None and value.strip():
            return value.strip()[:STATION_NAME_MAX]
    return ""


def icy_metaint(headers: Mapping[str, Any]) -> int | None:
    """The metadata interval when ``icy-metaint`` is a positive integer, else None."""
    value = _header(headers, "icy-metaint")
    if value is None:
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if number > 0 else None


def decode_metadata(raw: bytes) -> str:
    """Metadata bytes as text: invalid bytes ignored, NUL padding removed."""
    return raw.decode("utf-8", errors="ignore").rstrip("\x00")


def stream_title(raw: bytes) -> str:
    """The text between ``StreamTitle='`` and the next ``';``, trimmed, max 200.

    A block whose last field lacks the closing ``;`` still yields its title.
    """
    text = decode_metadata(raw)
    start = text.find(_TITLE_START)
    if start < 0:
        return ""
    start += len(_TITLE_START)
    end = text.find("';", start)
    if end < 0:
        tail = text[start:].rstrip()
        if not tail.endswith("'"):
            return ""
        end = start + len(tail) - 1
    return text[start:end].strip()[:NOW_PLAYING_MAX]


class IcyTitleReader:
    """Incremental reader of an ICY body: skip ``metaint`` audio bytes, read one length
    byte L, then ``L × 16`` metadata bytes.

    ``feed`` returns True once the block is complete (``title`` is then set). A
    ``metaint`` above ``max_metaint`` is refused up front (``ValueError``) so a hostile
    stream cannot make the poller read without bound.
    """

    def __init__(self, metaint: int, max_metaint: int = MAX_METAINT) -> None:
        if metaint <= 0 or metaint > max_metaint:
            raise ValueError("metadata interval out of bounds")
        self._metaint = metaint
        self._buffer = bytearray()
        self.title: str | None = None

    @property
    def done(self) -> bool:
        return self.title is not None

    def bytes_wanted(self) -> int:
        """How many more bytes complete the block (at least 1 until done)."""
        if self.done:
            return 0
        have = len(self._buffer)
        if have <= self._metaint:
            return self._metaint + 1 - have
        total = self._metaint + 1 + self._buffer[self._metaint] * 16
        return max(total - have, 0)

    def feed(self, chunk: bytes) -> bool:
        view = memoryview(chunk)
        # The wanted count grows once the length byte is known, hence the loop.
        while not self.done and view:
            take = self.bytes_wanted()
            self._buffer.extend(view[:take])
            view = view[take:]
            if len(self._buffer) > self._metaint and self.bytes_wanted() == 0:
                start = self._metaint + 1
                self.title = stream_title(bytes(self._buffer[start:]))
        return self.done
