"""The piano's own checks: who may record or play live notes on a piano (items.md §10.3).

The texts name the piano, so they live here rather than in the generic
``chgrid.items.actions`` (whose helpers they use).
"""
from __future__ import annotations

from chgrid.items.actions import NOT_AUTHORIZED_USE, Refusal, is_reachable, reach_problem
from chgrid.items.model import ActingUser, ItemState
from chgrid.permissions import allows

PIANO = "piano"
PIANO_NOT_FOUND = "Piano not found."
PIANO_NOT_AVAILABLE = "Piano is not available."
PIANO_NOT_HERE = "Piano is not on your square."


def check_recording(item: ItemState | None, actor: ActingUser) -> Refusal | None:
    """Common checks of ``item_piano_recording``; ``item`` None or not a piano → not found."""
    if not allows(actor.permissions, "item.use"):
        return Refusal(NOT_AUTHORIZED_USE, with_item_id=False)
    if item is None or item.type != PIANO:
        return Refusal(PIANO_NOT_FOUND, with_item_id=False)
    problem = reach_problem(item, actor.client_id, actor.x, actor.y, PIANO_NOT_AVAILABLE, PIANO_NOT_HERE)
    return Refusal(problem) if problem else None


def note_allowed(item: ItemState | None, actor: ActingUser) -> bool:
    """Live notes failing this are dropped silently."""
    return (allows(actor.permissions, "item.use") and item is not None
            and item.type == PIANO
            and is_reachable(item, actor.client_id, actor.x, actor.y))
