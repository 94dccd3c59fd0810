"""Everything the request handlers share, built once by ``chgrid.server``."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from chgrid.actors.account_proxy import AccountProxy
from chgrid.identity import Versions
from chgrid.settings import Settings
from chgrid.transport.ports import RoomDirectory
from chgrid.web.connections import ConnectionRegistry


@dataclass
class ServerContext:
    """Handles to the actors and the loop-side helpers. Read-only after start-up."""

    settings: Settings
    account: AccountProxy
    rooms: RoomDirectory  # grid name -> room port, wherever the room runs
    hasher: Any  # chgrid.auth.passwords.PasswordHasher
    limiter: Any  # chgrid.auth.limiter.LoginLimiter (awaited on the loop)
    policy: Any  # chgrid.auth.policy.AuthPolicy
    connections: ConnectionRegistry
    clock: Any
    instance_id: str
    version: str
    started_monotonic: float
    tls: bool
    dummy_hash: str
    rng: random.Random = field(default_factory=random.SystemRandom)
    versions: Versions | None = None  # None: derived from ``version``

    def __post_init__(self) -> None:
        if self.versions is None:
            self.versions = Versions(legacy=self.version, server=self.version or "unknown")

