"""Piano: a playable synth with server-side recording (spec/items.md §10.3).

``notes`` shapes live and played-back notes, ``recording`` holds the recording and
playback state machines the PianoRecorderActor drives.
"""
from __future__ import annotations

from chgrid.items.base import ItemType
from chgrid.items.types.piano import actions, definition, validate

ITEM_TYPE = ItemType(
    type_id="piano",
    label="piano",
    tooltip="Playable keyboard instrument with multiple synth voices.",
    order=30,
    default_title="piano",
    defaults=definition.DEFAULTS,
    editable_properties=definition.EDITABLE,
    property_metadata=definition.METADATA,
    validator=validate.validate,
    use_action=actions.use,
)
