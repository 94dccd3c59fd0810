"""The in-memory item instance and the acting user (spec/items.md §1, persistence.md §3).

``ItemState`` is what the RoomActor keeps per item. It holds only instance data;
capabilities, type sounds and ``display`` are derived from the type when the item is
sent (``chgrid.items.wire``). ``from_record`` reads the field names of the reference
``items.json`` records (and the store's rows), so legacy files can be imported as is.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

SYSTEM_ACTOR = "system"


@dataclass
class ItemState:
    """One item in a room. Mutable: the room replaces fields as actions succeed."""

    id: str
    type: str
    title: str
    x: int
    y: int
    created_by: str
    created_by_name: str
    updated_by: str
    updated_by_name: str
    created_at: int
    updated_at: int
    version: int = 1
    params: dict[str, Any] = field(default_factory=dict)
    carrier_id: str | None = None

    def copy(self) -> ItemState:
        """An independent copy (params deep-copied) for validate-then-apply updates."""
        clone = copy.copy(self)
        clone.params = copy.deepcopy(self.params)
        return clone

    def is_owned_by(self, user_id: str | None) -> bool:
        return user_id is not None and self.created_by == user_id

    def stamp(self, user_id: str, username: str, now_ms: int) -> None:
        """Record who changed the item and when (version handling is the caller's)."""
        self.updated_by = user_id
        self.updated_by_name = username
        self.updated_at = now_ms

    @classmethod
    def from_record(cls, record: Any) -> ItemState:
        """Rebuild an item from a stored record; ``ValueError`` names what is wrong.

        Missing names are filled as persistence.md §3 says: ``createdByName`` →
        ``createdBy``; ``updatedBy`` → ``createdBy``; ``updatedByName`` → ``updatedBy``.
        ``params`` are kept as stored (no re-validation).
        """
        if not isinstance(record, dict):
            raise ValueError("record is not an object")
        item_id = _required_text(record, "id")
        item_type = _required_text(record, "type")
        title = record.get("title")
        if not isinstance(title, str):
            raise ValueError("title is not text")
        x = _required_int(record, "x")
        y = _required_int(record, "y")
        created_by = _legacy_text(record.get("createdBy"))
        if created_by is None:
            raise ValueError("createdBy is missing")
        created_by_name = _legacy_text(record.get("createdByName")) or created_by
        updated_by = _legacy_text(record.get("updatedBy")) or created_by
        updated_by_name = _legacy_text(record.get("updatedByName")) or updated_by
        created_at = _required_int(record, "createdAt")
        updated_at = _optional_int(record, "updatedAt", created_at)
        version = _optional_int(record, "version", 1)
        params = record.get("params", {})
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise ValueError("params is not an object")
        carrier = record.get("carrierId")
        if carrier is not None and not isinstance(carrier, str):
            raise ValueError("carrierId is not text")
        return cls(
            id=item_id,
            type=item_type,
            title=title,
            x=x,
            y=y,
            created_by=created_by,
            created_by_name=created_by_name,
            updated_by=updated_by,
            updated_by_name=updated_by_name,
            created_at=created_at,
            updated_at=updated_at,
            version=version,
            params=copy.deepcopy(params),
            carrier_id=carrier,
        )


@dataclass(frozen=True)
class ActingUser:
    """The connection performing an item action, as the room knows it at that moment."""

    client_id: str
    user_id: str
    username: str
    nickname: str
    x: int
    y: int
    permissions: frozenset[str] = frozenset()


def _required_text(record: dict, key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{key} is missing or not text")
    return value


def _required_int(record: dict, key: str) -> int:
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} is missing or not an integer")
    return value


def _optional_int(record: dict, key: str, default: int) -> int:
    if record.get(key) is None:
        return default
    return _required_int(record, key)


def _legacy_text(value: Any) -> str | None:
    """User ids of legacy records may be stored as numbers; names may be blank."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value:
        return value
    return None
