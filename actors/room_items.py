"""Item handling of the RoomActor (items.md §4–7), mixed into ``RoomActor``.

The decisions are pure functions in ``chgrid.items.operations``; this mixin keeps the
room's items, turns outcomes into packets in the order of items.md §4, writes every
acknowledged change to the database inside the same actor step (before the step's
frames are flushed), and runs the delayed follow-ups (the wheel's result) through the
room's scheduler.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from chgrid.items import operations as ops
from chgrid.items.model import ActingUser, ItemState
from chgrid.items.wire import item_to_wire

log = logging.getLogger(__name__)


class RoomItems:
    """Item state and item packets of one room; runs on the room actor's thread."""

    def init_items(self, registry: Any, store: Any) -> None:
        self.item_registry = registry
        self.item_store = store
        self.items: dict[str, ItemState] = {}
        self.last_use_ms: dict[str, int] = {}
        self._item_handlers = {
            "item_add": self._on_item_add,
            "item_pickup": self._on_item_pickup,
            "item_drop": self._on_item_drop,
            "item_delete": self._on_item_delete,
            "item_update": self._on_item_update,
            "item_use": self._on_item_use,
            "item_secondary_use": self._on_item_secondary_use,
        }

    def start_items(self) -> None:
        if self.item_store is None:
            return
        for item in self.item_store.load_all():
            self.items[item.id] = item
        log.info("room %s: %d items loaded", self.name, len(self.items))

    def stop_items(self) -> None:
        pass

    # -- wire ----------------------------------------------------------------------------

    def item_wire(self, item: ItemState) -> dict:
        carrier = self.players.get(item.carrier_id) if item.carrier_id else None
        item_type = self.item_registry.get(item.type)
        return item_to_wire(item, item_type, carrier.nickname if carrier else None)

    def items_for_welcome(self) -> list[dict]:
        if self.item_registry is None:
            return []
        return [self.item_wire(item) for item in self.items.values() if self.item_registry.get(item.type)]

    def ui_definitions(self, admin_actions: list[dict]) -> dict:
        if self.item_registry is None:
            return {"itemTypeOrder": [], "itemTypes": [], "adminMenu": {"actions": admin_actions}}
        return self.item_registry.ui_definitions(admin_actions)

    def item_handler(self, packet_type: str):
        if self.item_registry is None:
            return None
        return self._item_handlers.get(packet_type)

    # -- helpers -------------------------------------------------------------------------

    def _acting(self, player: Any) -> ActingUser:
        return ActingUser(
            client_id=player.client_id, user_id=str(player.user_id), username=player.username,
            nickname=player.nickname, x=player.x, y=player.y, permissions=player.permissions,
        )

    def _carried_by(self, client_id: str) -> ItemState | None:
        for item in self.items.values():
            if item.carrier_id == client_id:
                return item
        return None

    def _sound_position(self, item: ItemState) -> tuple[int, int]:
        carrier = self.players.get(item.carrier_id) if item.carrier_id else None
        return (carrier.x, carrier.y) if carrier else (item.x, item.y)

    def _persist(self, upserts=(), deletes=()) -> None:
        if self.item_store is not None:
            self.item_store.apply(upserts=list(upserts), deletes=list(deletes))

    def _apply(self, player: Any, outcome: ops.ItemActionOutcome) -> None:
        """Store, broadcast and acknowledge one outcome, in the order of items.md §4."""
        if outcome.ok:
            if outcome.removed and outcome.item_id:
                self.items.pop(outcome.item_id, None)
                self.last_use_ms.pop(outcome.item_id, None)
                self._persist(deletes=[outcome.item_id])
                self.send_all("item_remove", {"itemId": outcome.item_id})
            elif outcome.item is not None:
                previous = self.items.get(outcome.item.id)
                self.items[outcome.item.id] = outcome.item
                if outcome.save:
                    self._persist(upserts=[outcome.item])
                if outcome.upsert:
                    self.send_all("item_upsert", {"item": self.item_wire(outcome.item)})
                self.after_item_changed(previous, outcome.item, outcome.action)
            if outcome.record_use and outcome.item_id:
                self.last_use_ms[outcome.item_id] = self.clock.now_ms()
            if outcome.others_message:
                self.system_all(outcome.others_message, exclude=player.client_id)
            item = self.items.get(outcome.item_id or "")
            if item is not None and outcome.use_sound:
                x, y = self._sound_position(item)
                self.send_all("item_use_sound", {"itemId": item.id, "sound": outcome.use_sound,
                                                 "x": x, "y": y, "range": outcome.sound_range})
            if item is not None and outcome.clock_sounds is not None:
                x, y = self._sound_position(item)
                self.send_all("item_clock_announce", {"itemId": item.id, "sounds": outcome.clock_sounds,
                                                      "x": x, "y": y, "range": outcome.sound_range})
            if item is not None and outcome.enter_piano_mode:
                self.on_piano_use_mode(player, item)
        self.send(player.client_id, "item_action_result", outcome.result_payload())
        for line in outcome.delayed if outcome.ok else ():
            self.scheduler(
                line.delay_ms / 1000.0,
                lambda line=line, cid=player.client_id: self._self_proxy.deliver_delayed(cid, line),
            )

    def deliver_delayed(self, actor_client_id: str, line: Any) -> None:
        """A delayed system line (the wheel's landing value): others first, then the actor."""
        try:
            if line.to_others:
                self.system_all(line.message, exclude=actor_client_id)
            if line.to_actor and actor_client_id in self.players:
                self.system_line(actor_client_id, line.message)
        finally:
            self.outbox.flush()

    def on_piano_use_mode(self, player: Any, item: ItemState) -> None:
        self.send(player.client_id, "item_piano_status",
                  {"itemId": item.id, "event": "use_mode_entered", "recordingState": "idle"})

    # -- packets -------------------------------------------------------------------------

    def _on_item_add(self, player: Any, data: dict) -> None:
        outcome = ops.add_item(self.item_registry, data["itemType"], self._acting(player),
                               str(uuid.uuid4()), self.clock.now_ms())
        self._apply(player, outcome)

    def _on_item_pickup(self, player: Any, data: dict) -> None:
        carried = self._carried_by(player.client_id)
        outcome = ops.pickup_item(self.items.get(data["itemId"]), self._acting(player),
                                  carried.id if carried else None, self.clock.now_ms())
        self._apply(player, outcome)

    def _on_item_drop(self, player: Any, data: dict) -> None:
        outcome = ops.drop_item(self.items.get(data["itemId"]), self._acting(player), data["x"],
                                data["y"], self.world.grid_size, self.clock.now_ms())
        self._apply(player, outcome)

    def _on_item_delete(self, player: Any, data: dict) -> None:
        item = self.items.get(data["itemId"])
        outcome = ops.delete_item(item, self._acting(player))
        if outcome.ok and item is not None:
            self.before_item_removed(item)
        self._apply(player, outcome)

    def _on_item_update(self, player: Any, data: dict) -> None:
        item = self.items.get(data["itemId"])
        outcome = ops.update_item(self.item_registry, item, self._acting(player), data.get("title"),
                                  data.get("params"), self.clock.now_ms())
        self._apply(player, outcome)

    def _on_item_use(self, player: Any, data: dict) -> None:
        item_id = data["itemId"]
        outcome = ops.use_item(self.item_registry, self.items.get(item_id), self._acting(player),
                               self.clock.now_ms(), self.rng, self.last_use_ms.get(item_id))
        self._apply(player, outcome)

    def _on_item_secondary_use(self, player: Any, data: dict) -> None:
        outcome = ops.secondary_use_item(self.item_registry, self.items.get(data["itemId"]),
                                         self._acting(player), self.clock.now_ms(), self.rng)
        self._apply(player, outcome)

    # -- hooks for stateful item types (overridden when the type has an actor) ----------

    def before_item_removed(self, item: ItemState) -> None:
        """A successful delete is about to remove ``item`` (stop what runs for it)."""

    def after_item_changed(self, old: ItemState | None, new: ItemState, action: str) -> None:
        """An action stored a new state of an item: ``old`` is None for ``add``;
        ``action`` is the result's action (add, pickup, drop, update, use, ...)."""

    # -- carrying ------------------------------------------------------------------------

    def items_follow_carrier(self, player: Any) -> None:
        item = self._carried_by(player.client_id)
        if item is None:
            return
        moved = ops.follow_carrier(item, player.x, player.y)
        moved.stamp(str(player.user_id), player.username, self.clock.now_ms())
        self.items[moved.id] = moved
        # Saved at once (cheap in WAL mode) so a crash never leaves it at an old tile.
        self._persist(upserts=[moved])
        self.send_all("item_upsert", {"item": self.item_wire(moved)})

    def items_on_leave(self, player: Any) -> None:
        """Drop what the leaving connection carried at its last position (protocol.md §3.6)."""
        for item in [i for i in self.items.values() if i.carrier_id == player.client_id]:
            dropped = ops.disconnect_drop(item, player.x, player.y, self.clock.now_ms())
            self.items[dropped.id] = dropped
            self._persist(upserts=[dropped])
            self.send_all("item_upsert", {"item": self.item_wire(dropped)}, exclude=player.client_id)
