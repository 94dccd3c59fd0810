"""Room leases and node heartbeats against a real redis-server.

Expiry is awaited on the key itself (polled in Redis with a bounded wait), never on a
clock: a lease with a 200 ms ttl is gone when Redis says so.
"""
from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from chgrid.cluster.keys import epoch_key, lease_key, node_key
from chgrid.cluster.lease import Lease, LeaseKeeper, NodeBeacon
from tests.test_auth_primitives import run_coroutine

LONG_MS = 60_000
SHORT_MS = 200
WAIT_S = 10.0


async def until_gone(client, key: str) -> None:
    """Wait until Redis no longer has ``key`` (it expired); fails after WAIT_S."""
    async def gone():
        while await client.exists(key):
            await asyncio.sleep(0.02)

    await asyncio.wait_for(gone(), WAIT_S)


def run_with_client(url: str, body):
    async def main():
        client = aioredis.Redis.from_url(url)
        try:
            await body(client)
        finally:
            await client.aclose()

    run_coroutine(main())


def test_one_owner_at_a_time_and_only_the_owner_renews_or_releases(redis_url):
    async def body(client):
        a, b = LeaseKeeper(client, "node-a", LONG_MS), LeaseKeeper(client, "node-b", LONG_MS)
        lease = await a.try_acquire("main")
        assert lease == Lease("main", "node-a", 1)
        assert await b.try_acquire("main") is None
        assert await a.try_acquire("main") is None  # held, even by the same node
        assert await b.owner("main") == lease
        assert await client.get(lease_key("main")) == b"node-a:1"

        assert await b.renew(lease) is False  # not b's lease
        assert await b.renew(Lease("main", "node-b", 1)) is False  # b never held it
        assert await a.renew(Lease("main", "node-a", 7)) is False  # wrong epoch
        assert await a.renew(lease) is True

        assert await b.release(lease) is False
        assert await a.release(Lease("main", "node-a", 2)) is False
        assert await a.owner("main") == lease
        assert await a.release(lease) is True
        assert await a.owner("main") is None
        assert await a.release(lease) is False  # already gone

        taken = await b.try_acquire("main")
        assert taken == Lease("main", "node-b", 2)
        assert await a.renew(lease) is False  # the old owner cannot extend the new lease

    run_with_client(redis_url, body)


def test_renew_extends_the_expiry(redis_url):
    async def body(client):
        keeper = LeaseKeeper(client, "node-a", LONG_MS)
        lease = await keeper.try_acquire("main")
        assert 0 < await client.pttl(lease_key("main")) <= LONG_MS
        await client.pexpire(lease_key("main"), 5_000)
        assert await client.pttl(lease_key("main")) <= 5_000
        assert await keeper.renew(lease) is True
        assert await client.pttl(lease_key("main")) > 5_000

    run_with_client(redis_url, body)


def test_expiry_lets_another_node_in_with_a_higher_epoch(redis_url):
    async def body(client):
        a, b = LeaseKeeper(client, "node-a", SHORT_MS), LeaseKeeper(client, "node-b", SHORT_MS)
        epochs = []
        for keeper in (a, b, a, b):  # nobody renews: each lease runs out in turn
            lease = await keeper.try_acquire("main")
            assert lease is not None and lease.node == keeper.node_id
            epochs.append(lease.epoch)
            other = b if keeper is a else a
            assert await other.try_acquire("main") is None
            await until_gone(client, lease_key("main"))
            assert await keeper.renew(lease) is False  # expired: too late to renew
        assert epochs == sorted(set(epochs)) and epochs[0] >= 1
        assert int(await client.get(epoch_key("main"))) == epochs[-1]

    run_with_client(redis_url, body)


def test_grids_are_independent(redis_url):
    async def body(client):
        a, b = LeaseKeeper(client, "node-a", LONG_MS), LeaseKeeper(client, "node-b", LONG_MS)
        assert await a.try_acquire("main") == Lease("main", "node-a", 1)
        assert await b.try_acquire("lobby") == Lease("lobby", "node-b", 1)
        assert await b.owner("main") == Lease("main", "node-a", 1)

    run_with_client(redis_url, body)


def test_the_epoch_floor_survives_a_redis_that_forgot_its_counter(redis_url):
    async def body(client):
        a = LeaseKeeper(client, "node-a", LONG_MS)
        first = await a.try_acquire("main")
        await client.flushall()  # as a Redis restart without persistence
        assert await a.try_acquire("main", min_epoch=41) == Lease("main", "node-a", 42)
        await client.delete(lease_key("main"))
        # a floor below the counter changes nothing: epochs only grow
        assert await a.try_acquire("main", min_epoch=3) == Lease("main", "node-a", 43)
        assert first.epoch == 1

    run_with_client(redis_url, body)


def test_lease_values_parse_back():
    assert Lease.parse("g", b"host:1234:pid:7") == Lease("g", "host:1234:pid", 7)
    assert Lease("g", "host:1234:pid", 7).value == "host:1234:pid:7"
    for broken in (None, b"", b"node", b":5", b"node:", b"node:x"):
        assert Lease.parse("g", broken) is None
    with pytest.raises(ValueError):
        LeaseKeeper(None, "has space", 1000)
    with pytest.raises(ValueError):
        NodeBeacon(None, "node", 0)


def test_heartbeats(redis_url):
    async def body(client):
        a, b = NodeBeacon(client, "node-a", LONG_MS), NodeBeacon(client, "node-b", LONG_MS)
        brief = NodeBeacon(client, "node-c", SHORT_MS)
        assert await a.alive([]) == set()
        assert await a.alive(["node-a", "node-b", "node-c"]) == set()
        await a.beat()
        await b.beat()
        await brief.beat()
        assert await a.alive(["node-a", "node-b", "node-c", "node-d"]) == {"node-a", "node-b", "node-c"}
        assert 0 < await client.pttl(node_key("node-a")) <= LONG_MS
        await b.forget()
        assert await a.alive(["node-a", "node-b"]) == {"node-a"}
        await until_gone(client, node_key("node-c"))  # it stopped beating
        assert await a.alive(["node-a", "node-c", "node-a"]) == {"node-a"}
        await b.beat()  # a restarted node beats again
        assert await a.alive(["node-b"]) == {"node-b"}

    run_with_client(redis_url, body)
