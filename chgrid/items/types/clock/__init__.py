"""Clock: speaks the time on use, at the top of the hour and at its alarm
(spec/items.md §10.1). ``phrase`` composes the samples, ``schedule`` decides the
automatic announcements for the ClockSchedulerActor.
"""
from __future__ import annotations

from chgrid.items.base import ItemType
from chgrid.items.types.clock import actions, definition, validate

ITEM_TYPE = ItemType(
    type_id="clock",
    label="clock",
    tooltip="It tells the time. What did you think it did?",
    order=10,
    default_title="clock",
    defaults=definition.DEFAULTS,
    editable_properties=definition.EDITABLE,
    property_metadata=definition.METADATA,
    validator=validate.validate,
    use_action=actions.use,
    emit_sound="sounds/clock.ogg",
    emit_range=10,
)
