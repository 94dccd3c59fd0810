"""Metronome: ticks at its tempo while it is on (the stateful plug-in example).

Pure like every type folder's ``__init__``: the definition, validation and use action.
The running part is ``plugin.py`` (with its actor in ``actor.py``).
"""
from __future__ import annotations

from chgrid.items.base import ItemType
from chgrid.items.shared_actions import toggle_enabled
from tests.plugin_types.metronome import definition, validate

ITEM_TYPE = ItemType(
    type_id="metronome",
    label="metronome",
    tooltip="Ticks at its tempo while it is on.",
    order=90,
    default_title="metronome",
    defaults=definition.DEFAULTS,
    editable_properties=definition.EDITABLE,
    property_metadata=definition.METADATA,
    validator=validate.validate,
    use_action=toggle_enabled,
    emit_range=definition.TICK_RANGE,
)
