"""Nickname change rules of world.md §5 as a pure decision."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NOT_AUTHORIZED = "Not authorized to change nickname."
REQUIRED = "Nickname is required."
IN_USE = "Nickname already in use."
NOT_SAVED = "Nickname could not be saved. Try again."


@dataclass(frozen=True)
class NicknameDecision:
    """Outcome of a nickname request: what to reply and whether anything changes."""

    accepted: bool
    requested: str
    effective: str
    reason: str | None = None
    changed: bool = False


def fold(name: str) -> str:
    return name.casefold()


def decide_nickname(
    raw: str, current: str, others: Iterable[str], may_change: bool
) -> NicknameDecision:
    """Apply the checks in the spec's order; ``others`` excludes the sender's connection."""
    if not may_change:
        return NicknameDecision(False, raw, current, NOT_AUTHORIZED)
    trimmed = raw.strip()
    if not trimmed:
        return NicknameDecision(False, raw, current, REQUIRED)
    folded = fold(trimmed)
    if any(fold(other) == folded for other in others):
        return NicknameDecision(False, trimmed, current, IN_USE)
    if trimmed == current:
        return NicknameDecision(True, trimmed, current)
    return NicknameDecision(True, trimmed, trimmed, changed=True)
