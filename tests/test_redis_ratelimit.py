"""The login limiters: the in-process adapter and the Redis one obey the same rules
(auth.md §10, the AuthRateLimiter cases with a fake clock), two Redis limiters share one
allowance, Redis keys stay bounded and expire, and an unreachable Redis fails open.
"""
from __future__ import annotations

import logging

import pytest
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from chgrid.auth.limiter import LocalLoginLimiter, LoginLimiter
from chgrid.auth.ratelimit import RESUME_IDENTITY, AuthRateLimiter
from chgrid.cluster.keys import login_identity_key, login_ip_key
from chgrid.cluster.ratelimit import RedisLoginLimiter
from tests.fake_clock import FakeClock
from tests.redis_server import RedisServer
from tests.support import free_port
from tests.test_auth_primitives import run_coroutine

KINDS = ("local", "redis")


def run_limiter(kind: str, url: str, body) -> None:
    """Run ``body(limiter, clock)`` on a fresh loop with a limiter of ``kind``."""
    async def main():
        clock = FakeClock()
        if kind == "local":
            await body(LocalLoginLimiter(AuthRateLimiter(clock)), clock)
            return
        client = aioredis.Redis.from_url(url)
        try:
            await body(RedisLoginLimiter(client, clock=clock), clock)
        finally:
            await client.aclose()

    run_coroutine(main())


@pytest.mark.parametrize("kind", KINDS)
def test_ninth_attempt_for_one_identity_is_refused(kind, redis_url):
    async def body(limiter, clock):
        assert isinstance(limiter, LoginLimiter)
        for _ in range(8):
            assert not await limiter.is_limited("1.2.3.4", "alice")
            await limiter.record_failure("1.2.3.4", "alice")
        assert await limiter.is_limited("1.2.3.4", "alice")
        assert await limiter.is_limited("1.2.3.4", "  ALICE ")  # trimmed, lower-cased
        assert not await limiter.is_limited("1.2.3.4", "bob")
        assert not await limiter.is_limited("5.6.7.8", "alice")

    run_limiter(kind, redis_url, body)


@pytest.mark.parametrize("kind", KINDS)
def test_twenty_first_attempt_from_one_ip_is_refused(kind, redis_url):
    async def body(limiter, clock):
        for n in range(20):
            assert not await limiter.is_limited("10.0.0.1", f"user{n}")
            await limiter.record_failure("10.0.0.1", f"user{n}")
        assert await limiter.is_limited("10.0.0.1", "someone-new")
        assert await limiter.is_limited("10.0.0.1", RESUME_IDENTITY)
        assert not await limiter.is_limited("10.0.0.2", "someone-new")

    run_limiter(kind, redis_url, body)


@pytest.mark.parametrize("kind", KINDS)
def test_window_slides(kind, redis_url):
    async def body(limiter, clock):
        for _ in range(4):
            await limiter.record_failure("ip", "alice")
        clock.advance(20)
        for _ in range(4):
            await limiter.record_failure("ip", "alice")
        assert await limiter.is_limited("ip", "alice")
        clock.advance(10)  # the first four are exactly 30 s old: still in the window
        assert await limiter.is_limited("ip", "alice")
        clock.advance(0.5)  # now older than 30 s: discarded
        assert not await limiter.is_limited("ip", "alice")
        for _ in range(3):
            await limiter.record_failure("ip", "alice")
        assert not await limiter.is_limited("ip", "alice")  # 7 in the window
        await limiter.record_failure("ip", "alice")
        assert await limiter.is_limited("ip", "alice")
        clock.advance(31)
        assert not await limiter.is_limited("ip", "alice")

    run_limiter(kind, redis_url, body)


@pytest.mark.parametrize("kind", KINDS)
def test_success_clears_only_the_identity_log(kind, redis_url):
    async def body(limiter, clock):
        for _ in range(8):
            await limiter.record_failure("ip", "alice")
        for n in range(11):
            await limiter.record_failure("ip", f"other{n}")
        assert await limiter.is_limited("ip", "alice")
        await limiter.record_success("ip", " Alice")
        assert not await limiter.is_limited("ip", "alice")
        await limiter.record_failure("ip", "carol")  # the IP log kept 19: now 20
        assert await limiter.is_limited("ip", "alice")

    run_limiter(kind, redis_url, body)


@pytest.mark.parametrize("kind", KINDS)
def test_refused_attempts_are_not_recorded(kind, redis_url):
    async def body(limiter, clock):
        for _ in range(8):
            await limiter.record_failure("ip", RESUME_IDENTITY)
        clock.advance(29)
        for _ in range(50):  # callers only record attempts that were not refused
            assert await limiter.is_limited("ip", RESUME_IDENTITY)
        clock.advance(2)
        assert not await limiter.is_limited("ip", RESUME_IDENTITY)

    run_limiter(kind, redis_url, body)


def test_two_limiters_on_one_redis_share_one_allowance(redis_url):
    async def main():
        clock = FakeClock()
        first, second = aioredis.Redis.from_url(redis_url), aioredis.Redis.from_url(redis_url)
        try:
            node_a = RedisLoginLimiter(first, clock=clock)
            node_b = RedisLoginLimiter(second, clock=clock)
            for n in range(4):  # an attacker alternating between two nodes
                assert not await node_a.is_limited("6.6.6.6", "victim")
                await node_a.record_failure("6.6.6.6", "victim")
                assert not await node_b.is_limited("6.6.6.6", "victim")
                await node_b.record_failure("6.6.6.6", "victim")
            assert await node_a.is_limited("6.6.6.6", "victim")
            assert await node_b.is_limited("6.6.6.6", "victim")
            await node_b.record_success("6.6.6.6", "victim")
            assert not await node_a.is_limited("6.6.6.6", "victim")
            for n in range(12):
                await node_a.record_failure("6.6.6.6", f"spray{n}")
            assert await node_b.is_limited("6.6.6.6", "anyone")  # 8 + 12 = 20 on the IP
        finally:
            await first.aclose()
            await second.aclose()

    run_coroutine(main())


def test_redis_logs_are_capped_and_expire(redis_url):
    async def main():
        clock = FakeClock()
        client = aioredis.Redis.from_url(redis_url)
        try:
            limiter = RedisLoginLimiter(client, clock=clock)
            for _ in range(100):  # the same instant: every failure still counts once
                await limiter.record_failure("1.1.1.1", "bob")
            assert await client.zcard(login_ip_key("1.1.1.1")) == 20
            assert await client.zcard(login_identity_key("1.1.1.1", "bob")) == 8
            for key in (login_ip_key("1.1.1.1"), login_identity_key("1.1.1.1", "bob")):
                assert 30_000 < await client.pttl(key) <= 31_000
            assert sorted(await client.keys("*")) == sorted(
                [login_ip_key("1.1.1.1").encode(), login_identity_key("1.1.1.1", "bob").encode()])
        finally:
            await client.aclose()

    run_coroutine(main())


def test_without_a_clock_the_redis_server_time_is_used(redis_url):
    async def main():
        client = aioredis.Redis.from_url(redis_url)
        try:
            limiter = RedisLoginLimiter(client)
            for _ in range(8):
                assert not await limiter.is_limited("2.2.2.2", "dora")
                await limiter.record_failure("2.2.2.2", "dora")
            assert await limiter.is_limited("2.2.2.2", "dora")
            seconds, _ = await client.time()
            newest = await client.zrange(login_ip_key("2.2.2.2"), -1, -1, withscores=True)
            assert abs(newest[0][1] / 1000 - seconds) < 60  # scores are server milliseconds
        finally:
            await client.aclose()

    run_coroutine(main())


def test_an_unreachable_redis_fails_open_to_the_local_limiter(caplog):
    async def main():
        clock = FakeClock()
        client = aioredis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", retry=Retry(NoBackoff(), 0))
        try:
            limiter = RedisLoginLimiter(client, clock=clock)
            for _ in range(8):
                assert not await limiter.is_limited("3.3.3.3", "erin")
                await limiter.record_failure("3.3.3.3", "erin")
            assert await limiter.is_limited("3.3.3.3", "erin")  # counted on this node
            await limiter.record_success("3.3.3.3", "erin")
            assert not await limiter.is_limited("3.3.3.3", "erin")
            assert limiter.fallback.tracked_keys() == 1  # the IP log stays
        finally:
            await client.aclose()

    with caplog.at_level(logging.WARNING, logger="chgrid.cluster.ratelimit"):
        run_coroutine(main())
    warnings = [r for r in caplog.records if "Redis unreachable" in r.getMessage()]
    assert len(warnings) == 1  # once per outage, not per call


def test_a_redis_that_answers_again_is_used_again(tmp_path, caplog):
    server = RedisServer(tmp_path / "redis").start()

    async def main():
        clock = FakeClock()
        client = aioredis.Redis.from_url(server.url, retry=Retry(NoBackoff(), 0))
        try:
            limiter = RedisLoginLimiter(client, clock=clock)
            await limiter.record_failure("4.4.4.4", "finn")
            server.kill()
            await limiter.record_failure("4.4.4.4", "finn")  # only the local log has it
            assert limiter.fallback.tracked_keys() == 2
            server.start()  # empty: it kept nothing
            for _ in range(7):
                assert not await limiter.is_limited("4.4.4.4", "finn")
                await limiter.record_failure("4.4.4.4", "finn")
            assert await client.zcard(login_identity_key("4.4.4.4", "finn")) == 7
            await limiter.record_failure("4.4.4.4", "finn")
            assert await limiter.is_limited("4.4.4.4", "finn")
        finally:
            await client.aclose()

    try:
        with caplog.at_level(logging.WARNING, logger="chgrid.cluster.ratelimit"):
            run_coroutine(main())
    finally:
        server.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Redis unreachable" in m for m in messages) == 1
    assert sum("shared through Redis again" in m for m in messages) == 1
