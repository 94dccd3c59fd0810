"""Flood control: per-user token buckets (pure logic; the caller passes the time).

A bucket holds up to ``burst`` tokens and gains ``per_second`` tokens a second; each
admitted packet takes one. A person typing or clicking stays far below the refill rate
and never sees a refusal; a script sending thousands of packets gets its first
``burst`` through and then about ``per_second`` a second.

Refusals are told to the sender, but a flood must not turn into a flood of notices:
``Admission.REFUSED_NOTIFY`` is returned for the first refusal after an admitted
packet, ``Admission.REFUSED`` for the rest of that run of refusals. A sustained flood
therefore earns at most one notice per admitted packet (at most ``per_second`` a second).
"""
from __future__ import annotations

import enum
from collections.abc import Container
from dataclasses import dataclass

CHAT_LIMITED = "You are sending chat messages too fast; some were not sent. Try again shortly."
ACTIONS_LIMITED = "You are doing that too often. Try again shortly."


class Admission(enum.Enum):
    """What to do with one packet."""

    ADMITTED = "admitted"
    REFUSED_NOTIFY = "refused_notify"  # refuse and tell the sender (first of a run)
    REFUSED = "refused"  # refuse quietly (the sender was already told)

    @property
    def admitted(self) -> bool:
        return self is Admission.ADMITTED


@dataclass(frozen=True)
class RateLimit:
    """``burst`` packets at once, ``per_second`` sustained."""

    burst: int
    per_second: float

    def __post_init__(self) -> None:
        if self.burst < 1 or not self.per_second > 0:
            raise ValueError("a rate limit needs burst >= 1 and per_second > 0")


class TokenBucket:
    """One sender's bucket. ``now`` is monotonic seconds from the room's clock."""

    def __init__(self, limit: RateLimit, now: float) -> None:
        self.limit = limit
        self._tokens = float(limit.burst)
        self._stamp = now
        self._told = False  # a notice went out since the last admitted packet

    def _refill(self, now: float) -> None:
        # A clock that steps back (it should not) must not mint tokens or go negative.
        elapsed = max(0.0, now - self._stamp)
        self._tokens = min(float(self.limit.burst), self._tokens + elapsed * self.limit.per_second)
        self._stamp = max(self._stamp, now)

    def take(self, now: float) -> Admission:
        self._refill(now)
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            self._told = False
            return Admission.ADMITTED
        if self._told:
            return Admission.REFUSED
        self._told = True
        return Admission.REFUSED_NOTIFY

    def is_full(self, now: float) -> bool:
        """True when the bucket is as good as new (it can be forgotten)."""
        self._refill(now)
        return self._tokens >= self.limit.burst


class UserBuckets:
    """One bucket per user id for one kind of packet, shared by that user's connections.

    Buckets outlive a disconnect (reconnecting must not refill them) and are forgotten
    by :meth:`prune` once full again, when they are no different from a new one.
    """

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._buckets: dict[int, TokenBucket] = {}

    def take(self, user_id: int, now: float) -> Admission:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = TokenBucket(self.limit, now)
        return bucket.take(now)

    def prune(self, now: float, keep: Container[int]) -> None:
        """Forget the full buckets of users not in ``keep`` (the connected ones)."""
        for user_id in [u for u, b in self._buckets.items() if u not in keep and b.is_full(now)]:
            del self._buckets[user_id]

    def __len__(self) -> int:
        return len(self._buckets)
