"""Dice: roll ``number`` dice with ``sides`` sides (spec/items.md §10.2)."""
from __future__ import annotations

from chgrid.items.base import ItemType
from chgrid.items.types.dice import actions, definition, validate

ITEM_TYPE = ItemType(
    type_id="dice",
    label="dice",
    tooltip="Great for drinking games or boredom.",
    order=20,
    default_title="Dice",
    defaults=definition.DEFAULTS,
    editable_properties=definition.EDITABLE,
    property_metadata=definition.METADATA,
    validator=validate.validate,
    use_action=actions.use,
    use_sound="sounds/roll.ogg",
)
