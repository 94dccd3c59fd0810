"""The room's host for stateful item types: their plug-ins, actors and reports.

``StatefulItems`` binds every stateful plug-in (``chgrid.actors.item_plugin``) to the
room, gives each a :class:`TypeHost` (its view of the room) and keeps the supervisors
their parts register. It knows no type by name:

- an item of a stateful type gets its actor when it is loaded or added, loses it when
  deleted, and gets a fresh one when an item change finds none running; the part hears
  of every other change (``item_changed``) and decides what to tell its actor;
- an actor's :class:`~chgrid.actors.item_actor.ItemReport` reaches the part of its
  item's type, with the item's current state (reports about deleted items are dropped);
- failures and back-off restarts go to the supervisor of the item's type.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import pykka

from chgrid.actors.item_actor import ItemReport
from chgrid.actors.item_plugin import P, PluginHost, StatefulPart, StatefulPlugins
from chgrid.actors.item_supervisor import STOP_WAIT_S, ActorFactory, ItemActors
from chgrid.actors.room_context import RoomContext
from chgrid.actors.room_item_book import ItemBook
from chgrid.actors.room_items import emit_effect, refuse_item_packet
from chgrid.actors.room_routes import Refuse, Route, merge_routes
from chgrid.actors.room_state import Player
from chgrid.actors.room_step import StepJournal
from chgrid.actors.timers import Clock, Scheduler
from chgrid.items.base import SoundPlace, UseEffect
from chgrid.items.model import ActingUser, ItemState
from chgrid.items.store import SongWrite
from chgrid.world.flood import Admission

log = logging.getLogger(__name__)


class TypeHost(PluginHost):
    """One stateful type's view of the room (see ``PluginHost`` for the contract)."""

    def __init__(self, type_id: str, ctx: RoomContext, book: ItemBook) -> None:
        self.type_id = type_id
        self._ctx = ctx
        self._book = book
        self.actors: ItemActors[Any] | None = None

    @property
    def clock(self) -> Clock:
        return self._ctx.clock

    @property
    def scheduler(self) -> Scheduler:
        return self._ctx.scheduler

    @property
    def journal(self) -> StepJournal:
        return self._ctx.journal

    def supervise(self, factory: ActorFactory[P]) -> ItemActors[P]:
        if self.actors is not None:
            raise RuntimeError(f"{self.type_id}: one supervisor per type")
        actors: ItemActors[P] = ItemActors(self.type_id, factory, self._ctx)
        self.actors = actors
        return actors

    def item(self, item_id: str) -> ItemState | None:
        return self._book.get(item_id)

    def player(self, client_id: str) -> Player | None:
        return self._ctx.state.players.get(client_id)

    def players(self) -> Iterable[Player]:
        return self._ctx.state.players.values()

    def connected_user_ids(self) -> set[int]:
        return self._ctx.state.connected_user_ids()

    def acting(self, player: Player) -> ActingUser:
        return self._book.acting(player)

    def place_of(self, item: ItemState) -> SoundPlace:
        return self._book.place_of(item)

    def commit(self, upserts: Iterable[ItemState] = (), songs: Iterable[SongWrite] = ()) -> bool:
        return self._book.commit(upserts=upserts, songs=songs)

    def load_songs(self) -> dict[str, dict[str, Any]]:
        return self._book.load_songs()

    def replace_item(self, item: ItemState) -> None:
        self._book.replace(item)

    def send(self, client_id: str, packet_type: str, payload: dict[str, Any]) -> None:
        self._ctx.send(client_id, packet_type, payload)

    def send_all(self, packet_type: str, payload: dict[str, Any], exclude: str | None = None) -> None:
        self._ctx.send_all(packet_type, payload, exclude)

    def emit(self, effect: UseEffect, place: SoundPlace, actor_client_id: str | None = None) -> None:
        emit_effect(self._ctx, effect, place, actor_client_id)

    def answer(self, client_id: str, ok: bool, action: str, message: str,
               item_id: str | None = None) -> None:
        result: dict[str, Any] = {"ok": ok, "action": action, "message": message}
        if item_id is not None:
            result["itemId"] = item_id
        self._ctx.send(client_id, "item_action_result", result)

    def refusal(self, action: str) -> Refuse:
        ctx, book = self._ctx, self._book

        def refuse(player: Player, data: dict[str, Any], verdict: Admission) -> None:
            refuse_item_packet(ctx, book, player, action, data)

        return refuse


class StatefulItems:
    """The stateful types of one room (room thread only)."""

    def __init__(self, ctx: RoomContext, book: ItemBook, plugins: StatefulPlugins) -> None:
        self._ctx = ctx
        self._book = book
        self._hosts: dict[str, TypeHost] = {}
        self._parts: dict[str, StatefulPart] = {}
        for type_id, plugin in plugins.items():
            if book.registry.get(type_id) is None:
                continue  # a plug-in for a type this registry does not have
            host = TypeHost(type_id, ctx, book)
            self._parts[type_id] = plugin.bind(host)
            self._hosts[type_id] = host

    def routes(self) -> dict[str, Route]:
        return merge_routes(*(dict(part.routes()) for part in self._parts.values()))

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """The room runs and its items are loaded: let each part load, start the actors."""
        for part in self._parts.values():
            part.load()
        for item in list(self._book.all()):
            actors = self._actors(item.type)
            if actors is not None:
                actors.start(item)

    def stop(self) -> None:
        """Stop every item actor; wait a bounded time (a radio may be mid-fetch)."""
        futures: list[pykka.Future[Any]] = []
        for host in self._hosts.values():
            if host.actors is not None:
                futures.extend(host.actors.stop_all())
        deadline = self._ctx.clock.monotonic() + STOP_WAIT_S
        for future in futures:
            try:
                future.get(timeout=max(0.01, deadline - self._ctx.clock.monotonic()))
            except Exception:
                log.warning("room %s: an item actor did not stop in time", self._ctx.name)

    def _actors(self, type_id: str) -> ItemActors[Any] | None:
        host = self._hosts.get(type_id)
        return host.actors if host is not None else None

    # -- item lifecycle (called by the item packets component) -------------------------------

    def item_added(self, item: ItemState) -> None:
        actors = self._actors(item.type)
        if actors is not None:
            actors.start_after_step(item)

    def item_changed(self, old: ItemState, new: ItemState, action: str) -> None:
        part = self._parts.get(new.type)
        if part is None:
            return
        actors = self._actors(new.type)
        if actors is not None and not actors.running(new.id):
            actors.start_after_step(new)  # none running (a back-off): a fresh start
            return
        part.item_changed(old, new, action)

    def item_removed(self, item: ItemState) -> None:
        part = self._parts.get(item.type)
        if part is None:
            return
        actors = self._actors(item.type)
        if actors is not None:
            actors.forget_after_step(item.id)
        part.item_removed(item)

    def player_left(self, player: Player) -> None:
        """Each part hears of it; one failing does not keep the others from it."""
        for type_id, part in self._parts.items():
            with self._ctx.attempt(f"{type_id}: player left"):
                part.player_left(player)

    # -- item actors --------------------------------------------------------------------------

    def on_report(self, report: ItemReport) -> None:
        item = self._book.get(report.item_id)
        part = self._parts.get(item.type) if item is not None else None
        if item is None or part is None:
            log.debug("room %s: report about gone item %s dropped", self._ctx.name, report.item_id)
            return
        part.on_report(item, report)

    def actor_failed(self, item_id: str, actor_urn: str) -> None:
        item = self._book.get(item_id)
        actors = self._actors(item.type) if item is not None else None
        if actors is not None:
            actors.failed(item_id, actor_urn)

    def resume(self, item_id: str) -> None:
        item = self._book.get(item_id)
        actors = self._actors(item.type) if item is not None else None
        if actors is not None:
            actors.resume(item_id)

    def running_actors(self) -> Mapping[str, str]:
        """Item id → type id of every live item actor (diagnostics)."""
        return {item_id: type_id for type_id, host in self._hosts.items() if host.actors is not None
                for item_id in host.actors.alive()}
