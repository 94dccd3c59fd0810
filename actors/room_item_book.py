"""The room's items as its item components share them: memory, storage and wire form.

``ItemBook`` is the one place items are kept (undoably, in ``RoomState``), written to
the item store and turned into wire objects. The item packets component
(``chgrid.actors.room_items``) and the stateful items host
(``chgrid.actors.room_stateful``) both work through it.

Writes come in two kinds: :meth:`commit` for a change someone is answered about (it
commits now, on the room's thread, bounded by the store's lock wait, before memory
changes or anything is sent) and :meth:`commit_later` for one nobody waits for (the
drop of a carried item on disconnect), which the store retries in the background.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, Protocol

from chgrid.actors.room_context import RoomContext
from chgrid.actors.room_state import Player
from chgrid.items.base import ItemType, SoundPlace
from chgrid.items.model import ActingUser, ItemState
from chgrid.items.registry import ItemRegistry
from chgrid.items.sounds import effective_emit_range
from chgrid.items.store import SongWrite
from chgrid.items.wire import item_to_wire

log = logging.getLogger(__name__)


class ItemStorePort(Protocol):
    """What the room needs of ``chgrid.items.store.ItemStore``."""

    def load_all(self) -> list[ItemState]: ...

    def load_songs(self) -> dict[str, dict[str, Any]]: ...

    def apply(self, upserts: Iterable[ItemState] = (), deletes: Iterable[str] = (),
              songs: Iterable[SongWrite] = ()) -> None: ...

    def apply_later(self, upserts: Iterable[ItemState] = (), deletes: Iterable[str] = (),
                    songs: Iterable[SongWrite] = ()) -> None: ...


class ItemBook:
    """Items of one room with their registry and store (room thread only)."""

    def __init__(self, ctx: RoomContext, registry: ItemRegistry, store: ItemStorePort | None) -> None:
        self._ctx = ctx
        self.registry = registry
        self._store = store
        self._last_use_ms: dict[str, int] = {}

    # -- loading --------------------------------------------------------------------------

    def load(self) -> int:
        """Load the stored items into memory; how many."""
        if self._store is None:
            return 0
        items = self._store.load_all()
        self._ctx.state.load_items(items)
        return len(items)

    def load_songs(self) -> dict[str, dict[str, Any]]:
        return self._store.load_songs() if self._store is not None else {}

    # -- reading --------------------------------------------------------------------------

    def get(self, item_id: str) -> ItemState | None:
        return self._ctx.state.items.get(item_id)

    def all(self) -> Iterable[ItemState]:
        return self._ctx.state.items.values()

    def type_of(self, item: ItemState) -> ItemType | None:
        return self.registry.get(item.type)

    def carried_by(self, client_id: str) -> ItemState | None:
        for item in self._ctx.state.items.values():
            if item.carrier_id == client_id:
                return item
        return None

    def last_use_ms(self, item_id: str) -> int | None:
        return self._last_use_ms.get(item_id)

    def acting(self, player: Player) -> ActingUser:
        return ActingUser(
            client_id=player.client_id, user_id=str(player.user_id), username=player.username,
            nickname=player.nickname, x=player.x, y=player.y, permissions=player.permissions,
        )

    def place_of(self, item: ItemState, sound_range: int | None = None) -> SoundPlace:
        """Where the item sounds from: its carrier's square if carried, with its range."""
        carrier = self._ctx.state.players.get(item.carrier_id) if item.carrier_id else None
        x, y = (carrier.x, carrier.y) if carrier else (item.x, item.y)
        if sound_range is None:
            sound_range = effective_emit_range(item, self.registry.get(item.type))
        return SoundPlace(item.id, x, y, sound_range)

    def wire(self, item: ItemState) -> dict[str, Any]:
        carrier = self._ctx.state.players.get(item.carrier_id) if item.carrier_id else None
        item_type = self.registry.get(item.type)
        assert item_type is not None, "items of unknown types are never loaded"
        return item_to_wire(item, item_type, carrier.nickname if carrier else None)

    # -- writing --------------------------------------------------------------------------

    def commit(self, upserts: Iterable[ItemState] = (), deletes: Iterable[str] = (),
               songs: Iterable[SongWrite] = ()) -> bool:
        """Commit one batch now; False (logged) when the database refused or was locked."""
        if self._store is None:
            return True
        try:
            self._store.apply(upserts=list(upserts), deletes=list(deletes), songs=list(songs))
        except Exception as err:
            log.warning("room %s: item write failed: %s", self._ctx.name, err)
            return False
        return True

    def commit_later(self, upserts: Iterable[ItemState]) -> None:
        """Hand a write nobody waits for to the store's background writer."""
        if self._store is not None:
            self._store.apply_later(upserts=list(upserts))

    # -- memory (undoable) and broadcast --------------------------------------------------

    def keep(self, item: ItemState) -> ItemState | None:
        """Keep the new state of an item; the previous one is returned."""
        return self._ctx.state.put_item(item)

    def forget(self, item_id: str) -> ItemState | None:
        removed = self._ctx.state.remove_item(item_id)
        self._ctx.journal.pop(self._last_use_ms, item_id)
        return removed

    def mark_used(self, item_id: str) -> None:
        self._ctx.journal.put(self._last_use_ms, item_id, self._ctx.clock.now_ms())

    def replace(self, item: ItemState, exclude: str | None = None) -> None:
        """Keep the item's new state and send ``item_upsert`` to everyone (but ``exclude``)."""
        self.keep(item)
        self._ctx.send_all("item_upsert", {"item": self.wire(item)}, exclude=exclude)
