"""Hypothesis strategies for inbound frames, built from the inbound schemas themselves.

``frames()`` draws what a hostile or broken client could send: for every type in
``INBOUND_SCHEMAS`` a frame whose fields are read off the schema (field kind, ``Length``,
``Range`` and ``OneOf`` validators, required or not) and filled with valid values,
boundary values, values of the wrong type or hostile values (huge, deeply nested,
non-finite, lone surrogates, digit bombs), plus unknown extra fields; then frame-level
damage: broken JSON, binary frames (valid and invalid UTF-8), unknown or missing types,
top-level non-objects.

Values that ``json.dumps`` cannot produce (``1e999``, 100,000-deep arrays, lone
surrogate escapes) are carried as :class:`Raw` JSON text and spliced in by
:func:`to_json`.  Used by tests/test_fuzz_inbound.py and bench/fuzz_soak.py.
"""
from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st
from marshmallow.validate import Length, OneOf, Range

from chgrid.protocol.fields import JsonObject, StrictBoolean, StrictInteger, StrictList, StrictString
from chgrid.protocol.inbound import INBOUND_SCHEMAS, MAX_RELAYED_OBJECT_BYTES

__all__ = ["Raw", "to_json", "frames", "schema_frame", "frame_dicts"]


class Raw(str):
    """JSON text inserted verbatim by :func:`to_json`."""


def to_json(value: Any) -> str:
    """Serialise like ``json.dumps`` but splice :class:`Raw` values in unchanged."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


def _nested(depth: int, kind: str = "[") -> Raw:
    if kind == "[":
        return Raw("[" * depth + "]" * depth)
    return Raw('{"a":' * depth + "1" + "}" * depth)


# --- value pools -----------------------------------------------------------------------

_NON_FINITE = [Raw(t) for t in ("1e999", "-1e999", "1E400", "NaN", "Infinity", "-Infinity",
                                "1" + "0" * 400 + ".0")]
_DIGIT_BOMBS = [Raw("1" * 5000), Raw("-" + "9" * 4300), Raw("1" * 4000)]
_SURROGATES = [Raw('"\\ud800"'), Raw('"a\\udfffb"'), Raw('"\\ud83d\\ude00"')]
_DEPTHS = [63, 64, 65, 66, 200, 1000, 100_000]

_json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
)
json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=5)
wrong_types = st.one_of(_json_scalars, st.lists(_json_scalars, max_size=3),
                        st.dictionaries(st.text(max_size=4), _json_scalars, max_size=3))


@st.composite
def hostile_values(draw: st.DrawFn) -> Any:
    """Huge, deep, non-finite or otherwise nasty JSON (as Raw text where needed)."""
    kind = draw(st.sampled_from(["non_finite", "deep", "digits", "surrogate", "huge",
                                 "nan_inside", "deep_inside"]))
    if kind == "non_finite":
        return draw(st.sampled_from(_NON_FINITE))
    if kind == "deep":
        return _nested(draw(st.sampled_from(_DEPTHS)), draw(st.sampled_from("[{")))
    if kind == "digits":
        return draw(st.sampled_from(_DIGIT_BOMBS))
    if kind == "surrogate":
        return draw(st.sampled_from(_SURROGATES))
    if kind == "huge":
        size = draw(st.sampled_from([MAX_RELAYED_OBJECT_BYTES - 20, MAX_RELAYED_OBJECT_BYTES + 1,
                                     200_000]))
        return draw(st.sampled_from([{"sdp": "a" * size}, "b" * size, ["c" * 10] * (size // 13)]))
    if kind == "nan_inside":
        return {"type": "offer", "sdp": "v=0", "x": [1, {"y": draw(st.sampled_from(_NON_FINITE))}]}
    return {"type": "offer", "inner": _nested(draw(st.sampled_from(_DEPTHS[:5])), "{")}


# --- per-field strategies (read off the schema) -----------------------------------------

def _validator(field: Any, kind: type) -> Any:
    return next((v for v in field.validators if isinstance(v, kind)), None)


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


def _string_values(field: StrictString, mode: str) -> st.SearchStrategy:
    length = _validator(field, Length)
    choice = _validator(field, OneOf)
    low = length.min if length and length.min is not None else 0
    high = length.max if length and length.max is not None else None
    if mode == "valid":
        if choice is not None:
            return st.sampled_from(list(choice.choices))
        return st.text(alphabet=st.characters(codec="utf-8"), min_size=max(low, 1),
                       max_size=min(high or 40, 40))
    # boundary: the length limits (in code points, astral characters included)
    sizes = sorted({s for s in (low - 1, low, high, (high or 0) + 1, 0, 1) if s is not None and s >= 0})
    extra = [] if choice is None else [c.upper() for c in choice.choices] + [c + " " for c in choice.choices]
    return st.one_of(
        st.builds(lambda n, c: c * n, st.sampled_from(sizes), st.sampled_from(["a", "é", "\U0001F600", " "])),
        st.sampled_from(extra or [""]),
        st.sampled_from(_SURROGATES),
        st.sampled_from(["[{", "\x00", "\u202e", "\\", '"']),
    )


def _int_values(field: StrictInteger, mode: str) -> st.SearchStrategy:
    rng = _validator(field, Range)
    low = rng.min if rng and rng.min is not None else -(2**53)
    high = rng.max if rng and rng.max is not None else 2**53
    if mode == "valid":
        return st.one_of(st.integers(low, high), st.integers(low, high).map(float))
    return st.one_of(
        st.sampled_from([low - 1, low, high, high + 1, 0, -1, 2**31, 2**63, 2**64, -(2**63)]),
        st.sampled_from([1.5, -0.0, 1e300, 5.0, 2.0**53 + 2]),
        st.sampled_from(_NON_FINITE + _DIGIT_BOMBS),
    )


def _object_values(field: JsonObject, mode: str) -> st.SearchStrategy:
    if mode == "valid":
        sdp = st.builds(lambda t, s: {"type": t, "sdp": s},
                        st.sampled_from(["offer", "answer"]), st.text(max_size=200))
        ice = st.builds(lambda c, m, i: {"candidate": c, "sdpMid": m, "sdpMLineIndex": i},
                        st.text(max_size=60), st.sampled_from(["0", "1", None]), st.integers(0, 3))
        return st.one_of(json_objects, sdp, ice)
    return st.one_of(
        st.sampled_from([{}, {"a": _nested(62)}, {"a": _nested(63)}]),
        st.sampled_from([{"sdp": "s" * (MAX_RELAYED_OBJECT_BYTES - 10)},
                         {"sdp": "s" * (MAX_RELAYED_OBJECT_BYTES - 9)},
                         {"sdp": "é" * (MAX_RELAYED_OBJECT_BYTES // 2)}]),
        hostile_values().map(lambda v: {"v": v}),
    )


def _list_values(field: StrictList, mode: str) -> st.SearchStrategy:
    if mode == "valid":
        return st.lists(st.text(max_size=20), max_size=6)
    return st.one_of(st.lists(wrong_types, max_size=4), st.just(["p"] * 5000),
                     st.lists(st.sampled_from(_SURROGATES), max_size=2))


def _bool_values(field: StrictBoolean, mode: str) -> st.SearchStrategy:
    if mode == "valid":
        return st.booleans()
    return st.sampled_from([0, 1, "true", "false", "yes", None, 1.0])


_BY_KIND = [
    (StrictString, _string_values),
    (StrictInteger, _int_values),
    (JsonObject, _object_values),
    (StrictList, _list_values),
    (StrictBoolean, _bool_values),
]


def field_values(field: Any, mode: str) -> st.SearchStrategy:
    """Values for one schema field; ``mode`` is valid/boundary/wrong/hostile."""
    if mode == "wrong":
        return wrong_types
    if mode == "hostile":
        return hostile_values()
    for kind, make in _BY_KIND:
        if isinstance(field, kind):
            return make(field, mode)
    raise TypeError(f"no strategy for field {field!r}; add one to tests/fuzz_frames.py")


_MODES = ["valid", "valid", "valid", "boundary", "wrong", "hostile", "omit"]


@st.composite
def frame_dicts(draw: st.DrawFn, packet_type: str, ids: tuple[str, ...] = ()) -> dict:
    """One frame (as a dict, Raw values inside) of ``packet_type`` from its schema.

    ``ids`` are real client/item ids to use for ``targetId``/``itemId`` sometimes, so
    fuzzed frames also reach the relays and item code in a live server.
    """
    schema = INBOUND_SCHEMAS[packet_type]
    frame: dict[str, Any] = {"type": packet_type}
    for name, field in schema.fields.items():
        mode = draw(st.sampled_from(_MODES))
        if mode == "omit":
            continue
        if ids and name in ("targetId", "itemId") and draw(st.booleans()):
            frame[name] = draw(st.sampled_from(ids))
            continue
        frame[name] = draw(field_values(field, mode))
    if draw(st.integers(0, 3)) == 0:
        extras = draw(st.dictionaries(st.text(max_size=10), st.one_of(json_values, hostile_values()),
                                      max_size=3))
        for key, value in extras.items():
            frame.setdefault(key, value)
    if draw(st.integers(0, 5)) == 0:
        # "type" last, as some clients order keys.
        frame["type"] = frame.pop("type")
    return frame


def schema_frame(packet_type: str, ids: tuple[str, ...] = ()) -> st.SearchStrategy:
    return frame_dicts(packet_type, ids).map(to_json)


@st.composite
def _broken(draw: st.DrawFn, text: str) -> str:
    """Damage valid-looking JSON text: truncate, splice a character, drop one."""
    if not text:
        return text
    at = draw(st.integers(0, len(text) - 1))
    how = draw(st.sampled_from(["truncate", "insert", "delete", "replace"]))
    if how == "truncate":
        return text[:at]
    char = draw(st.sampled_from(list('{}[]",:\\ 0e-') + ["\x00", "\ud800", "NaN"]))
    if how == "insert":
        return text[:at] + char + text[at:]
    if how == "delete":
        return text[:at] + text[at + 1:]
    return text[:at] + char + text[at + 1:]


@st.composite
def _binary(draw: st.DrawFn, text: str) -> bytes:
    how = draw(st.sampled_from(["utf8", "utf16", "random", "cut"]))
    if how == "utf8":
        return text.encode("utf-8", "surrogatepass")
    if how == "utf16":
        return text.encode("utf-16", "surrogatepass")
    if how == "cut":
        data = "é".join(text).encode("utf-8", "surrogatepass")
        return data[: max(1, len(data) // 2 * 2 - 1)]
    return draw(st.binary(max_size=64))


_top_level_junk = st.one_of(
    st.sampled_from(["", " ", "null", "[]", "[1,2]", '"ping"', "1e999", "NaN", "{}", '{"type":5}',
                     '{"type":null}', '{"type":["ping"]}', "[" * 100_000 + "]" * 100_000,
                     '{"type":"' + "z" * 3000 + '"}']),
    st.text(max_size=30),
    st.text(max_size=12).map(lambda t: json.dumps({"type": t})),
)


def hostile_relays(ids: tuple[str, ...]) -> st.SearchStrategy:
    """``signal`` frames to real targets with hostile ``sdp``/``ice``: the relay path."""
    hostile_object = st.one_of(hostile_values().map(lambda v: {"type": "offer", "v": v}),
                               _object_values(JsonObject(), "boundary"))
    return st.builds(
        lambda target, field, value: to_json({"type": "signal", "targetId": target, field: value}),
        st.sampled_from(ids), st.sampled_from(["sdp", "ice"]), hostile_object,
    )


def frames(ids: tuple[str, ...] = (), types: tuple[str, ...] | None = None) -> st.SearchStrategy:
    """Any frame a client could send: ``str`` (text frame) or ``bytes`` (binary frame).

    With ``ids`` (live client ids), one draw in seven is a hostile relayed ``signal``.
    """
    chosen = sorted(types or INBOUND_SCHEMAS)
    per_type = st.sampled_from(chosen).flatmap(lambda t: schema_frame(t, ids))
    branches = [
        per_type,
        per_type,
        per_type,
        per_type.flatmap(_broken),
        per_type.flatmap(_binary),
        _top_level_junk,
    ]
    if ids:
        branches.append(hostile_relays(ids))
    return st.one_of(*branches)
