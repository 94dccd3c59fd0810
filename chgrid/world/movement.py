"""Movement rules of world.md §3–4 as plain functions.

Windows are aligned to multiples of ``tick_ms`` since the Unix epoch; each window grants
``max_steps`` Chebyshev steps. The RoomActor keeps one ``MoveBudget`` per connection.
"""
from __future__ import annotations

from dataclasses import dataclass

MOVEMENT_TICK_MS = 200
MAX_STEPS_PER_TICK = 1


@dataclass
class MoveBudget:
    """Steps used in the current movement window of one connection."""

    window: int
    used: int = 0


def in_bounds(x: int, y: int, grid_size: int) -> bool:
    return 0 <= x < grid_size and 0 <= y < grid_size


def chebyshev(x1: int, y1: int, x2: int, y2: int) -> int:
    return max(abs(x1 - x2), abs(y1 - y2))


def window_of(now_ms: int, tick_ms: int = MOVEMENT_TICK_MS) -> int:
    return now_ms // tick_ms


def try_step(
    budget: MoveBudget,
    current: tuple[int, int],
    target: tuple[int, int],
    now_ms: int,
    grid_size: int,
    tick_ms: int = MOVEMENT_TICK_MS,
    max_steps: int = MAX_STEPS_PER_TICK,
) -> bool:
    """Decide an ``update_position``; on acceptance the budget is charged.

    A refusal leaves the budget untouched, so out-of-bounds attempts cost nothing.
    """
    if not in_bounds(target[0], target[1], grid_size):
        return False
    distance = chebyshev(current[0], current[1], target[0], target[1])
    window = window_of(now_ms, tick_ms)
    if window != budget.window:
        budget.window = window
        budget.used = 0
    if distance > max(0, max_steps - budget.used):
        return False
    budget.used += distance
    return True
