"""The item wire object of spec/items.md §1 with its ``display`` block (§2).

The reference client validates every item strictly and drops the whole ``welcome`` for
one bad item, so optional fields are omitted rather than sent as null.
"""
from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

from chgrid.items.base import ItemType
from chgrid.items.model import ItemState
from chgrid.items.sounds import display_sound


def format_utc_minute(epoch_ms: int) -> str:
    """``YYYY-MM-DD HH:MM`` in UTC."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M")


def item_display(item: ItemState, item_type: ItemType, carrier_nickname: str | None) -> dict[str, str]:
    """Server-formatted read-only values; every value is a string."""
    if item.carrier_id is None:
        carrier = "none"
    else:
        carrier = carrier_nickname if carrier_nickname else item.carrier_id
    capabilities = ", ".join(item_type.capabilities) or "none"
    return {
        "type": item.type,
        "x": str(item.x),
        "y": str(item.y),
        "carrierId": carrier,
        "version": str(item.version),
        "createdBy": item.created_by_name or item.created_by,
        "updatedBy": item.updated_by_name or item.updated_by,
        "createdAt": format_utc_minute(item.created_at),
        "updatedAt": format_utc_minute(item.updated_at),
        "capabilities": capabilities,
        "useSound": display_sound(item, item_type.use_sound, "useSound"),
        "emitSound": display_sound(item, item_type.emit_sound, "emitSound"),
    }


def item_to_wire(item: ItemState, item_type: ItemType, carrier_nickname: str | None) -> dict[str, Any]:
    """The full item object for ``welcome.items`` and ``item_upsert.item``.

    ``carrier_nickname`` is the carrier's current nickname when that client is
    connected; otherwise ``display.carrierId`` shows the raw carrier id.
    """
    wire: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "title": item.title,
        "x": item.x,
        "y": item.y,
        "createdBy": item.created_by,
        "createdByName": item.created_by_name,
        "updatedBy": item.updated_by,
        "updatedByName": item.updated_by_name,
        "createdAt": item.created_at,
        "updatedAt": item.updated_at,
        "version": item.version,
        "capabilities": list(item_type.capabilities),
    }
    if item_type.use_sound:
        wire["useSound"] = item_type.use_sound
    if item_type.emit_sound:
        wire["emitSound"] = item_type.emit_sound
    # A copy, so a frame built now cannot change when the room edits the item later.
    wire["params"] = copy.deepcopy(item.params)
    if item.carrier_id is not None:
        wire["carrierId"] = item.carrier_id
    wire["display"] = item_display(item, item_type, carrier_nickname)
    return wire
