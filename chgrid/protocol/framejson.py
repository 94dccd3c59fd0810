"""JSON decoding of inbound frames, with the limits that keep relaying them safe.

Python's ``json`` accepts more than the server can send back out: ``NaN`` and
``Infinity`` literals, numbers such as ``1e999`` that overflow to ``inf``, and nesting
as deep as the interpreter's recursion limit.  Outbound encoding refuses all of those
(``allow_nan=False``, a 64-level limit on free-form objects), so a frame that carried
them into a relayed field (``signal.sdp``) used to pass inbound validation and then
fail in the room, once per packet.  Here they are refused at the edge instead:

* every number must be finite, anywhere in the frame (ignored extra fields included);
* objects and arrays nest at most :data:`MAX_DEPTH` levels, the frame's own object
  counting as level 1.  Deeper input that reaches the interpreter's recursion limit
  inside the C decoder is refused the same way, never as a ``RecursionError``.

Errors name the packet type (when the frame has a string ``type``) and the top-level
field that holds the offending value, e.g. ``signal.sdp: Not a finite number.``.
Costs: valid frames pay one ``str.count`` pair; the depth walk runs only for frames
with more than :data:`MAX_DEPTH` brackets; the non-finite search only on rejection.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .errors import ProtocolError

__all__ = ["MAX_DEPTH", "decode_text", "load_frame", "safe_text", "short_text"]

# Outbound free-form objects allow 64 levels below their own field (fields.py), so a
# whole frame of 64 levels always leaves its relayed objects encodable.
MAX_DEPTH = 64

# Echoing a 2 MB bogus type or key back in an error text would be silly.
_MAX_ECHOED = 64


class _NonFinite(ValueError):
    """Raised from inside the strict decoder's number hooks."""


def _strict_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NonFinite(text)
    return value


def _strict_constant(name: str) -> Any:
    raise _NonFinite(name)


class _Marker:
    """Stands in for a non-finite number when locating it after a rejection."""

    __slots__ = ()


_MARK = _Marker()


def _lenient_float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else _MARK


_STRICT = json.JSONDecoder(parse_float=_strict_float, parse_constant=_strict_constant)
_LENIENT = json.JSONDecoder(parse_float=_lenient_float, parse_constant=lambda _name: _MARK)


def safe_text(text: str) -> str:
    """``text`` with unpaired surrogates replaced, so it can be echoed in an error."""
    return text.encode("utf-8", "replace").decode("utf-8")


def short_text(text: str) -> str:
    return text if len(text) <= _MAX_ECHOED else text[:_MAX_ECHOED] + "…"


def decode_text(raw: Any) -> str:
    """The frame as text: UTF-8 for binary frames, else :class:`ProtocolError`."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, (bytes, bytearray, memoryview)):
        try:
            return bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("Frame is not valid UTF-8.") from None
    raise ProtocolError("Frame is not valid JSON.")


def load_frame(text: str) -> Any:
    """Decode one frame's text, refusing non-finite numbers and deep nesting."""
    try:
        value = _STRICT.decode(text)
    except _NonFinite:
        raise _non_finite_error(text) from None
    except json.JSONDecodeError as exc:
        raise ProtocolError(
            f"Frame is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})."
        ) from None
    except ValueError as exc:
        # An integer beyond Python's digit limit.
        raise ProtocolError(f"Frame is not valid JSON ({exc}).") from None
    except RecursionError:
        # Far deeper than MAX_DEPTH; nothing was built that could be inspected.
        raise ProtocolError(_depth_message("Frame")) from None
    # A frame cannot nest deeper than it has brackets: the usual frame skips the walk.
    if text.count("[") + text.count("{") > MAX_DEPTH and type(value) in _CONTAINERS:
        too_deep, key = _first_too_deep(value)
        if too_deep:
            # Only an object frame has named fields worth pointing at.
            where = _where(value, key if isinstance(value, dict) else None)
            raise ProtocolError(_depth_message(where), _packet_type(value))
    return value


def _depth_message(where: str) -> str:
    return f"{where}: Objects and arrays nest more than {MAX_DEPTH} levels deep."


def _packet_type(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return safe_text(value["type"])
    return None


def _where(value: Any, key: Any) -> str:
    """``"<type>.<top-level key>"`` (or ``Frame…``) for an error about ``value[key]``."""
    packet_type = _packet_type(value)
    head = short_text(packet_type) if packet_type is not None else "Frame"
    if key is None:
        return head
    return f"{head}.{short_text(safe_text(str(key)))}"


_CONTAINERS = (dict, list)


def _deeper_than_max(node: Any, depth: int) -> bool:
    """Whether a container below ``node`` (itself at ``depth``) passes MAX_DEPTH.

    Recursion stops at MAX_DEPTH + 1 levels, so it stays far from Python's limit; this
    form is faster than an explicit stack (json output holds exact dicts and lists).
    """
    if depth > MAX_DEPTH:
        return True
    for child in (node.values() if type(node) is dict else node):
        if type(child) in _CONTAINERS and _deeper_than_max(child, depth + 1):
            return True
    return False


def _first_too_deep(value: Any) -> tuple[bool, Any]:
    """``(True, top-level key)`` for the first field nesting past MAX_DEPTH.

    The frame itself is level 1, so its fields' values start at level 2.
    """
    items = value.items() if type(value) is dict else enumerate(value)
    for key, child in items:
        if type(child) in _CONTAINERS and _deeper_than_max(child, 2):
            return True, key
    return False, None


def _non_finite_error(text: str) -> ProtocolError:
    """Locate the non-finite number for the message; only runs on rejection."""
    try:
        value = _LENIENT.decode(text)
    except (ValueError, RecursionError):
        # Also broken otherwise (or absurdly deep): no packet type to name.
        return ProtocolError("Frame is not valid JSON (a number is not finite).")
    if not isinstance(value, dict):
        return ProtocolError("Frame: Not a finite number.")
    for key, child in value.items():
        if _contains_mark(child):
            return ProtocolError(f"{_where(value, key)}: Not a finite number.",
                                 _packet_type(value))
    return ProtocolError("Frame: Not a finite number.")


def _contains_mark(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if node is _MARK:
            return True
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False
