"""Items: the type plug-ins and the pure logic around them (no threads, no I/O).

- ``base``: the plug-in contract (``ItemType``, ``UseContext``, ``UseOutcome``);
- ``registry``: discovery of ``types/<type>/`` packages and ``welcome.uiDefinitions``;
- ``model``: ``ItemState`` (one item) and ``ActingUser`` (who acts);
- ``operations``: add/pickup/drop/delete/update/use/secondary use as pure functions
  returning an ``ItemActionOutcome`` for the RoomActor to turn into packets;
- ``actions``: the individual checks and message texts those operations use;
- ``wire``: the item wire object with ``display``; ``sounds``/``numbers``/``fields``:
  normalisation helpers; ``store``: persistence through Peewee.

See docs/item-plugins.md for writing a new type.
"""
from chgrid.items.base import ItemType, ItemValidationError, UseContext, UseOutcome
from chgrid.items.model import ActingUser, ItemState

__all__ = ["ActingUser", "ItemState", "ItemType", "ItemValidationError", "UseContext", "UseOutcome"]
