"""RedisBus against a real redis-server: order, batching, subscriptions, bad handlers,
bounded queues, flushing on stop, and surviving a Redis restart.

Each test runs its own asyncio loop (``run_coroutine``); waits end on the awaited
message, callback or log line, with a timeout that only bounds a failure.
"""
from __future__ import annotations

import asyncio
import logging
import threading

import pytest
import redis.exceptions

from chgrid.cluster.bus import RedisBus
from tests.redis_server import RedisServer
from tests.support import free_port
from tests.test_auth_primitives import run_coroutine

WAIT_S = 15.0


class Collector:
    """A handler that keeps payloads and wakes a waiter once it holds ``n`` of them."""

    def __init__(self) -> None:
        self.payloads: list[bytes] = []
        self._waiters: list[tuple[int, asyncio.Future]] = []

    def __call__(self, payload: bytes) -> None:
        self.payloads.append(payload)
        for n, future in self._waiters:
            if len(self.payloads) >= n and not future.done():
                future.set_result(None)

    async def wait_for(self, n: int) -> list[bytes]:
        if len(self.payloads) < n:
            future = asyncio.get_running_loop().create_future()
            self._waiters.append((n, future))
            await asyncio.wait_for(future, WAIT_S)
        return self.payloads


class LogWatch(logging.Handler):
    """Wakes an asyncio waiter when a record of ``logger`` contains a text."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(logging.DEBUG)
        self.loop = loop
        self.messages: list[str] = []
        self._waiters: list[tuple[str, int, asyncio.Future]] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        self.loop.call_soon_threadsafe(self._seen, text)

    def _seen(self, text: str) -> None:
        self.messages.append(text)
        for needle, count, future in self._waiters:
            if self.count(needle) >= count and not future.done():
                future.set_result(None)

    def count(self, needle: str) -> int:
        return sum(needle in m for m in self.messages)

    async def wait_for(self, needle: str, count: int = 1) -> None:
        if self.count(needle) < count:
            future = self.loop.create_future()
            self._waiters.append((needle, count, future))
            await asyncio.wait_for(future, WAIT_S)


def watch_bus_log():
    watch = LogWatch(asyncio.get_running_loop())
    logger = logging.getLogger("chgrid.cluster.bus")
    logger.addHandler(watch)
    logger.setLevel(logging.DEBUG)
    return watch, lambda: (logger.removeHandler(watch), logger.setLevel(logging.NOTSET))


def test_many_publishes_from_the_loop_arrive_in_order_in_few_round_trips(redis_url):
    async def main():
        publisher, subscriber = RedisBus(redis_url, name="a"), RedisBus(redis_url, name="b")
        await publisher.start()
        await subscriber.start()
        got = Collector()
        try:
            assert await subscriber.subscribe("chgrid:test:order", got) is True
            sent = [f"m{i}".encode() for i in range(5000)]
            for payload in sent:  # one loop turn: the drain task sees them all queued
                publisher.publish("chgrid:test:order", payload)
            assert await got.wait_for(5000) == sent
            assert publisher.stats.sent == 5000 and publisher.stats.dropped == 0
            # one pipeline per round of at most 1,000 messages, not one per message
            assert publisher.stats.rounds <= 6
        finally:
            await publisher.stop()
            await subscriber.stop()

    run_coroutine(main())


def test_each_threads_publishes_keep_their_order(redis_url):
    async def main():
        bus = RedisBus(redis_url, name="threads")
        await bus.start()
        got = Collector()
        try:
            await bus.subscribe("chgrid:test:threads", got)

            def worker(k: int) -> None:
                for i in range(1000):
                    bus.publish_threadsafe("chgrid:test:threads", f"{k}:{i}")
                bus.publish_many_threadsafe([("chgrid:test:threads", f"{k}:{i}") for i in range(1000, 1100)])

            threads = [threading.Thread(target=worker, args=(k,)) for k in range(3)]
            for thread in threads:
                thread.start()
            for i in range(500):  # the loop publishes meanwhile
                bus.publish("chgrid:test:threads", f"loop:{i}")
                if i % 50 == 0:
                    await asyncio.sleep(0)
            await asyncio.get_running_loop().run_in_executor(None, lambda: [t.join() for t in threads])
            payloads = [p.decode() for p in await got.wait_for(3 * 1100 + 500)]
            for source in ("0", "1", "2", "loop"):
                own = [int(p.split(":")[1]) for p in payloads if p.split(":")[0] == source]
                assert own == list(range(1100 if source != "loop" else 500))
            assert len(payloads) == 3 * 1100 + 500
        finally:
            await bus.stop()

    run_coroutine(main())


def test_subscribe_unsubscribe_and_replace(redis_url):
    async def main():
        bus = RedisBus(redis_url, name="subs")
        await bus.start()
        first, second, other = Collector(), Collector(), Collector()
        try:
            assert await bus.subscribe("chgrid:test:a", first) is True
            assert await bus.subscribe("chgrid:test:b", other) is True
            bus.publish("chgrid:test:a", "a1")
            bus.publish("chgrid:test:b", "b1")
            assert await other.wait_for(1) == [b"b1"]
            assert await first.wait_for(1) == [b"a1"]
            await bus.subscribe("chgrid:test:a", second)  # replaces the handler
            bus.publish("chgrid:test:a", "a2")
            bus.publish("chgrid:test:b", "b2")
            assert await other.wait_for(2) == [b"b1", b"b2"]
            assert await second.wait_for(1) == [b"a2"]
            await bus.unsubscribe("chgrid:test:a")
            bus.publish("chgrid:test:a", "a3")
            bus.publish("chgrid:test:b", "b3")  # after a3 on the same connection
            assert await other.wait_for(3) == [b"b1", b"b2", b"b3"]
            assert first.payloads == [b"a1"] and second.payloads == [b"a2"]
            assert await bus.client.pubsub_numsub("chgrid:test:a") == [(b"chgrid:test:a", 0)]
        finally:
            await bus.stop()

    run_coroutine(main())


def test_a_failing_handler_is_logged_and_the_reader_goes_on(redis_url):
    async def main():
        bus = RedisBus(redis_url, name="bad-handler")
        await bus.start()
        watch, unwatch = watch_bus_log()
        got = Collector()

        def handler(payload: bytes) -> None:
            if payload == b"boom":
                raise ValueError("bad payload")
            got(payload)

        try:
            await bus.subscribe("chgrid:test:bad", handler)
            for payload in ("one", "boom", "two"):
                bus.publish("chgrid:test:bad", payload)
            assert await got.wait_for(2) == [b"one", b"two"]
            await watch.wait_for("handler for chgrid:test:bad failed")
            assert bus.stats.handler_errors == 1
        finally:
            unwatch()
            await bus.stop()

    run_coroutine(main())


def test_the_queue_is_bounded_and_drops_with_a_log_line(redis_url):
    async def main():
        bus = RedisBus(redis_url, name="bounded", max_queued=10)
        await bus.start()
        watch, unwatch = watch_bus_log()
        got = Collector()
        try:
            await bus.subscribe("chgrid:test:bounded", got)
            for i in range(25):  # one loop turn: nothing is sent in between
                bus.publish("chgrid:test:bounded", str(i))
            assert bus.stats.published == 10 and bus.stats.dropped == 15
            assert await bus.flush() is True
            assert await got.wait_for(10) == [str(i).encode() for i in range(10)]
            await watch.wait_for("dropping new ones")
            await watch.wait_for("dropped 15 publishes while the queue was full")
        finally:
            unwatch()
            await bus.stop()

    run_coroutine(main())


def test_stop_sends_what_was_queued(redis_url):
    async def main():
        subscriber = RedisBus(redis_url, name="listener")
        await subscriber.start()
        got = Collector()
        await subscriber.subscribe("chgrid:test:stop", got)
        publisher = RedisBus(redis_url, name="leaving")
        await publisher.start()
        for i in range(300):
            publisher.publish("chgrid:test:stop", str(i))
        await publisher.stop()
        publisher.publish("chgrid:test:stop", "after stop")  # dropped, not an error
        try:
            assert await got.wait_for(300) == [str(i).encode() for i in range(300)]
            assert publisher.stats.sent == 300 and publisher.stats.dropped == 1
        finally:
            await subscriber.stop()

    run_coroutine(main())


def test_start_fails_when_redis_does_not_answer():
    async def main():
        bus = RedisBus(f"redis://127.0.0.1:{free_port()}/0", name="nowhere")
        with pytest.raises(redis.exceptions.ConnectionError):
            await bus.start()

    run_coroutine(main())


def test_a_redis_restart_drops_publishes_then_reconnects_resubscribes_and_calls_back(tmp_path):
    server = RedisServer(tmp_path / "redis").start()

    async def main():
        reconnected = asyncio.Event()
        bus = RedisBus(server.url, name="restart", on_reconnect=reconnected.set)
        await bus.start()
        watch, unwatch = watch_bus_log()
        got, other = Collector(), Collector()
        try:
            await bus.subscribe("chgrid:test:restart", got)
            await bus.subscribe("chgrid:test:other", other)
            bus.publish("chgrid:test:restart", "before")
            assert await got.wait_for(1) == [b"before"]

            server.kill()
            await watch.wait_for("subscriber connection lost")
            bus.publish("chgrid:test:restart", "lost")
            await watch.wait_for("dropped 1 message(s)")
            assert not bus.publishing
            bus.publish("chgrid:test:restart", "also lost")  # dropped at once while down

            server.start()
            await asyncio.wait_for(reconnected.wait(), WAIT_S)
            await watch.wait_for("publishing again; 1 publish(es) dropped")
            assert bus.publishing and bus.stats.reconnects == 1
            bus.publish("chgrid:test:restart", "after")
            bus.publish("chgrid:test:other", "other after")
            assert await got.wait_for(2) == [b"before", b"after"]
            assert await other.wait_for(1) == [b"other after"]
            assert bus.stats.dropped == 2
        finally:
            unwatch()
            await bus.stop()

    try:
        run_coroutine(main())
    finally:
        server.stop()
