"""Room leases with fencing epochs, and node heartbeats, on Redis.

A grid's room runs on exactly one node: the one holding ``chgrid:lease:<grid>``, a key
set only when absent, with an expiry the owner keeps renewing. Each acquisition takes
a new epoch from ``chgrid:epoch:<grid>`` (never expires, only grows), in the same Lua
script as the set, so epochs strictly increase across owners. The epoch is the fencing
token: the room's database writes carry it and the database refuses a write whose epoch
is older than the newest it has seen, so an owner that lost its lease without noticing
(a long pause, a partition) cannot commit after its successor.

Redis without persistence forgets the epoch counter when it restarts. ``try_acquire``
therefore takes ``min_epoch`` (the newest epoch the database has seen for the grid):
the new epoch is above both the counter and that floor.

``NodeBeacon`` is a node's heartbeat: ``chgrid:node:<id>`` with an expiry, refreshed
by the node while it runs and deleted on a clean shutdown.

Every call is one round trip and raises ``redis.exceptions.RedisError`` (or
``ConnectionError``/``TimeoutError``) when Redis does not answer; the caller decides
(an owner that cannot renew stops its room before the lease can have expired).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chgrid.cluster.keys import epoch_key, lease_key, node_key

# KEYS: lease, epoch. ARGV: node, ttl ms, minimum epoch. Returns the new epoch, or nil
# (false) when the lease is held.
_ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return false
end
local epoch = tonumber(redis.call('GET', KEYS[2]) or '0')
local floor = tonumber(ARGV[3])
if epoch < floor then
  epoch = floor
end
epoch = epoch + 1
redis.call('SET', KEYS[2], epoch)
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. epoch, 'PX', ARGV[2])
return epoch
"""

# KEYS: lease. ARGV: "node:epoch", ttl ms. 1 when renewed.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

# KEYS: lease. ARGV: "node:epoch". 1 when deleted.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class Lease:
    """Ownership of ``grid`` by ``node`` under fencing token ``epoch``."""

    grid: str
    node: str
    epoch: int

    @property
    def value(self) -> str:
        """The lease key's value: ``"<node>:<epoch>"``."""
        return f"{self.node}:{self.epoch}"

    @classmethod
    def parse(cls, grid: str, value: bytes | str | None) -> "Lease | None":
        """The lease a key value describes (None for no or a malformed value)."""
        if value is None:
            return None
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        node, sep, epoch = text.rpartition(":")  # a node id may itself contain ':'
        if not sep or not node or not epoch.isdigit():
            return None
        return cls(grid, node, int(epoch))


def _check_ttl(ttl_ms: int) -> int:
    ttl = int(ttl_ms)
    if ttl <= 0:
        raise ValueError("ttl_ms must be positive")
    return ttl


def _check_node(node_id: str) -> str:
    if not node_id or any(c.isspace() for c in node_id):
        raise ValueError("a node id must be non-empty and contain no whitespace")
    return node_id


class LeaseKeeper:
    """Takes, renews and gives back room leases for one node (``client``: a
    ``redis.asyncio.Redis``, e.g. ``RedisBus.client``)."""

    def __init__(self, client, node_id: str, ttl_ms: int) -> None:
        self.node_id = _check_node(node_id)
        self.ttl_ms = _check_ttl(ttl_ms)
        self._client = client
        self._acquire = client.register_script(_ACQUIRE)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    async def try_acquire(self, grid: str, min_epoch: int = 0) -> Lease | None:
        """Take the lease if nobody holds it: the new lease, or None."""
        epoch = await self._acquire(
            keys=[lease_key(grid), epoch_key(grid)], args=[self.node_id, self.ttl_ms, int(min_epoch)]
        )
        return None if epoch is None else Lease(grid, self.node_id, int(epoch))

    async def renew(self, lease: Lease) -> bool:
        """Extend the lease by the ttl; False when it is no longer ours (expired,
        taken over) or was never this keeper's node's."""
        if lease.node != self.node_id:
            return False
        return bool(await self._renew(keys=[lease_key(lease.grid)], args=[lease.value, self.ttl_ms]))

    async def release(self, lease: Lease) -> bool:
        """Give the lease back (so another node need not wait for the expiry); only
        deletes it while it is still this very lease. True when it was deleted."""
        if lease.node != self.node_id:
            return False
        return bool(await self._release(keys=[lease_key(lease.grid)], args=[lease.value]))

    async def owner(self, grid: str) -> Lease | None:
        """The current lease of ``grid``, whoever holds it, or None."""
        return Lease.parse(grid, await self._client.get(lease_key(grid)))


class NodeBeacon:
    """One node's heartbeat key: present while the node beats within ``ttl_ms``."""

    def __init__(self, client, node_id: str, ttl_ms: int) -> None:
        self.node_id = _check_node(node_id)
        self.ttl_ms = _check_ttl(ttl_ms)
        self._client = client

    async def beat(self) -> None:
        await self._client.set(node_key(self.node_id), "1", px=self.ttl_ms)

    async def alive(self, node_ids: Iterable[str]) -> set[str]:
        """Which of ``node_ids`` have a live heartbeat (one MGET)."""
        ids = list(dict.fromkeys(node_ids))
        if not ids:
            return set()
        values = await self._client.mget([node_key(node_id) for node_id in ids])
        return {node_id for node_id, value in zip(ids, values) if value is not None}

    async def forget(self) -> None:
        """Delete this node's heartbeat (clean shutdown: others see it gone at once)."""
        await self._client.delete(node_key(self.node_id))
