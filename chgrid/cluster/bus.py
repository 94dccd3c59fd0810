"""``RedisBus``: ordered publish/subscribe over Redis for one node, on its asyncio loop.

Publishing never blocks the caller. ``publish`` (loop thread) appends to a bounded
queue and wakes one drain task, which sends everything queued so far as one pipeline
per round (one round trip for a burst, not one per message). A round starts only after
the previous one was answered, so Redis sees the messages in the order they were
published, across all callers. Other threads (pykka actors) use ``publish_threadsafe``:
it hops onto the loop with ``call_soon_threadsafe``, which keeps each thread's order.

Subscribing uses one pubsub connection for every channel. A reader task hands each
message's payload (``bytes``) to the channel's handler on the loop, in order; a handler
that raises is logged and the reader goes on. ``await subscribe(...)`` returns once
Redis confirmed the subscription, so a message published after it is delivered.

Delivery is at most once. When Redis goes away the reader reconnects with back-off,
resubscribes every channel and calls ``on_reconnect``: messages published meanwhile are
lost, and the subscribers should resynchronise (e.g. send a full snapshot). Publishing
stops at the first failed round: that round and everything queued are dropped, and so
is every publish until Redis answers a ping again, with one log line when the outage is
noticed and one with the count when it ends. Nothing is kept without bound.

The Redis clients fail fast (no hidden retries): a retried pipeline could publish a
message twice, and a retried lease script could act twice. ``client`` is the command
client, shared by the leases and the login limiter.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import random
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from chgrid.config import hide_password

log = logging.getLogger(__name__)

Handler = Callable[[bytes], None]
Payload = str | bytes

MAX_QUEUED = 10_000  # publishes waiting for the drain task
MAX_BATCH = 1_000  # messages per pipeline round
BACKOFF_MIN_S = 0.05
BACKOFF_MAX_S = 2.0
PING_INTERVAL_S = 5.0  # a quiet subscriber connection is pinged after this long...
DEAD_AFTER_S = 15.0  # ...and given up when nothing at all came for this long
CONNECT_TIMEOUT_S = 5.0
SUBSCRIBE_WAIT_S = 5.0
FLUSH_WAIT_S = 2.0
COMMAND_CONNECTIONS = 32  # the command pool's size; callers wait for a free one


@dataclass
class BusStats:
    """Counters for tests and diagnostics (loop thread only)."""

    published: int = 0  # accepted into the queue
    sent: int = 0  # acknowledged by Redis
    dropped: int = 0  # refused (queue full, Redis down, bus stopped) or lost in a failed round
    rounds: int = 0  # pipelines sent
    reconnects: int = 0  # subscriber connections re-established
    handler_errors: int = 0


async def _aclose(thing) -> None:
    # ``aclose`` arrived in redis 5.0.1; 5.0.0 only has ``close``.
    closer = getattr(thing, "aclose", None) or thing.close
    await closer()


class RedisBus:
    """Publish/subscribe for one node. Every method except ``publish_threadsafe`` and
    ``publish_many_threadsafe`` must be called on the loop that ran ``start``.

    ``on_reconnect`` (optional, called on the loop, may be a coroutine function) runs
    after the subscriber connection was lost and re-established with every channel
    resubscribed. Subscribing again to a channel replaces its handler.
    """

    def __init__(
        self,
        url: str,
        *,
        name: str = "chgrid",
        on_reconnect: Callable[[], object] | None = None,
        max_queued: int = MAX_QUEUED,
        max_batch: int = MAX_BATCH,
        ping_interval_s: float = PING_INTERVAL_S,
        dead_after_s: float = DEAD_AFTER_S,
    ) -> None:
        self.url = url
        self.name = name
        self.on_reconnect = on_reconnect
        self.stats = BusStats()
        self._max_queued = int(max_queued)
        self._max_batch = int(max_batch)
        self._ping_interval = float(ping_interval_s)
        self._dead_after = float(dead_after_s)
        self._queue: deque[tuple[str, Payload]] = deque()
        self._handlers: dict[str, Handler] = {}
        self._confirmations: dict[str, list[asyncio.Future]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: aioredis.Redis | None = None
        self._sub_client: aioredis.Redis | None = None
        self._pubsub = None
        self._wake: asyncio.Event | None = None
        self._sub_lock: asyncio.Lock | None = None
        self._tasks: list[asyncio.Task] = []
        self._closed = False
        self._down = False  # publishing paused until Redis answers a ping
        self._outage_drops = 0
        self._full_drops = 0
        # flush(): publishes accepted so far vs. sent or dropped so far.
        self._accepted = 0
        self._settled = 0
        self._flush_waiters: list[tuple[int, asyncio.Future]] = []

    # --- life cycle ------------------------------------------------------------------
    async def start(self) -> None:
        """Connect, or raise (``redis.exceptions.ConnectionError``) if Redis does not
        answer: a node should not come up without its bus."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._sub_lock = asyncio.Lock()
        options = dict(
            retry=Retry(NoBackoff(), 0), socket_connect_timeout=CONNECT_TIMEOUT_S,
            socket_timeout=CONNECT_TIMEOUT_S, socket_keepalive=True,
            client_name=self.name.replace(" ", "-"),
        )
        # Commands (publishes, leases, heartbeats, the login limiter) share one pool that
        # waits for a free connection instead of failing: a burst of logins must not
        # make a lease renewal or a join's publish fail with "Too many connections".
        pool = aioredis.BlockingConnectionPool.from_url(
            self.url, max_connections=COMMAND_CONNECTIONS, timeout=CONNECT_TIMEOUT_S, **options)
        self._client = aioredis.Redis.from_pool(pool)  # the client closes the pool
        self._sub_client = aioredis.Redis.from_url(self.url, **options)
        try:
            await self._client.ping()
            await self._connect_subscriber()
        except BaseException:
            await self._close_clients()
            raise
        self._tasks = [
            asyncio.create_task(self._drain_loop(), name=f"redis-bus-drain-{self.name}"),
            asyncio.create_task(self._read_loop(), name=f"redis-bus-read-{self.name}"),
        ]
        log.info("Redis bus %s connected to %s", self.name, hide_password(self.url))

    async def stop(self, flush_timeout: float = FLUSH_WAIT_S) -> None:
        """Send what is queued (bounded by ``flush_timeout``), then disconnect."""
        if self._closed or self._loop is None:
            self._closed = True
            return
        await self.flush(flush_timeout)
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        for _, future in self._flush_waiters:
            if not future.done():
                future.set_result(False)
        self._flush_waiters = []
        await self._close_clients()

    async def _close_clients(self) -> None:
        if self._pubsub is not None:
            await self._drop_pubsub()
        for client in (self._client, self._sub_client):
            if client is not None:
                try:
                    await _aclose(client)
                except Exception:  # closing a dead connection may complain; it is closed
                    log.debug("closing a Redis client failed", exc_info=True)

    @property
    def client(self) -> aioredis.Redis:
        """The command client (``redis.asyncio.Redis``, no automatic retries)."""
        if self._client is None:
            raise RuntimeError("RedisBus.start() has not run")
        return self._client

    @property
    def publishing(self) -> bool:
        """False while publishes are dropped because Redis did not answer."""
        return not (self._down or self._closed)

    # --- publishing ------------------------------------------------------------------
    def publish(self, channel: str, payload: Payload) -> None:
        """Queue one message (loop thread). Never blocks; dropped, with a log line,
        when the queue is full, Redis is unreachable or the bus is stopped."""
        if self._closed or self._wake is None:
            self.stats.dropped += 1
            log.debug("Redis bus %s not running: dropped a publish to %s", self.name, channel)
            return
        if self._down:
            self.stats.dropped += 1
            self._outage_drops += 1
            return
        if len(self._queue) >= self._max_queued:
            self.stats.dropped += 1
            if not self._full_drops:
                log.warning("Redis bus %s: %d publishes waiting, dropping new ones",
                            self.name, len(self._queue))
            self._full_drops += 1
            return
        self._queue.append((channel, payload))
        self._accepted += 1
        self.stats.published += 1
        self._wake.set()

    def publish_many(self, messages: Iterable[tuple[str, Payload]]) -> None:
        """``publish`` each ``(channel, payload)`` in order (loop thread)."""
        for channel, payload in messages:
            self.publish(channel, payload)

    def publish_threadsafe(self, channel: str, payload: Payload) -> None:
        """``publish`` from any thread; one thread's messages keep their order."""
        self._hop(self.publish, channel, payload)

    def publish_many_threadsafe(self, messages: Iterable[tuple[str, Payload]]) -> None:
        """``publish_many`` from any thread in one loop callback (e.g. one actor step)."""
        self._hop(self.publish_many, list(messages))

    def _hop(self, method, *args) -> None:
        loop = self._loop
        if loop is None or self._closed:
            log.debug("Redis bus %s not running: dropped a publish from a thread", self.name)
            return
        try:
            loop.call_soon_threadsafe(method, *args)
        except RuntimeError:  # the loop is closed: the node is shutting down
            log.debug("Redis bus %s: loop closed, dropped a publish", self.name)

    async def flush(self, timeout: float = FLUSH_WAIT_S) -> bool:
        """Wait until everything published before this call was sent or dropped; False
        on timeout. For one-shot tools and clean shutdown."""
        target = self._accepted
        if self._settled >= target or self._loop is None:
            return True
        future = self._loop.create_future()
        self._flush_waiters.append((target, future))
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.TimeoutError:
            return False

    def _settle(self, count: int) -> None:
        self._settled += count
        waiting = []
        for target, future in self._flush_waiters:
            if target <= self._settled:
                if not future.done():
                    future.set_result(True)
            else:
                waiting.append((target, future))
        self._flush_waiters = waiting

    async def _drain_loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                count = min(len(self._queue), self._max_batch)
                batch = [self._queue.popleft() for _ in range(count)]
                try:
                    await self._send(batch)
                except asyncio.CancelledError:
                    raise
                except Exception as err:
                    self._publishing_failed(batch, err)
                    await self._wait_until_answering()
                    break
                self.stats.sent += count
                self.stats.rounds += 1
                self._settle(count)
            if self._full_drops:
                log.warning("Redis bus %s: dropped %d publishes while the queue was full",
                            self.name, self._full_drops)
                self._full_drops = 0

    async def _send(self, batch: list[tuple[str, Payload]]) -> None:
        pipe = self._client.pipeline(transaction=False)
        for channel, payload in batch:
            pipe.publish(channel, payload)
        await pipe.execute()

    def _publishing_failed(self, batch: list, err: Exception) -> None:
        lost = len(batch) + len(self._queue)
        self._queue.clear()
        self._down = True
        self.stats.dropped += lost
        self._settle(lost)
        log.warning("Redis bus %s: publish failed (%s); dropped %d message(s), dropping "
                    "publishes until Redis answers", self.name, hide_password(str(err)), lost)

    async def _wait_until_answering(self) -> None:
        backoff = BACKOFF_MIN_S
        while True:
            await asyncio.sleep(backoff * random.uniform(0.5, 1.0))
            try:
                await self._client.ping()
            except asyncio.CancelledError:
                raise
            except Exception:
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                continue
            self._down = False
            log.warning("Redis bus %s: publishing again; %d publish(es) dropped while Redis "
                        "was unreachable", self.name, self._outage_drops)
            self._outage_drops = 0
            return

    # --- subscribing -----------------------------------------------------------------
    async def subscribe(self, channel: str, handler: Handler) -> bool:
        """Deliver ``channel``'s payloads to ``handler`` (on the loop, in order).

        True once Redis confirmed; False if it did not within a few seconds (Redis is
        down): the channel stays registered and is subscribed on reconnection.
        """
        if self._closed or self._loop is None:
            raise RuntimeError("the Redis bus is not running")
        self._handlers[channel] = handler
        confirmed = self._loop.create_future()
        self._confirmations.setdefault(channel, []).append(confirmed)
        try:
            async with self._sub_lock:
                if self._pubsub is not None:
                    try:
                        await self._pubsub.subscribe(channel)
                    except Exception as err:  # the reader reconnects and resubscribes
                        log.warning("Redis bus %s: subscribing to %s failed (%s)",
                                    self.name, channel, err)
            try:
                return await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_WAIT_S)
            except asyncio.TimeoutError:
                log.warning("Redis bus %s: %s not confirmed yet; it will be subscribed "
                            "when Redis answers", self.name, channel)
                return False
        finally:
            waiting = self._confirmations.get(channel, [])
            if confirmed in waiting:
                waiting.remove(confirmed)
            if not waiting:
                self._confirmations.pop(channel, None)

    async def unsubscribe(self, channel: str) -> None:
        """Stop delivering ``channel`` (at once: later messages are ignored)."""
        self._handlers.pop(channel, None)
        async with self._sub_lock:
            if self._pubsub is not None:
                try:
                    await self._pubsub.unsubscribe(channel)
                except Exception as err:  # a new connection will not subscribe it
                    log.debug("Redis bus %s: unsubscribing %s failed (%s)", self.name, channel, err)

    async def _connect_subscriber(self) -> None:
        """A fresh pubsub connection subscribed to every registered channel."""
        async with self._sub_lock:
            pubsub = self._sub_client.pubsub()
            try:
                await pubsub.connect()
                channels = list(self._handlers)
                if channels:
                    await pubsub.subscribe(*channels)
            except BaseException:
                await self._close_pubsub(pubsub)
                raise
            self._pubsub = pubsub

    async def _drop_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            await self._close_pubsub(pubsub)

    @staticmethod
    async def _close_pubsub(pubsub) -> None:
        try:
            await _aclose(pubsub)
        except Exception:
            log.debug("closing a pubsub connection failed", exc_info=True)

    async def _read_loop(self) -> None:
        while True:
            try:
                await self._read_until_lost()
            except asyncio.CancelledError:
                raise
            except Exception as err:
                log.warning("Redis bus %s: subscriber connection lost (%s); reconnecting",
                            self.name, hide_password(str(err)) or type(err).__name__)
            await self._drop_pubsub()
            await self._reconnect_subscriber()

    async def _read_until_lost(self) -> None:
        pubsub = self._pubsub
        loop = self._loop
        last_heard = loop.time()
        pinged = False
        # Wake at least once per ping interval to notice a silent dead connection.
        poll_s = min(1.0, self._ping_interval)
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=False, timeout=poll_s)
            now = loop.time()
            if message is None:
                quiet = now - last_heard
                if quiet >= self._dead_after:
                    raise ConnectionError(f"no answer from Redis for {quiet:.0f} s")
                if quiet >= self._ping_interval and not pinged:
                    await pubsub.ping()
                    pinged = True
                continue
            last_heard = now
            pinged = False
            self._dispatch(message)

    def _dispatch(self, message: dict) -> None:
        kind = message.get("type")
        channel = message.get("channel")
        if isinstance(channel, bytes):
            channel = channel.decode("utf-8", "replace")
        if kind == "message":
            handler = self._handlers.get(channel)
            if handler is None:  # unsubscribed while the message was on its way
                return
            try:
                handler(message["data"])
            except Exception:
                self.stats.handler_errors += 1
                log.exception("Redis bus %s: handler for %s failed", self.name, channel)
        elif kind == "subscribe":
            for future in self._confirmations.pop(channel, []):
                if not future.done():
                    future.set_result(True)

    async def _reconnect_subscriber(self) -> None:
        backoff = BACKOFF_MIN_S
        while True:
            await asyncio.sleep(backoff * random.uniform(0.5, 1.0))
            try:
                await self._connect_subscriber()
            except asyncio.CancelledError:
                raise
            except Exception as err:
                log.debug("Redis bus %s: reconnect failed (%s)", self.name, err)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                continue
            self.stats.reconnects += 1
            log.warning("Redis bus %s: subscriber reconnected, %d channel(s) resubscribed",
                        self.name, len(self._handlers))
            self._call_on_reconnect()
            return

    def _call_on_reconnect(self) -> None:
        if self.on_reconnect is None:
            return
        try:
            result = self.on_reconnect()
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                task.add_done_callback(self._log_callback_failure)
        except Exception:
            log.exception("Redis bus %s: on_reconnect failed", self.name)

    def _log_callback_failure(self, task: asyncio.Future) -> None:
        if not task.cancelled() and task.exception() is not None:
            log.error("Redis bus %s: on_reconnect failed", self.name, exc_info=task.exception())
