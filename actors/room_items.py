"""Item handling of the RoomActor (items.md §4–7), mixed into ``RoomActor``.

The decisions are pure functions in ``chgrid.items.operations``; this mixin keeps the
room's items, turns outcomes into packets in the order of items.md §4, and runs the
delayed follow-ups (the wheel's result) through the room's scheduler.

Every change is written in the order database, memory, frames: the write commits on the
room's thread before the room's memory changes or any packet is queued, so whatever was
acknowledged or broadcast survives a crash. A write that fails (or waits longer than the
store's lock wait) changes nothing and is answered ``item_action_result ok:false`` to
the sender only.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from chgrid.items import operations as ops
from chgrid.items.model import ActingUser, ItemState
from chgrid.items.wire import item_to_wire

log = logging.getLogger(__name__)

NOT_SAVED = "The change could not be saved. Try again."
# item packet -> the ``action`` of its item_action_result (recording answers as "use")
RESULT_ACTIONS = {
    "item_add": "add", "item_pickup": "pickup", "item_drop": "drop", "item_delete": "delete",
    "item_update": "update", "item_use": "use", "item_secondary_use": "secondary_use",
    "item_piano_recording": "use",
}


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

    def _persist(self, upserts=(), deletes=(), songs=()) -> bool:
        """Commit one batch now; False (logged) when the database refused or was locked."""
        if self.item_store is None:
            return True
        try:
            self.item_store.apply(upserts=list(upserts), deletes=list(deletes), songs=list(songs))
        except Exception as err:
            log.warning("room %s: item write failed: %s", self.name, err)
            return False
        return True

    def _store_outcome(self, outcome: ops.ItemActionOutcome) -> bool:
        if outcome.removed and outcome.item_id:
            return self._persist(deletes=[outcome.item_id])
        if outcome.item is not None and outcome.save:
            return self._persist(upserts=[outcome.item])
        return True

    def refuse_item_packet(self, player: Any, packet_type: str, data: dict, message: str) -> None:
        """An item packet refused before its checks (flood control): the sender only."""
        result = {"ok": False, "action": RESULT_ACTIONS.get(packet_type, "use"), "message": message}
        item_id = data.get("itemId")
        if isinstance(item_id, str) and item_id in self.items:
            result["itemId"] = item_id
        self.send(player.client_id, "item_action_result", result)

    def _apply(self, player: Any, outcome: ops.ItemActionOutcome) -> None:
        """Store, then keep, broadcast and acknowledge one outcome (items.md §4 order)."""
        if outcome.ok and not self._store_outcome(outcome):
            failed = {"ok": False, "action": outcome.action, "message": NOT_SAVED}
            if outcome.item_id in self.items:  # not for an add: that item does not exist
                failed["itemId"] = outcome.item_id
            self.send(player.client_id, "item_action_result", failed)
            return
        if outcome.ok:
            if outcome.removed and outcome.item_id:
                removed = self.items.pop(outcome.item_id, None)
                if removed is not None:
                    self.before_item_removed(removed)
                self.last_use_ms.pop(outcome.item_id, None)
                self.send_all("item_remove", {"itemId": outcome.item_id})
            elif outcome.item is not None:
                previous = self.items.get(outcome.item.id)
                self.items[outcome.item.id] = outcome.item
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
        outcome = ops.delete_item(self.items.get(data["itemId"]), self._acting(player))
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
        # Saved at once (cheap in WAL mode) so a crash never leaves it at an old tile;
        # if that fails it stays where it was saved and the next step tries again.
        if not self._persist(upserts=[moved]):
            return
        self.items[moved.id] = moved
        self.send_all("item_upsert", {"item": self.item_wire(moved)})

    def items_on_leave(self, player: Any) -> None:
        """Drop what the leaving connection carried at its last position (protocol.md §3.6)."""
        for item in [i for i in self.items.values() if i.carrier_id == player.client_id]:
            dropped = ops.disconnect_drop(item, player.x, player.y, self.clock.now_ms())
            # Kept even if the write fails: its carrier is gone, and nobody asked for
            # this change (the item is still stored at its last saved tile).
            self._persist(upserts=[dropped])
            self.items[dropped.id] = dropped
            self.send_all("item_upsert", {"item": self.item_wire(dropped)}, exclude=player.client_id)
