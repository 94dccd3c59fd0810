"""Item transfer (upstream-0.1 §6): giving an item's ownership to another account.

Pure functions, like ``chgrid.items.operations``: the room gathers what they need (the
item, the acting user, the accounts that may receive it, who is online) and turns the
returned :class:`~chgrid.items.operations.ItemActionOutcome` into a commit and packets.

Checks run in the spec's order (§6.2 steps 1–4 for both packets, §6.3 steps 5–6 for
the transfer); chgrid then refuses an unknown, deleted or disabled target with the same
text as a blank one (§27.3) instead of copying the reference's quirk of accepting any
id. The item stays where it lies; only ``createdBy``/``createdByName``, the update
stamp and the version change.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chgrid.items.actions import NOT_FOUND, NOT_ON_SQUARE, Refusal
from chgrid.items.model import ActingUser, ItemState
from chgrid.items.operations import ItemActionOutcome
from chgrid.permissions import allows_on_item

ACTION = "transfer"
CARRIED = "Item cannot be transferred while carried."
NOT_AUTHORIZED = "Not authorized to transfer this item."
TARGET_UNAVAILABLE = "Target user is not available."
ALREADY_OWNED = "Item already belongs to that user."


@dataclass(frozen=True)
class Account:
    """An account as the transfer sees it: its id (wire form) and username."""

    user_id: str
    username: str


def check_transfer(item: ItemState | None, actor: ActingUser) -> Refusal | None:
    """Steps 1–4 of §6.2: found, not carried (by anyone), on the square, permitted."""
    if item is None:
        return Refusal(NOT_FOUND, with_item_id=False)
    if item.carrier_id is not None:
        return Refusal(CARRIED)
    if (item.x, item.y) != (actor.x, actor.y):
        return Refusal(NOT_ON_SQUARE)
    if not allows_on_item(actor.permissions, "item.transfer", is_owner=item.is_owned_by(actor.user_id)):
        return Refusal(NOT_AUTHORIZED)
    return None


def check_transfer_request(item: ItemState | None, actor: ActingUser, target_user_id: str) -> Refusal | None:
    """Steps 1–6 of §6.3: those of §6.2, then a blank target, then the current owner."""
    refusal = check_transfer(item, actor)
    if refusal:
        return refusal
    assert item is not None
    target_id = target_user_id.strip()
    if not target_id:
        return Refusal(TARGET_UNAVAILABLE)
    if item.created_by == target_id:
        return Refusal(ALREADY_OWNED)
    return None


def refused(refusal: Refusal, item: ItemState | None) -> ItemActionOutcome:
    """The ``ok:false`` outcome of a failed check (``itemId`` as the refusal says)."""
    item_id = item.id if (refusal.with_item_id and item is not None) else None
    return ItemActionOutcome(action=ACTION, ok=False, message=refusal.message, item_id=item_id)


def transfer_targets(item: ItemState, active: Iterable[Account],
                     online_user_ids: Iterable[str]) -> list[dict[str, object]]:
    """Every active account but the item's owner, sorted by username case-insensitively
    (ties by the exact name, as ``admin_users_list``), with ``online`` per account."""
    online = set(online_user_ids)
    rows = [a for a in active if a.user_id != item.created_by]
    rows.sort(key=lambda a: (a.username.lower(), a.username))
    return [{"userId": a.user_id, "username": a.username, "online": a.user_id in online} for a in rows]


def transfer_item(item: ItemState | None, actor: ActingUser, target_user_id: str,
                  active: Mapping[str, Account], label: str, now_ms: int,
                  roster_names: Mapping[str, str] | None = None) -> ItemActionOutcome:
    """``item_transfer``: checks 1–6 and the target's availability, then the change.

    ``active`` maps the ids of active accounts to them (only the target is needed);
    ``roster_names`` the usernames of accounts connected here (they win, as in the
    reference); ``label`` is the item type's label (``radio`` for a radio station).
    """
    refusal = check_transfer_request(item, actor, target_user_id)
    if refusal:
        return refused(refusal, item)
    assert item is not None
    target_id = target_user_id.strip()
    account = active.get(target_id)
    if account is None:
        return refused(Refusal(TARGET_UNAVAILABLE), item)
    name = (roster_names or {}).get(target_id) or account.username
    updated = item.copy()
    updated.created_by, updated.created_by_name = target_id, name
    updated.stamp(actor.user_id, actor.username, now_ms)
    updated.version += 1
    what = f"{item.title} ({label})"
    return ItemActionOutcome(
        action=ACTION, ok=True, message=f"You transferred {what} to {name}.", item_id=item.id,
        item=updated, upsert=True, save=True,
        others_message=f"{actor.nickname} transferred {what} to {name}.",
    )
