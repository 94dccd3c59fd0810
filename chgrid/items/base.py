"""The item-type plug-in contract.

A plug-in is a package under ``chgrid/items/types/`` whose ``__init__`` exposes
``ITEM_TYPE``, an :class:`ItemType`. The type bundles its static definition (defaults,
metadata, sounds, cooldown) with three pure functions:

- a validator ``(params, item) -> params`` raising :class:`ItemValidationError`;
- a use action ``(UseContext) -> UseOutcome``;
- optionally a secondary use action with the same signature.

None of them touch the room, the network or the clock: the room passes the item, the
acting user, a random generator and the current time in, and turns the returned
:class:`UseOutcome` into packets. Packets only one type sends on use (the clock's
``item_clock_announce``, the piano's ``item_piano_status``) are the type's own
:class:`UseEffect` objects, which say what to send without the room knowing the type.
A type with a running part (a timer, a poller) adds an actor-layer ``plugin`` module
beside these (``chgrid.actors.item_plugin``; docs/item-plugins.md).
"""
from __future__ import annotations

import copy
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from chgrid.items.model import ItemState

STANDARD_CAPABILITIES: tuple[str, ...] = ("editable", "carryable", "deletable", "usable")
DEFAULT_COOLDOWN_MS = 1000
DEFAULT_EMIT_RANGE = 15
TITLE_MAX_LENGTH = 80

# Every type offers ``title``; kept here so plug-ins do not repeat it (items.md §9.2).
TITLE_METADATA: dict[str, Any] = {
    "valueType": "text",
    "tooltip": "Display name spoken and shown for this item.",
    "maxLength": TITLE_MAX_LENGTH,
}


class ItemValidationError(ValueError):
    """A parameter was refused; ``message`` is sent to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DelayedLine:
    """A system chat line to send ``delay_ms`` after the action (the wheel's result).

    When both flags are set the line goes to the others first, then to the actor if
    the actor is still connected (items.md §10.5).
    """

    delay_ms: int
    message: str
    to_others: bool = True
    to_actor: bool = True


@dataclass(frozen=True)
class UseContext:
    """Everything a use action may look at. ``item`` must be treated as read-only."""

    item: ItemState
    actor_nickname: str
    actor_user_id: str
    rng: random.Random
    now_ms: int


@dataclass(frozen=True)
class SoundPlace:
    """Where an item sounds from: its carrier's square when carried, its own otherwise,
    with its effective emit range."""

    item_id: str
    x: int
    y: int
    range: int


@dataclass(frozen=True)
class Emit:
    """One packet a :class:`UseEffect` sends: to everyone, or to the acting client only."""

    packet_type: str
    payload: Mapping[str, Any]
    actor_only: bool = False


class UseEffect(Protocol):
    """A type's own packets on a successful use, sent after ``item_use_sound`` and before
    the ``item_action_result`` (items.md §4), in the order the outcome lists them."""

    def emits(self, place: SoundPlace) -> Sequence[Emit]:
        """The packets, given where the item sounds from."""
        ...


@dataclass
class UseOutcome:
    """What a use action decided; the room turns it into packets.

    ``error`` set means the use failed: nothing else applies and no cooldown starts.
    ``params_patch`` is merged over the current params and validated by the room.
    ``effects`` are the type's own packets (see :class:`UseEffect`).
    """

    error: str | None = None
    self_message: str = ""
    others_message: str = ""
    params_patch: dict[str, Any] | None = None
    delayed: list[DelayedLine] = field(default_factory=list)
    effects: tuple[UseEffect, ...] = ()

    @classmethod
    def failure(cls, message: str) -> UseOutcome:
        return cls(error=message)


Validator = Callable[[dict[str, Any], "ItemState | None"], dict[str, Any]]
UseAction = Callable[[UseContext], UseOutcome]


# eq=False: a plug-in is identified by identity, and its dict fields are unhashable.
@dataclass(frozen=True, eq=False)
class ItemType:
    """One item type: static definition plus its pure validator and actions.

    ``label`` names the type in the add-item menu and in chat lines ("placed Radio
    (radio) at 3, 4."). ``defaults`` fixes both the default params and the parameter keys
    validation keeps (in this order). ``property_metadata`` holds only the type's own keys; the registry
    adds ``title`` and the global keys for ``uiDefinitions``.
    """

    type_id: str
    label: str
    tooltip: str
    order: int
    default_title: str
    defaults: Mapping[str, Any]
    editable_properties: tuple[str, ...]
    property_metadata: Mapping[str, Mapping[str, Any]]
    validator: Validator
    use_action: UseAction
    secondary_action: UseAction | None = None
    use_sound: str | None = None
    emit_sound: str | None = None
    cooldown_ms: int = DEFAULT_COOLDOWN_MS
    emit_range: int = DEFAULT_EMIT_RANGE
    directional: bool = False
    capabilities: tuple[str, ...] = STANDARD_CAPABILITIES

    @property
    def param_keys(self) -> tuple[str, ...]:
        return tuple(self.defaults)

    def default_params(self) -> dict[str, Any]:
        return copy.deepcopy(dict(self.defaults))

    def validate(self, params: Mapping[str, Any], item: ItemState | None) -> dict[str, Any]:
        """Normalise merged params; unknown keys are dropped (items.md §8).

        ``item`` is the stored item (None for a new one); validators compare against it
        for rules such as the clock's alarm re-check or the piano's instrument reset.
        """
        result = self.validator(dict(params), item)
        return {key: result[key] for key in self.param_keys if key in result}

    def use(self, ctx: UseContext) -> UseOutcome:
        return self.use_action(ctx)

    def secondary_use(self, ctx: UseContext) -> UseOutcome | None:
        """None when the type has no secondary action."""
        if self.secondary_action is None:
            return None
        return self.secondary_action(ctx)


def stored_params(item: ItemState | None) -> Mapping[str, Any]:
    """The params a validator compares against: the stored item's, or none for new ones."""
    return item.params if item is not None else {}
