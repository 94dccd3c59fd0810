"""Radio station: plays an internet stream on clients (spec/items.md §10.4).

The server stores the stream settings and the metadata its poller detects
(``stationName``, ``nowPlaying``); ``icy`` holds the pure parsing the poller needs.
"""
from __future__ import annotations

from chgrid.items.base import ItemType
from chgrid.items.types.radio_station import actions, definition, validate

ITEM_TYPE = ItemType(
    type_id="radio_station",
    label="radio",
    tooltip=("Can play stations from the Internet. "
             "Tune multiple to the same station and they will sync up."),
    order=40,
    default_title="radio",
    defaults=definition.DEFAULTS,
    editable_properties=definition.EDITABLE,
    property_metadata=definition.METADATA,
    validator=validate.validate,
    use_action=actions.use,
    secondary_action=actions.secondary_use,
    emit_range=10,
    directional=True,
)
