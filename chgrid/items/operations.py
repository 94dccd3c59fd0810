"""Whole item actions as pure functions: the RoomActor's single entry point per packet.

Each function takes the current item (or None when the id is unknown), the acting
user, the time and whatever else the action needs, and returns an
:class:`ItemActionOutcome` that says what to store and which packets to send. Nothing
is mutated: a changed item comes back as a new :class:`ItemState`, so a refused request
leaves the room's copy untouched (validate first, then apply — the spec's
recommendation over the reference's half-applied updates, items.md §4.5).

Packet order for a successful outcome (items.md §4):
``item_upsert``/``item_remove`` to all → (save) → chat ``others_message`` to others →
``item_use_sound`` to all → the type's ``effects`` (e.g. ``item_clock_announce`` to all,
``item_piano_status`` to the actor) → ``item_action_result`` to the actor → later,
``delayed`` lines. No item type is known here by name: what differs between types comes
from the type's plug-in (its validator, actions and effects).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from chgrid.items import actions as rules
from chgrid.items.base import DelayedLine, ItemType, ItemValidationError, UseContext, UseEffect
from chgrid.items.model import SYSTEM_ACTOR, ActingUser, ItemState
from chgrid.items.registry import ItemRegistry
from chgrid.items.sounds import effective_emit_range, resolve_use_sound


@dataclass
class ItemActionOutcome:
    """The result of one item action.

    ``item`` is the new state to keep (replacing the old one) when not None.
    ``upsert``: send ``item_upsert`` to all; ``save``: persist ``item``;
    ``removed``: drop the item, send ``item_remove`` to all and delete it (and its
    song) from the store. ``record_use``: start the item's cooldown at this time.
    ``sound_range`` is the range of ``item_use_sound`` and of the ``effects``.
    """

    action: str
    ok: bool
    message: str
    item_id: str | None = None
    item: ItemState | None = None
    upsert: bool = False
    save: bool = False
    removed: bool = False
    others_message: str = ""
    use_sound: str | None = None
    sound_range: int | None = None
    effects: tuple[UseEffect, ...] = ()
    delayed: list[DelayedLine] = field(default_factory=list)
    record_use: bool = False

    def result_payload(self) -> dict[str, Any]:
        """The ``item_action_result`` fields (``itemId`` omitted when None)."""
        payload: dict[str, Any] = {"ok": self.ok, "action": self.action, "message": self.message}
        if self.item_id is not None:
            payload["itemId"] = self.item_id
        return payload


def _refused(action: str, refusal: rules.Refusal, item: ItemState | None) -> ItemActionOutcome:
    item_id = item.id if (refusal.with_item_id and item is not None) else None
    return ItemActionOutcome(action=action, ok=False, message=refusal.message, item_id=item_id)


def _failed(action: str, message: str, item: ItemState) -> ItemActionOutcome:
    return ItemActionOutcome(action=action, ok=False, message=message, item_id=item.id)


def add_item(registry: ItemRegistry, type_id: str, actor: ActingUser, item_id: str,
             now_ms: int) -> ItemActionOutcome:
    """``item_add``: a new item with the type's defaults on the actor's square.

    ``item_id`` is a fresh UUID string chosen by the caller (kept out of here so tests
    stay deterministic).
    """
    item_type = registry.get(type_id)
    refusal = rules.check_add(actor, item_type is not None)
    if refusal:
        return _refused("add", refusal, None)
    assert item_type is not None
    item = ItemState(
        id=item_id, type=item_type.type_id, title=item_type.default_title,
        x=actor.x, y=actor.y,
        created_by=actor.user_id, created_by_name=actor.username,
        updated_by=actor.user_id, updated_by_name=actor.username,
        created_at=now_ms, updated_at=now_ms, version=1,
        params=item_type.default_params(),
    )
    mine, others = rules.add_messages(actor.nickname, item, item_type.label)
    return ItemActionOutcome(action="add", ok=True, message=mine, item_id=item.id, item=item,
                             upsert=True, save=True, others_message=others)


def pickup_item(registry: ItemRegistry, item: ItemState | None, actor: ActingUser,
                carried_item_id: str | None, now_ms: int) -> ItemActionOutcome:
    """``item_pickup``; ``carried_item_id`` is what the actor carries now (if anything)."""
    refusal = rules.check_pickup(item, actor, carried_item_id)
    if refusal:
        return _refused("pickup", refusal, item)
    assert item is not None
    updated = item.copy()
    updated.carrier_id = actor.client_id
    updated.x, updated.y = actor.x, actor.y
    updated.stamp(actor.user_id, actor.username, now_ms)
    mine, others = rules.pickup_messages(actor.nickname, updated, _label(registry, item))
    return ItemActionOutcome(action="pickup", ok=True, message=mine, item_id=item.id,
                             item=updated, upsert=True, save=True, others_message=others)


def drop_item(registry: ItemRegistry, item: ItemState | None, actor: ActingUser, x: int,
              y: int, grid_size: int, now_ms: int) -> ItemActionOutcome:
    """``item_drop`` at the requested tile (reference parity: any in-bounds tile)."""
    refusal = rules.check_drop(item, actor, x, y, grid_size)
    if refusal:
        return _refused("drop", refusal, item)
    assert item is not None
    updated = item.copy()
    updated.carrier_id = None
    updated.x, updated.y = x, y
    updated.stamp(actor.user_id, actor.username, now_ms)
    mine, others = rules.drop_messages(actor.nickname, updated, _label(registry, item))
    return ItemActionOutcome(action="drop", ok=True, message=mine, item_id=item.id,
                             item=updated, upsert=True, save=True, others_message=others)


def delete_item(registry: ItemRegistry, item: ItemState | None, actor: ActingUser) -> ItemActionOutcome:
    """``item_delete``. The room also forgets the item's cooldown and stops what runs for
    it (the type plug-in's actor); the store deletes its song. The others are told
    (upstream-0.1.md §7)."""
    refusal = rules.check_delete(item, actor)
    if refusal:
        return _refused("delete", refusal, item)
    assert item is not None
    mine, others = rules.delete_messages(actor.nickname, item.title, _label(registry, item))
    return ItemActionOutcome(action="delete", ok=True, message=mine, item_id=item.id,
                             removed=True, save=True, others_message=others)


def update_item(registry: ItemRegistry, item: ItemState | None, actor: ActingUser,
                title: str | None, params: dict[str, Any] | None,
                now_ms: int) -> ItemActionOutcome:
    """``item_update``: title and params validated first, then applied together.

    Even an update with nothing to change bumps the version and is broadcast.
    """
    refusal = rules.check_update(item, actor)
    if refusal:
        return _refused("update", refusal, item)
    assert item is not None
    updated = item.copy()
    if title is not None:
        new_title, problem = rules.validate_title(title)
        if new_title is None:
            return _failed("update", problem or rules.TITLE_EMPTY, item)
        updated.title = new_title
    if params:
        item_type = registry.get(item.type)
        if item_type is None:
            return _failed("update", rules.UNKNOWN_TYPE, item)
        try:
            updated.params = item_type.validate({**item.params, **params}, item)
        except ItemValidationError as error:
            return _failed("update", error.message, item)
    updated.stamp(actor.user_id, actor.username, now_ms)
    updated.version += 1
    return ItemActionOutcome(action="update", ok=True, message=rules.update_message(updated.title),
                             item_id=item.id, item=updated, upsert=True, save=True)


def use_item(registry: ItemRegistry, item: ItemState | None, actor: ActingUser, now_ms: int,
             rng: random.Random, last_use_ms: int | None) -> ItemActionOutcome:
    """``item_use``. ``last_use_ms`` is the time of the item's last successful use.

    A use that changes params (radio, widget) is stored and broadcast with the version
    unchanged, as the reference does (items.md §4.8).
    """
    refusal = rules.check_use(item, actor, "use")
    if refusal:
        return _refused("use", refusal, item)
    assert item is not None
    item_type = registry.get(item.type)
    if item_type is None:
        return _failed("use", rules.NOT_FOUND, item)
    if last_use_ms is not None:
        waiting = rules.cooldown_message(item.title, item_type.cooldown_ms, now_ms - last_use_ms)
        if waiting:
            return _failed("use", waiting, item)
    outcome = item_type.use(_context(item, actor, now_ms, rng))
    if outcome.error is not None:
        return _failed("use", outcome.error, item)
    result = ItemActionOutcome(
        action="use", ok=True, message=outcome.self_message, item_id=item.id,
        others_message=outcome.others_message, effects=tuple(outcome.effects),
        delayed=list(outcome.delayed),
        record_use=True,
    )
    current = item
    if outcome.params_patch:
        patched = _patched(item_type, item, outcome.params_patch)
        if isinstance(patched, str):
            return _failed("use", patched, item)
        patched.stamp(actor.user_id, actor.username, now_ms)
        result.item, result.upsert, result.save = patched, True, True
        current = patched
    result.use_sound = resolve_use_sound(current, item_type)
    if result.use_sound is not None or result.effects:
        result.sound_range = effective_emit_range(current, item_type)
    return result


def secondary_use_item(registry: ItemRegistry, item: ItemState | None, actor: ActingUser,
                       now_ms: int, rng: random.Random) -> ItemActionOutcome:
    """``item_secondary_use``: no cooldown; a param change bumps the version."""
    refusal = rules.check_use(item, actor, "secondary_use")
    if refusal:
        return _refused("secondary_use", refusal, item)
    assert item is not None
    item_type = registry.get(item.type)
    outcome = item_type.secondary_use(_context(item, actor, now_ms, rng)) if item_type else None
    if item_type is None or outcome is None:
        return _failed("secondary_use", rules.no_secondary_message(item.title), item)
    if outcome.error is not None:
        return _failed("secondary_use", outcome.error, item)
    result = ItemActionOutcome(action="secondary_use", ok=True, message=outcome.self_message,
                               item_id=item.id, others_message=outcome.others_message)
    if outcome.params_patch:
        patched = _patched(item_type, item, outcome.params_patch)
        if isinstance(patched, str):
            return _failed("secondary_use", patched, item)
        patched.stamp(actor.user_id, actor.username, now_ms)
        patched.version += 1
        result.item, result.upsert, result.save = patched, True, True
    return result


def follow_carrier(item: ItemState, x: int, y: int) -> ItemState:
    """A carried item after its carrier moved: new position only (no save, same version)."""
    moved = item.copy()
    moved.x, moved.y = x, y
    return moved


def disconnect_drop(item: ItemState, x: int, y: int, now_ms: int) -> ItemState:
    """A carried item left behind by a disconnecting carrier, stamped by ``system``."""
    dropped = item.copy()
    dropped.carrier_id = None
    dropped.x, dropped.y = x, y
    dropped.stamp(SYSTEM_ACTOR, SYSTEM_ACTOR, now_ms)
    return dropped


def _label(registry: ItemRegistry, item: ItemState) -> str:
    """The type's label for chat lines (the type id if the type is gone)."""
    item_type = registry.get(item.type)
    return item_type.label if item_type is not None else item.type


def _context(item: ItemState, actor: ActingUser, now_ms: int, rng: random.Random) -> UseContext:
    return UseContext(item=item, actor_nickname=actor.nickname, actor_user_id=actor.user_id,
                      rng=rng, now_ms=now_ms)


def _patched(item_type: ItemType, item: ItemState, patch: dict[str, Any]) -> ItemState | str:
    """A copy with the validated merged params, or the validator's message."""
    try:
        params = item_type.validate({**item.params, **patch}, item)
    except ItemValidationError as error:
        return error.message
    patched = item.copy()
    patched.params = params
    return patched
