"""Strict marshmallow fields for JSON packets.

marshmallow's stock fields coerce too much for a wire protocol: ``fields.Integer``
turns ``"12"`` and ``1.5`` into ints, ``fields.String`` accepts bytes and
``fields.Boolean`` accepts ``"yes"``.  The reference server's lax mode accepted some of
that, but the protocol spec recommends the strict reading and the reference client
never sends anything else, so these fields accept exactly the JSON type of the field:

* integers: JSON integers; inbound also integral floats (``5.0`` → ``5``) because
  JavaScript cannot tell them apart.  ``1.5``, strings and booleans are rejected.
  Outbound integers must be real Python ints (never ``bool``, never ``float``).
* strings: only ``str``.  booleans: only ``True``/``False``.
* objects: only dicts; free-form objects are passed through unchanged.

All fields share one ``deserialize`` that skips marshmallow's per-call overhead
(pre/post-load hooks, the ``And`` validator wrapper) because outbound packets are
validated on every broadcast.  ``omit_none=True`` makes a ``None`` value vanish from
the loaded result, which is how outbound optional fields are dropped instead of being
sent as ``null``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError, fields, missing

__all__ = [
    "NULL_MESSAGE",
    "StrictString",
    "StrictInteger",
    "StrictNumber",
    "StrictBoolean",
    "JsonObject",
    "StrictList",
    "StringMap",
    "Obj",
    "ScalarValue",
    "check_json_value",
    "encoded_size",
]

NULL_MESSAGE = "Field may not be null."

# Nesting limit for free-form outbound objects: deep enough for any real params
# object, shallow enough to never hit Python's recursion limit.
_MAX_JSON_DEPTH = 64


class _StrictMixin:
    """Common fast ``deserialize`` with ``omit_none`` support.

    ``wire_null_ok`` marks the few fields the reference client accepts as ``null``
    (``item.carrierId``, ``welcome.auth.userId/username/role``); only
    ``validate_outbound`` looks at it, ``dump`` still omits such ``None`` values.
    """

    default_error_messages = {
        "required": "Missing data for required field.",
        "null": NULL_MESSAGE,
    }

    def __init__(self, *args: Any, omit_none: bool = False, wire_null_ok: bool = False,
                 **kwargs: Any) -> None:
        if omit_none:
            kwargs.setdefault("allow_none", True)
        self.omit_none = omit_none
        self.wire_null_ok = wire_null_ok
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]

    def deserialize(self, value: Any, attr: str | None = None,
                    data: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        if value is missing:
            if self.required:  # type: ignore[attr-defined]
                raise self.make_error("required")  # type: ignore[attr-defined]
            default = self.load_default  # type: ignore[attr-defined]
            return default() if callable(default) else default
        if value is None:
            if self.omit_none:
                return missing
            if self.allow_none:  # type: ignore[attr-defined]
                return None
            raise self.make_error("null")  # type: ignore[attr-defined]
        out = self._deserialize(value, attr, data, **kwargs)  # type: ignore[attr-defined]
        for validator in self.validators:  # type: ignore[attr-defined]
            # marshmallow validators raise ValidationError themselves; a plain
            # predicate returning False is still honoured.
            if validator(out) is False:
                raise self.make_error("validator_failed")  # type: ignore[attr-defined]
        return out


class StrictString(_StrictMixin, fields.Field):
    """A JSON string, nothing else."""

    default_error_messages = {"invalid": "Not a valid string."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return value


class StrictInteger(_StrictMixin, fields.Field):
    """A JSON integer.

    ``integral_float=True`` (inbound) also accepts floats without a fractional part
    and returns them as ``int``; outbound fields leave it off so a float that slipped
    into a server payload is caught as a bug.
    """

    default_error_messages = {"invalid": "Not a valid integer."}

    def __init__(self, *args: Any, integral_float: bool = False, **kwargs: Any) -> None:
        self.integral_float = integral_float
        super().__init__(*args, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            return value
        if self.integral_float and isinstance(value, float) and value.is_integer():
            return int(value)
        raise self.make_error("invalid")


class StrictNumber(_StrictMixin, fields.Field):
    """A finite JSON number (int or float, not bool)."""

    default_error_messages = {"invalid": "Not a valid number."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.make_error("invalid")
        return value


class StrictBoolean(_StrictMixin, fields.Field):
    """JSON ``true``/``false`` only (no ``0``/``1``/``"yes"``)."""

    default_error_messages = {"invalid": "Not a valid boolean."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if value is True or value is False:
            return value
        raise self.make_error("invalid")


class ScalarValue(_StrictMixin, fields.Field):
    """A string, finite number or boolean (``visibleWhen`` values)."""

    default_error_messages = {"invalid": "Not a valid string, number or boolean."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, (str, bool, int)):
            return value
        if isinstance(value, float) and math.isfinite(value):
            return value
        raise self.make_error("invalid")


def check_json_value(value: Any, depth: int = 0) -> str | None:
    """Return why ``value`` is not plain JSON data, or ``None`` when it is.

    Free-form outbound objects (item params, globalProperties, sdp/ice) are opaque to
    the client but must still serialise to valid JSON: no NaN, no sets, no bytes, no
    non-string keys.
    """
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "Not a finite number."
    if depth >= _MAX_JSON_DEPTH:
        return "Nested too deeply."
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"Object key {key!r} is not a string."
            problem = check_json_value(item, depth + 1)
            if problem is not None:
                return f"{key}: {problem}"
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            problem = check_json_value(item, depth + 1)
            if problem is not None:
                return f"{index}: {problem}"
        return None
    return f"Not a JSON value ({type(value).__name__})."


def encoded_size(value: Any) -> int:
    """UTF-8 bytes of ``value`` as the server encodes it (compact, non-ASCII kept).

    Lone surrogates count as three bytes each (``surrogatepass``) so the size of any
    loaded value can be measured; they are refused elsewhere.
    """
    text = _SIZE_ENCODER.encode(value)
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


# The same settings as the outbound encoder, so the bound is what relaying costs.
_SIZE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class JsonObject(_StrictMixin, fields.Field):
    """A free-form JSON object, returned as given.

    ``deep=True`` (outbound) additionally checks that every nested value is plain JSON
    data; inbound objects come from the frame decoder, which already refuses non-finite
    numbers and deep nesting (framejson.py), and need no such check.  ``max_bytes``
    (inbound objects that are relayed to others) bounds the encoded size.
    """

    default_error_messages = {
        "invalid": "Not a valid object.",
        "too_large": "Encoded size must be at most {max_bytes} bytes.",
    }

    def __init__(self, *args: Any, deep: bool = False, max_bytes: int | None = None,
                 **kwargs: Any) -> None:
        self.deep = deep
        self.max_bytes = max_bytes
        super().__init__(*args, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        if self.deep:
            problem = check_json_value(value)
            if problem is not None:
                raise ValidationError(problem)
        if self.max_bytes is not None and encoded_size(value) > self.max_bytes:
            raise self.make_error("too_large", max_bytes=self.max_bytes)
        return value


class StrictList(_StrictMixin, fields.List):
    """A JSON array (``list``; ``tuple`` too, which json encodes the same way)."""

    default_error_messages = {"invalid": "Not a valid list."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> list:
        if not isinstance(value, (list, tuple)):
            raise self.make_error("invalid")
        inner = self.inner
        result = []
        errors: dict[int, Any] = {}
        for index, item in enumerate(value):
            try:
                result.append(inner.deserialize(item, **kwargs))
            except ValidationError as error:
                errors[index] = error.messages
        if errors:
            raise ValidationError(errors)
        return result


class StringMap(_StrictMixin, fields.Field):
    """A JSON object with string keys whose values all match ``values``."""

    default_error_messages = {"invalid": "Not a valid object."}

    def __init__(self, values: fields.Field, *args: Any, **kwargs: Any) -> None:
        self.value_field = values
        super().__init__(*args, **kwargs)

    def _bind_to_schema(self, field_name: str, parent: Any) -> None:
        super()._bind_to_schema(field_name, parent)
        self.value_field._bind_to_schema(field_name, self)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict:
        if not isinstance(value, dict):
            raise self.make_error("invalid")
        inner = self.value_field
        result = {}
        errors: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                errors[str(key)] = ["Key is not a string."]
                continue
            try:
                loaded = inner.deserialize(item)
            except ValidationError as error:
                errors[key] = error.messages
                continue
            if loaded is not missing:
                result[key] = loaded
        if errors:
            raise ValidationError(errors)
        return result


class Obj(_StrictMixin, fields.Nested):
    """A nested schema (one object, or a list of them with ``many=True``)."""

    default_error_messages = {"type": "Not a valid object."}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        # marshmallow's Nested would accept any iterable for many=True.
        if self.many and not isinstance(value, (list, tuple)):
            raise ValidationError("Not a valid list.")
        if not self.many and not isinstance(value, dict):
            raise ValidationError("Not a valid object.")
        return super()._deserialize(value, attr, data, **kwargs)
