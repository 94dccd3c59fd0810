"""Everything the request handlers share, built once by ``chgrid.server``."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from chgrid.actors.account_proxy import AccountProxy
from chgrid.actors.room import RoomProxy
from chgrid.settings import Settings
from chgrid.web.connections import ConnectionRegistry


@dataclass
class ServerContext:
    """Handles to the actors and the loop-side helpers. Read-only after start-up."""

    settings: Settings
    account: AccountProxy
    rooms: dict[str, RoomProxy]  # grid name -> room
    default_room: str
    hasher: Any  # chgrid.auth.passwords.PasswordHasher
    limiter: Any  # chgrid.auth.ratelimit.AuthRateLimiter (loop thread only)
    policy: Any  # chgrid.auth.policy.AuthPolicy
    connections: ConnectionRegistry
    clock: Any
    instance_id: str
    version: str
    started_monotonic: float
    tls: bool
    dummy_hash: str
    rng: random.Random = field(default_factory=random.SystemRandom)

    @property
    def room(self) -> RoomProxy:
        return self.rooms[self.default_room]
