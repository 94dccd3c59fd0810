"""Wheel: spin for a random space, the result arrives 3 s later (spec/items.md §10.5)."""
from __future__ import annotations

from chgrid.items.base import ItemType
from chgrid.items.types.wheel import actions, definition, validate

ITEM_TYPE = ItemType(
    type_id="wheel",
    label="wheel",
    tooltip="Spin to win fabulous prizes.",
    order=50,
    default_title="wheel",
    defaults=definition.DEFAULTS,
    editable_properties=definition.EDITABLE,
    property_metadata=definition.METADATA,
    validator=validate.validate,
    use_action=actions.use,
    use_sound="sounds/spin.ogg",
    cooldown_ms=4000,
)
