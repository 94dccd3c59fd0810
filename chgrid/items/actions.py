"""Generic item action rules of spec/items.md §4–5 that need no room state.

Each ``check_*`` runs the checks of one action in the spec's order and returns the
first failure as a :class:`Refusal` (None when everything passes). The message builders
return the exact texts of the results and of the system chat lines to others.
"""
from __future__ import annotations

from dataclasses import dataclass

from chgrid.items.model import ActingUser, ItemState
from chgrid.permissions import allows, allows_on_item

NOT_FOUND = "Item not found."
UNKNOWN_TYPE = "Unknown item type."
NOT_AUTHORIZED_CREATE = "Not authorized to create items."
NOT_AUTHORIZED_USE = "Not authorized to use items."
NOT_ON_SQUARE = "Item is not on your square."
ALREADY_CARRYING = "You are already carrying an item."
NOT_CARRYING = "You are not carrying that item."
DROP_OUT_OF_BOUNDS = "Drop position is out of bounds."
TITLE_EMPTY = "Title cannot be empty."

# (carried by someone else, not on the actor's square) per action.
_REACH_MESSAGES: dict[str, tuple[str, str]] = {
    "pickup": ("Item is already being carried.", NOT_ON_SQUARE),
    "delete": ("Item is being carried by another user.", NOT_ON_SQUARE),
    "update": ("Item is not available for editing.", NOT_ON_SQUARE),
    "use": ("Item is not available.", NOT_ON_SQUARE),
    "secondary_use": ("Item is not available.", NOT_ON_SQUARE),
}

# The permission family and refusal text of the own/any checks.
_OWN_ANY: dict[str, tuple[str, str]] = {
    "pickup": ("item.pickup_drop", "Not authorized to pick up this item."),
    "drop": ("item.pickup_drop", "Not authorized to drop this item."),
    "delete": ("item.delete", "Not authorized to delete this item."),
    "update": ("item.edit", "Not authorized to edit this item."),
}


@dataclass(frozen=True)
class Refusal:
    """A failed check: the result message, and whether the result names the item.

    ``item_action_result.itemId`` is omitted for "Item not found.", "Unknown item
    type.", "Not authorized to create items." and "Not authorized to use items."
    (protocol.md §5), and for the not-found answers of type plug-ins.
    """

    message: str
    with_item_id: bool = True


def is_reachable(item: ItemState, actor_client_id: str, actor_x: int, actor_y: int) -> bool:
    """Carried by the actor, or lying on the actor's square."""
    if item.carrier_id is not None:
        return item.carrier_id == actor_client_id
    return (item.x, item.y) == (actor_x, actor_y)


def check_reachable(item: ItemState, actor_client_id: str, actor_x: int, actor_y: int,
                    action: str) -> str | None:
    """The reach failure message of ``action``, or None when reachable.

    ``action`` is one of pickup, drop, delete, update, use, secondary_use.
    """
    if action == "drop":
        return None if item.carrier_id == actor_client_id else NOT_CARRYING
    carried_elsewhere, not_here = _REACH_MESSAGES[action]
    return reach_problem(item, actor_client_id, actor_x, actor_y, carried_elsewhere, not_here)


def reach_problem(item: ItemState, actor_client_id: str, actor_x: int, actor_y: int,
                  carried_elsewhere: str, not_here: str) -> str | None:
    """``carried_elsewhere`` when someone else carries the item, ``not_here`` when it lies
    on another square, None when the actor can reach it (type plug-ins use their own
    texts, e.g. "Piano is not on your square.")."""
    if item.carrier_id is not None:
        return None if item.carrier_id == actor_client_id else carried_elsewhere
    if (item.x, item.y) != (actor_x, actor_y):
        return not_here
    return None


def _own_any(item: ItemState, actor: ActingUser, action: str) -> Refusal | None:
    family, message = _OWN_ANY[action]
    if allows_on_item(actor.permissions, family, is_owner=item.is_owned_by(actor.user_id)):
        return None
    return Refusal(message)


def _reach(item: ItemState, actor: ActingUser, action: str) -> Refusal | None:
    message = check_reachable(item, actor.client_id, actor.x, actor.y, action)
    return Refusal(message) if message else None


def check_add(actor: ActingUser, type_known: bool) -> Refusal | None:
    if not allows(actor.permissions, "item.create"):
        return Refusal(NOT_AUTHORIZED_CREATE, with_item_id=False)
    if not type_known:
        return Refusal(UNKNOWN_TYPE, with_item_id=False)
    return None


def check_pickup(item: ItemState | None, actor: ActingUser,
                 carried_item_id: str | None) -> Refusal | None:
    """``carried_item_id`` is the item the actor carries now, if any."""
    if item is None:
        return Refusal(NOT_FOUND, with_item_id=False)
    if item.carrier_id is not None and item.carrier_id != actor.client_id:
        return Refusal(_REACH_MESSAGES["pickup"][0])
    if carried_item_id is not None and carried_item_id != item.id:
        return Refusal(ALREADY_CARRYING)
    return _reach(item, actor, "pickup") or _own_any(item, actor, "pickup")


def check_drop(item: ItemState | None, actor: ActingUser, x: int, y: int,
               grid_size: int) -> Refusal | None:
    if item is None:
        return Refusal(NOT_FOUND, with_item_id=False)
    if item.carrier_id != actor.client_id:
        return Refusal(NOT_CARRYING)
    if not (0 <= x < grid_size and 0 <= y < grid_size):
        return Refusal(DROP_OUT_OF_BOUNDS)
    return _own_any(item, actor, "drop")


def check_delete(item: ItemState | None, actor: ActingUser) -> Refusal | None:
    if item is None:
        return Refusal(NOT_FOUND, with_item_id=False)
    return _reach(item, actor, "delete") or _own_any(item, actor, "delete")


def check_update(item: ItemState | None, actor: ActingUser) -> Refusal | None:
    if item is None:
        return Refusal(NOT_FOUND, with_item_id=False)
    return _reach(item, actor, "update") or _own_any(item, actor, "update")


def check_use(item: ItemState | None, actor: ActingUser, action: str = "use") -> Refusal | None:
    """Steps 1–4 of use and secondary use (the cooldown is checked separately)."""
    if not allows(actor.permissions, "item.use"):
        return Refusal(NOT_AUTHORIZED_USE, with_item_id=False)
    if item is None:
        return Refusal(NOT_FOUND, with_item_id=False)
    return _reach(item, actor, action)


def validate_title(raw: str) -> tuple[str | None, str | None]:
    """``(title, None)`` or ``(None, message)``; titles are trimmed, at most 80 chars."""
    title = raw.strip() if isinstance(raw, str) else ""
    if not title:
        return None, TITLE_EMPTY
    return title[:80], None


# --- cooldowns (§5) ---------------------------------------------------------------

def cooldown_message(title: str, cooldown_ms: int, elapsed_ms: int) -> str | None:
    """"{title} is on cooldown for {s} s." while ``elapsed_ms < cooldown_ms``.

    ``s`` is the remainder in seconds rounded to one decimal (half up), at least 0.1.
    """
    if elapsed_ms >= cooldown_ms:
        return None
    remaining = cooldown_ms - max(elapsed_ms, 0)
    tenths = max(1, (remaining + 50) // 100)
    return f"{title} is on cooldown for {tenths // 10}.{tenths % 10} s."


# --- message builders -------------------------------------------------------------

def add_messages(nickname: str, item: ItemState, label: str) -> tuple[str, str]:
    """(result to the actor, chat line to others) for ``item_add``; ``label`` is the
    type's label (``radio`` for a ``radio_station``)."""
    where = f"{item.title} ({label}) at {item.x}, {item.y}."
    return f"You placed {where}", f"{nickname} placed {where}"


def pickup_messages(nickname: str, item: ItemState, label: str) -> tuple[str, str]:
    return (f"Picked up {item.title}.",
            f"{nickname} picked up {item.title} ({label}).")


def drop_messages(nickname: str, item: ItemState, label: str) -> tuple[str, str]:
    """Uses the item's (new) coordinates: call after moving it to the drop position."""
    return (f"Dropped {item.title} at {item.x}, {item.y}.",
            f"{nickname} dropped {item.title} ({label}) at {item.x}, {item.y}.")


def delete_messages(nickname: str, title: str, label: str) -> tuple[str, str]:
    """The deleter's result and the others' line (upstream-0.1.md §7)."""
    return (f"You deleted {title} ({label}).", f"{nickname} deleted {title} ({label}).")


def update_message(title: str) -> str:
    return f"Updated {title}."


def no_secondary_message(title: str) -> str:
    return f"No secondary action for {title}."
