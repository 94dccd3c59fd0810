"""Sound and media references (spec/items.md §2, §6).

- ``normalize_sound_ref``: the widget ``useSound``/``emitSound`` rule of §6.3;
- ``normalize_media_url``: ``streamUrl`` per §6.4 with the recommended http/https check;
- ``sound_display_name``: the ``display.useSound``/``display.emitSound`` text;
- ``resolve_use_sound`` / ``effective_emit_range``: what ``item_use_sound`` carries.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from chgrid.items.base import DEFAULT_EMIT_RANGE, ItemValidationError
from chgrid.items.numbers import parse_decimal

if TYPE_CHECKING:
    from chgrid.items.base import ItemType
    from chgrid.items.model import ItemState

MAX_REF_LENGTH = 2048
_OFF_WORDS = frozenset({"none", "off"})
_PASS_THROUGH_PREFIXES = ("http://", "https://", "data:", "blob:")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def normalize_sound_ref(value: Any, field: str) -> str:
    """Normalise a sound reference; raises when longer than 2048 characters."""
    text = _as_text(value).strip()
    lowered = text.lower()
    if not text or lowered in _OFF_WORDS:
        result = ""
    elif lowered.startswith(_PASS_THROUGH_PREFIXES):
        result = text
    elif text.startswith("/sounds/"):
        result = text[1:]
    elif text.startswith("sounds/"):
        result = text
    elif "/" not in text:
        result = "sounds/" + text
    else:
        result = text
    if len(result) > MAX_REF_LENGTH:
        raise ItemValidationError(f"{field} must be {MAX_REF_LENGTH} characters or less.")
    return result


def normalize_media_url(value: Any, field: str = "streamUrl", *, require_http: bool = True) -> str:
    """Trim, blank ``none``/``off``, cap the length, then allow only http(s) URLs.

    The scheme check is the spec's recommendation for new data; callers pass
    ``require_http=False`` for a value that is already stored, so legacy items holding
    other URLs stay editable.
    """
    text = _as_text(value).strip()
    if text.lower() in _OFF_WORDS:
        return ""
    if len(text) > MAX_REF_LENGTH:
        raise ItemValidationError(f"{field} must be {MAX_REF_LENGTH} characters or less.")
    if require_http and text and not is_http_url(text):
        raise ItemValidationError(f"{field} must be an http or https URL.")
    return text


def is_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def sound_display_name(value: Any) -> str:
    """``"none"`` for no sound, else the last path segment without query/fragment."""
    text = _as_text(value).strip()
    if not text or text.lower() in _OFF_WORDS:
        return "none"
    bare = text.split("#", 1)[0].split("?", 1)[0]
    segment = bare.rstrip("/").rsplit("/", 1)[-1]
    return segment or text


def display_sound(item: ItemState, type_default: str | None, key: str) -> str:
    """``display[key]`` for ``useSound``/``emitSound``: the param if present, else the type's."""
    if key in item.params:
        return sound_display_name(item.params[key])
    return sound_display_name(type_default)


def resolve_use_sound(item: ItemState, item_type: ItemType) -> str | None:
    """The sound of an ``item_use_sound`` packet, or None to send none (§6.1)."""
    value = item.params.get("useSound")
    if isinstance(value, str):
        sound = value.strip()
        # Legacy data may still hold the words the normaliser blanks.
        if not sound or sound.lower() in _OFF_WORDS:
            return None
        return sound
    return item_type.use_sound or None


def effective_emit_range(item: ItemState, item_type: ItemType | None) -> int:
    """``params.emitRange`` when a positive number (truncated), else the type's, else 15."""
    raw = item.params.get("emitRange")
    if not isinstance(raw, bool):
        number = parse_decimal(raw)
        if number is not None and int(number) >= 1:
            return int(number)
    if item_type is not None and item_type.emit_range >= 1:
        return item_type.emit_range
    return DEFAULT_EMIT_RANGE
