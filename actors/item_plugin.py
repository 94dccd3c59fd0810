"""The contract of a stateful item type's plug-in, and how the server finds them.

An item type is a folder under ``chgrid/items/types/`` (pure: definition, validation,
actions). A type whose items need something running — a timer, a poller, a recorder —
adds a ``plugin`` module (the actor layer) with a function::

    def create(settings: Settings) -> StatefulType

``StatefulType`` is made once per server; ``bind(host)`` makes one
:class:`StatefulPart` per room. The part declares the packets it handles
(``routes``), supplies its actors through ``host.supervise(factory)`` and reacts to its
items' lifecycle and to its actors' reports. The room, its components and
``chgrid.items.operations`` never name a type: whatever differs comes from here. See
docs/item-plugins.md for a worked example.

Everything a part does runs inside the room's step (``chgrid.actors.room_step``): its
memory changes go through ``host.journal``, its tells through ``ItemActors.tell``.
"""
from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar

import pykka

from chgrid.actors.item_actor import ItemReport
from chgrid.actors.item_supervisor import ActorFactory, ItemActors
from chgrid.actors.room_routes import Refuse, Route
from chgrid.actors.room_state import Player
from chgrid.actors.room_step import StepJournal
from chgrid.actors.timers import Clock, Scheduler
from chgrid.items.base import SoundPlace, UseEffect
from chgrid.items.model import ActingUser, ItemState
from chgrid.items.registry import ItemRegistry
from chgrid.items.store import SongWrite
from chgrid.settings import Settings

log = logging.getLogger(__name__)

PLUGIN_MODULE = "plugin"
P = TypeVar("P", bound=pykka.ActorProxy[Any])


class PluginHost(Protocol):
    """What the room offers a bound plug-in part (on the room's thread)."""

    @property
    def clock(self) -> Clock: ...

    @property
    def scheduler(self) -> Scheduler: ...

    @property
    def journal(self) -> StepJournal:
        """For undoable changes of the part's own memory."""
        ...

    def supervise(self, factory: ActorFactory[P]) -> ItemActors[P]:
        """The supervisor of this type's actors; the host starts an actor for each item
        of the type (loaded or added) and stops it when the item is deleted."""
        ...

    # -- reading
    def item(self, item_id: str) -> ItemState | None: ...

    def player(self, client_id: str) -> Player | None: ...

    def players(self) -> Iterable[Player]: ...

    def connected_user_ids(self) -> set[int]: ...

    def acting(self, player: Player) -> ActingUser: ...

    def place_of(self, item: ItemState) -> SoundPlace: ...

    # -- writing: database first, then memory, then frames
    def commit(self, upserts: Iterable[ItemState] = (), songs: Iterable[SongWrite] = ()) -> bool:
        """Commit now; False (logged) when it could not be saved."""
        ...

    def load_songs(self) -> dict[str, dict[str, Any]]: ...

    def replace_item(self, item: ItemState) -> None:
        """Keep the item's new state and send ``item_upsert`` to everyone."""
        ...

    # -- frames (staged until the step commits)
    def send(self, client_id: str, packet_type: str, payload: dict[str, Any]) -> None: ...

    def send_all(self, packet_type: str, payload: dict[str, Any], exclude: str | None = None) -> None: ...

    def emit(self, effect: UseEffect, place: SoundPlace, actor_client_id: str | None = None) -> None:
        """Send an effect's packets (those for the actor only when ``actor_client_id``)."""
        ...

    def answer(self, client_id: str, ok: bool, action: str, message: str,
               item_id: str | None = None) -> None:
        """``item_action_result`` to one client."""
        ...

    def refusal(self, action: str) -> Refuse:
        """The flood-control answer of an item packet whose result says ``action``."""
        ...


class StatefulPart:
    """One stateful type in one room. Subclasses override what they need."""

    def routes(self) -> Mapping[str, Route]:
        """Packets this type handles itself (e.g. the piano's live notes)."""
        return {}

    def load(self) -> None:
        """The room is starting, its items are loaded (before their actors start)."""

    def item_changed(self, old: ItemState, new: ItemState, action: str) -> None:
        """An action stored a new state of one of this type's items (its actor runs);
        ``action`` is the result's (pickup, drop, update, use, ...)."""

    def item_removed(self, item: ItemState) -> None:
        """One of this type's items was deleted (its actor is stopped by the host)."""

    def player_left(self, player: Player) -> None:
        """A connection left the room (it is already off the roster)."""

    def on_report(self, item: ItemState, report: ItemReport) -> None:
        """An item actor of this type reported about ``item``."""


class StatefulType(Protocol):
    """A stateful type's plug-in, made once per server by its module's ``create``."""

    @property
    def type_id(self) -> str: ...

    def bind(self, host: PluginHost) -> StatefulPart: ...


PluginFactory = Callable[[Settings], StatefulType]


class StatefulPlugins:
    """The stateful plug-ins of a server, by type id."""

    def __init__(self, plugins: Iterable[StatefulType] = ()) -> None:
        self._by_type: dict[str, StatefulType] = {}
        for plugin in plugins:
            if plugin.type_id in self._by_type:
                raise ValueError(f"two stateful plug-ins for {plugin.type_id!r}")
            self._by_type[plugin.type_id] = plugin

    @classmethod
    def discover(cls, registry: ItemRegistry, settings: Settings) -> StatefulPlugins:
        """Each registered type whose package has a ``plugin`` module, made with ``settings``."""
        plugins = []
        for type_id in registry.type_ids():
            package = registry.package_of(type_id)
            if package is None:
                continue
            name = f"{package}.{PLUGIN_MODULE}"
            if importlib.util.find_spec(name) is None:
                continue
            create: PluginFactory = importlib.import_module(name).create
            plugin = create(settings)
            if plugin.type_id != type_id:
                raise ValueError(f"{name} makes a plug-in for {plugin.type_id!r}, not {type_id!r}")
            plugins.append(plugin)
        found = cls(plugins)
        log.debug("stateful item types: %s", ", ".join(found.type_ids()) or "none")
        return found

    def replacing(self, *plugins: StatefulType) -> StatefulPlugins:
        """The same set with some plug-ins swapped (tests inject fakes this way)."""
        swapped = {**self._by_type, **{p.type_id: p for p in plugins}}
        return StatefulPlugins(swapped.values())

    def type_ids(self) -> list[str]:
        return sorted(self._by_type)

    def items(self) -> Iterable[tuple[str, StatefulType]]:
        return self._by_type.items()
