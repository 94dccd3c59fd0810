"""The room's item packets (items.md §4–7): add, pick up, drop, delete, edit, use,
and transfer (upstream-0.1 §6, in ``room_transfer.py``).

The decisions are pure functions in ``chgrid.items.operations``; ``ItemPackets`` turns
their outcomes into stored state and packets in the order of items.md §4, moves carried
items with their carrier, drops them when the carrier leaves, and delivers delayed
lines (the wheel's result). It knows no item type by name: a type's own packets on use
come as the outcome's effects, and stateful types hear of every change through the
:class:`ItemLifecycle` the room gives it.

Every change is written in the order database, memory, frames: the write commits on
the room's thread before the room's memory changes or any packet is staged, so
whatever was acknowledged or broadcast survives a crash. A write that fails (or waits
longer than the store's lock wait) changes nothing and is answered
``item_action_result ok:false`` to the sender only.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import pykka

from chgrid.actors.room_context import RoomContext, RoomSelf
from chgrid.actors.room_item_book import ItemBook
from chgrid.actors.room_routes import Charge, Route
from chgrid.actors.room_state import Player
from chgrid.actors.room_transfer import AccountLister, ItemTransfers
from chgrid.items import operations as ops
from chgrid.items.base import DelayedLine, SoundPlace, UseEffect
from chgrid.items.model import ItemState
from chgrid.world.flood import ACTIONS_LIMITED, Admission

log = logging.getLogger(__name__)

NOT_SAVED = "The change could not be saved. Try again."


class ItemLifecycle(Protocol):
    """Who hears of item changes after they are kept (the stateful items host)."""

    def item_added(self, item: ItemState) -> None: ...

    def item_changed(self, old: ItemState, new: ItemState, action: str) -> None: ...

    def item_removed(self, item: ItemState) -> None: ...


def refuse_item_packet(ctx: RoomContext, book: ItemBook, player: Player, action: str,
                       data: dict[str, Any]) -> None:
    """An item packet refused by flood control: ``ok:false`` to the sender only."""
    result: dict[str, Any] = {"ok": False, "action": action, "message": ACTIONS_LIMITED}
    item_id = data.get("itemId")
    if isinstance(item_id, str) and book.get(item_id) is not None:
        result["itemId"] = item_id
    ctx.send(player.client_id, "item_action_result", result)


def emit_effect(ctx: RoomContext, effect: UseEffect, place: SoundPlace, actor_client_id: str | None) -> None:
    """Send a type effect's packets; those for the actor go only to ``actor_client_id``."""
    for emit in effect.emits(place):
        if emit.actor_only:
            if actor_client_id is not None:
                ctx.send(actor_client_id, emit.packet_type, dict(emit.payload))
        else:
            ctx.send_all(emit.packet_type, dict(emit.payload))


class ItemPackets:
    """Item packets of one room (room thread only)."""

    def __init__(self, ctx: RoomContext, book: ItemBook, lifecycle: ItemLifecycle,
                 accounts: AccountLister | None = None) -> None:
        self._ctx = ctx
        self._book = book
        self._lifecycle = lifecycle
        # Transfers ask the AccountActor (``accounts``) which accounts may receive an item.
        self._transfers = ItemTransfers(ctx, book, self._apply, accounts)

    def routes(self) -> dict[str, Route]:
        """Every item packet is charged to the action bucket."""
        handlers: dict[str, tuple[str, Callable[[Player, dict[str, Any]], None]]] = {
            "item_add": ("add", self._on_add),
            "item_pickup": ("pickup", self._on_pickup),
            "item_drop": ("drop", self._on_drop),
            "item_delete": ("delete", self._on_delete),
            "item_update": ("update", self._on_update),
            "item_use": ("use", self._on_use),
            "item_secondary_use": ("secondary_use", self._on_secondary_use),
        }
        handlers.update({packet: ("transfer", handler) for packet, handler in self._transfers.handlers().items()})
        return {packet: Route(handler, Charge.ACTION, self._refusal(action))
                for packet, (action, handler) in handlers.items()}

    def _refusal(self, action: str) -> Callable[[Player, dict[str, Any], Admission], None]:
        def refuse(player: Player, data: dict[str, Any], verdict: Admission) -> None:
            refuse_item_packet(self._ctx, self._book, player, action, data)

        return refuse

    # -- what the roster asks ---------------------------------------------------------------

    def welcome_items(self) -> list[dict[str, Any]]:
        book = self._book
        return [book.wire(item) for item in book.all() if book.type_of(item) is not None]

    def ui_definitions(self, admin_actions: list[dict[str, str]]) -> dict[str, Any]:
        return self._book.registry.ui_definitions(admin_actions)

    def player_moved(self, player: Player) -> None:
        """A carried item follows its carrier (saved at once, cheap in WAL mode)."""
        book = self._book
        item = book.carried_by(player.client_id)
        if item is None:
            return
        moved = ops.follow_carrier(item, player.x, player.y)
        moved.stamp(str(player.user_id), player.username, self._ctx.clock.now_ms())
        # If the write fails it stays where it was saved and the next step tries again.
        if book.commit(upserts=[moved]):
            book.replace(moved)

    def player_left(self, player: Player) -> None:
        """Drop what the leaving connection carried at its last position (protocol.md §3.6).

        Nobody waits for this write, so the store retries it in the background; the drop
        is kept in memory whatever happens to it (the carrier is gone).
        """
        book = self._book
        now = self._ctx.clock.now_ms()
        for item in [i for i in book.all() if i.carrier_id == player.client_id]:
            dropped = ops.disconnect_drop(item, player.x, player.y, now)
            try:
                book.commit_later([dropped])
            except Exception:
                log.exception("room %s: the drop of %s could not be queued", self._ctx.name, item.id)
            book.replace(dropped, exclude=player.client_id)

    def deliver_delayed(self, actor_client_id: str, line: DelayedLine) -> None:
        """A delayed system line (the wheel's landing value): others first, then the actor."""
        ctx = self._ctx
        if line.to_others:
            ctx.system_all(line.message, exclude=actor_client_id)
        if line.to_actor and actor_client_id in ctx.state.players:
            ctx.system_line(actor_client_id, line.message)

    # -- outcomes -----------------------------------------------------------------------------

    def _store(self, outcome: ops.ItemActionOutcome) -> bool:
        if outcome.removed and outcome.item_id:
            return self._book.commit(deletes=[outcome.item_id])
        if outcome.item is not None and outcome.save:
            return self._book.commit(upserts=[outcome.item])
        return True

    def _apply(self, player: Player, outcome: ops.ItemActionOutcome) -> None:
        """Store, then keep, broadcast and acknowledge one outcome (items.md §4 order)."""
        ctx, book = self._ctx, self._book
        if outcome.ok and not self._store(outcome):
            failed: dict[str, Any] = {"ok": False, "action": outcome.action, "message": NOT_SAVED}
            if outcome.item_id and book.get(outcome.item_id) is not None:  # not for an add
                failed["itemId"] = outcome.item_id
            ctx.send(player.client_id, "item_action_result", failed)
            return
        if outcome.ok:
            self._keep(player, outcome)
        ctx.send(player.client_id, "item_action_result", outcome.result_payload())
        if outcome.ok:
            for line in outcome.delayed:
                ctx.later(line.delay_ms / 1000.0, _deliver_call(ctx.link, player.client_id, line))

    def _keep(self, player: Player, outcome: ops.ItemActionOutcome) -> None:
        ctx, book = self._ctx, self._book
        if outcome.removed and outcome.item_id:
            removed = book.forget(outcome.item_id)
            ctx.send_all("item_remove", {"itemId": outcome.item_id})
            if removed is not None:
                self._lifecycle.item_removed(removed)
        elif outcome.item is not None:
            previous = book.keep(outcome.item)
            if outcome.upsert:
                ctx.send_all("item_upsert", {"item": book.wire(outcome.item)})
            if previous is None:
                self._lifecycle.item_added(outcome.item)
            else:
                self._lifecycle.item_changed(previous, outcome.item, outcome.action)
        if outcome.record_use and outcome.item_id:
            book.mark_used(outcome.item_id)
        if outcome.others_message:
            ctx.system_all(outcome.others_message, exclude=player.client_id)
        item = book.get(outcome.item_id or "")
        if item is None or (outcome.use_sound is None and not outcome.effects):
            return
        place = book.place_of(item, outcome.sound_range)
        if outcome.use_sound is not None:
            ctx.send_all("item_use_sound", {"itemId": item.id, "sound": outcome.use_sound,
                                            "x": place.x, "y": place.y, "range": place.range})
        for effect in outcome.effects:
            emit_effect(ctx, effect, place, player.client_id)

    # -- packets ------------------------------------------------------------------------------

    def _on_add(self, player: Player, data: dict[str, Any]) -> None:
        book = self._book
        self._apply(player, ops.add_item(book.registry, data["itemType"], book.acting(player),
                                         str(uuid.uuid4()), self._ctx.clock.now_ms()))

    def _on_pickup(self, player: Player, data: dict[str, Any]) -> None:
        book = self._book
        carried = book.carried_by(player.client_id)
        self._apply(player, ops.pickup_item(book.registry, book.get(data["itemId"]), book.acting(player),
                                            carried.id if carried else None, self._ctx.clock.now_ms()))

    def _on_drop(self, player: Player, data: dict[str, Any]) -> None:
        book = self._book
        self._apply(player, ops.drop_item(book.registry, book.get(data["itemId"]), book.acting(player),
                                          data["x"], data["y"], self._ctx.world.grid_size,
                                          self._ctx.clock.now_ms()))

    def _on_delete(self, player: Player, data: dict[str, Any]) -> None:
        book = self._book
        self._apply(player, ops.delete_item(book.registry, book.get(data["itemId"]), book.acting(player)))

    def _on_update(self, player: Player, data: dict[str, Any]) -> None:
        book = self._book
        self._apply(player, ops.update_item(book.registry, book.get(data["itemId"]), book.acting(player),
                                            data.get("title"), data.get("params"),
                                            self._ctx.clock.now_ms()))

    def _on_use(self, player: Player, data: dict[str, Any]) -> None:
        book, item_id = self._book, data["itemId"]
        self._apply(player, ops.use_item(book.registry, book.get(item_id), book.acting(player),
                                         self._ctx.clock.now_ms(), self._ctx.rng, book.last_use_ms(item_id)))

    def _on_secondary_use(self, player: Player, data: dict[str, Any]) -> None:
        book = self._book
        self._apply(player, ops.secondary_use_item(book.registry, book.get(data["itemId"]),
                                                   book.acting(player), self._ctx.clock.now_ms(),
                                                   self._ctx.rng))


def _deliver_call(link: RoomSelf, actor_client_id: str, line: DelayedLine) -> Callable[[], None]:
    """A scheduler callback telling the room to deliver a delayed line."""

    def deliver() -> None:
        try:
            link.deliver_delayed(actor_client_id, line)
        except pykka.ActorDeadError:
            pass  # the room has stopped

    return deliver
