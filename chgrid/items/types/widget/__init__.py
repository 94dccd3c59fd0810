"""Widget: a configurable sound beacon (spec/items.md §10.6)."""
from __future__ import annotations

from chgrid.items.base import ItemType
from chgrid.items.types.widget import actions, definition, validate

ITEM_TYPE = ItemType(
    type_id="widget",
    label="widget",
    tooltip="A basic item. Make it a beacon or whatever you want.",
    order=60,
    default_title="widget",
    defaults=definition.DEFAULTS,
    editable_properties=definition.EDITABLE,
    property_metadata=definition.METADATA,
    validator=validate.validate,
    use_action=actions.use,
)
