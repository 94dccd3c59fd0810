"""Start-up and shutdown of a chgrid server process.

Start in dependency order with a cheap call as a barrier after each actor (accounts,
then rooms), then listen. Stop in reverse: stop listening, close sockets, stop rooms
(which save positions and items), stop the account actor (which closes the database).
"""
from __future__ import annotations

import asyncio
import gc
import logging
import shutil
import signal
import ssl
import sys
import uuid
from pathlib import Path
from typing import cast

import pykka
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop, PeriodicCallback
from tornado.netutil import bind_sockets

from chgrid import __version__
from chgrid.db.event_cursor import EventCursor
from chgrid.settings import Settings
from chgrid.startup_notes import address_lines, data_line, first_admin_line, program_words
from chgrid.timing import SystemClock
from chgrid.web.limits import derived_max_connections, raise_nofile_limit

log = logging.getLogger(__name__)

EVENT_POLL_INTERVAL_MS = 2000
TOKEN_PURGE_INTERVAL_MS = 3_600_000
SHUTDOWN_CODE = 1001


class ChgridServer:
    """One running server: its actors, its HTTP listener and its shutdown."""

    def __init__(self, settings: Settings, clock=None) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.instance_id = str(uuid.uuid4())
        self.origin = f"server:{self.instance_id}"
        self.stopping = asyncio.Event()
        self._account_ref = None
        self.rooms = None  # the RoomDirectory: LocalRooms, or ClusterRooms with Redis
        self._bus = None
        self._http: HTTPServer | None = None
        self._periodic: list[PeriodicCallback] = []
        self._event_cursor = EventCursor()  # account_events read so far (the poller's)
        self.ctx = None
        self.port = settings.server.port  # the bound port once started (differs with --port 0)

    async def start(self) -> None:
        from chgrid.actors.account import AccountActor
        from chgrid.actors.account_proxy import AccountProxy
        from chgrid.actors.item_plugin import StatefulPlugins
        from chgrid.actors.room import WorldInfo
        from chgrid.auth.limiter import LocalLoginLimiter
        from chgrid.auth.passwords import PasswordHasher
        from chgrid.auth.policy import AuthPolicy
        from chgrid.auth.ratelimit import AuthRateLimiter
        from chgrid.identity import BrandingTable
        from chgrid.preflight import resolve_versions, resolve_web_root
        from chgrid.db.database import database_url_for
        from chgrid.items.registry import default_registry
        from chgrid.transport.factory import RoomFactory
        from chgrid.transport.local import LocalRooms
        from chgrid.web.app import make_app
        from chgrid.web.connections import ConnectionRegistry
        from chgrid.web.context import ServerContext

        settings = self.settings
        io_loop = IOLoop.current()
        web_root = Path(settings.web.root) if settings.web.root else resolve_web_root(settings)
        versions = resolve_versions(web_root, __version__, not settings.web.root, _environ())
        version = versions.legacy
        policy = AuthPolicy.from_settings(settings.auth)

        self._account_ref = AccountActor.start(
            database_url_for(settings), settings.auth_secret, self.clock, settings.auth,
            origin=self.origin,
        )
        account = cast(AccountProxy, self._account_ref.proxy())
        self._event_cursor = EventCursor(account.latest_event_id().get(timeout=60))

        hasher = PasswordHasher.from_settings(settings.auth)
        dummy_hash = await hasher.dummy_hash()
        connections = ConnectionRegistry(settings.network.outbound_buffer_bytes, io_loop.add_callback)
        registry = default_registry()
        world = WorldInfo(
            grid_size=settings.world.grid_size,
            instance_id=self.instance_id,
            version=version,
            policy=policy.as_wire(),
            started_monotonic=self.clock.monotonic(),
            versions=versions,
            branding=BrandingTable.from_settings(settings),
        )

        def scheduler(delay_s, callback):
            io_loop.add_callback(io_loop.call_later, delay_s, callback)

        plugins = StatefulPlugins.discover(registry, settings)
        factory = RoomFactory(settings=settings, world=world, account=account, clock=self.clock,
                              scheduler=scheduler, registry=registry, plugins=plugins,
                              on_reboot=self.request_stop)
        limiter = LocalLoginLimiter(AuthRateLimiter(self.clock))
        if settings.cluster.redis_url:
            self.rooms, limiter = await self._join_cluster(factory, account, connections)
        else:
            self.rooms = LocalRooms(factory, settings.world.grids, connections.submit, account)
            self.rooms.start()

        self.ctx = ServerContext(
            settings=settings, account=account, rooms=self.rooms,
            hasher=hasher, limiter=limiter, policy=policy,
            connections=connections, clock=self.clock, instance_id=self.instance_id,
            version=version, started_monotonic=world.started_monotonic,
            tls=bool(settings.tls.cert_file), dummy_hash=dummy_hash, versions=versions,
        )
        from chgrid.web.bridge import ask
        from chgrid.web.http import HEALTH_TOKEN_ENV

        app = make_app(self.ctx, web_root, health_token=(_environ().get(HEALTH_TOKEN_ENV) or "").strip())
        ssl_ctx = None
        if settings.tls.cert_file:
            ssl_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ssl_ctx.load_cert_chain(settings.tls.cert_file, settings.tls.key_file)
        self._http = self._listener(app, ssl_ctx)
        # Bound here rather than by listen() so the real port is known with --port 0.
        sockets = bind_sockets(settings.server.port, settings.server.host, reuse_port=settings.server.reuse_port)
        self._http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        log.info("chgrid %s serving the client in %s (version %s)", __version__, web_root, version)
        for line in address_lines(settings.server.host, self.port, tls=ssl_ctx is not None):
            log.info("%s", line)
        log.info("%s", data_line(settings))
        if not await ask(account.active_admin_exists()):
            log.info("%s", first_admin_line(settings, program_words(sys.argv[0], sys.executable, shutil.which)))
        self._periodic = [PeriodicCallback(self._purge_tokens, TOKEN_PURGE_INTERVAL_MS)]
        if self._bus is None:
            # Without Redis, changes by ``chgrid admin`` in another process arrive by polling.
            self._periodic.append(PeriodicCallback(self._poll_account_events, EVENT_POLL_INTERVAL_MS))
        for periodic in self._periodic:
            periodic.start()
        # Everything built so far (modules, schemas, actors) lives as long as the
        # process: freezing it keeps full garbage collections, which stop every thread,
        # from rescanning it while players are connected.
        gc.collect()
        gc.freeze()

    async def _join_cluster(self, factory, account, connections):
        """Connect to Redis and join the cluster: this node is a gateway for its sockets
        and owns the grids whose leases it takes. Returns the directory and the shared
        login limiter."""
        from chgrid.cluster.bus import RedisBus
        from chgrid.cluster.lease import LeaseKeeper, NodeBeacon
        from chgrid.cluster.ratelimit import RedisLoginLimiter
        from chgrid.db.database import db_proxy
        from chgrid.db.fence import claim_room, fence_epoch_of
        from chgrid.transport.cluster import ClusterRooms

        settings = self.settings
        ttl_ms = int(settings.cluster.lease_s * 1000)
        rooms_ref: list = []
        self._bus = RedisBus(settings.cluster.redis_url, name=f"chgrid-{self.instance_id[:8]}",
                             on_reconnect=lambda: rooms_ref and rooms_ref[0].on_bus_reconnect())
        await self._bus.start()
        client = self._bus.client
        rooms = ClusterRooms(
            node_id=self.instance_id, grids=settings.world.grids, bus=self._bus,
            leases=LeaseKeeper(client, self.instance_id, ttl_ms),
            beacon=NodeBeacon(client, self.instance_id, ttl_ms),
            factory=factory, claim=lambda grid, epoch: claim_room(db_proxy, grid, epoch),
            fence_of=lambda grid: fence_epoch_of(db_proxy, grid),
            deliver_local=connections.submit,
            account=account, lease_s=settings.cluster.lease_s,
        )
        rooms_ref.append(rooms)
        await rooms.start()
        log.info("cluster node %s: owns %s", self.instance_id, ", ".join(rooms.owned_rooms()) or "no grid yet")
        return rooms, RedisLoginLimiter(client, clock=self.clock)

    def _listener(self, app, ssl_ctx) -> HTTPServer:
        """The HTTP server with descriptor-aware connection caps and request timeouts."""
        from chgrid.web.headers import resolve_csp, static_headers
        from chgrid.web.listener import GuardedHTTPServer

        net = self.settings.network
        before, soft, hard = raise_nofile_limit()
        total = net.max_connections or derived_max_connections(soft)
        per_ip = net.max_connections_per_ip
        log.info("descriptor limit: soft %s (was %s), hard %s; connection cap %d total, %s per IP",
                 _limit_text(soft), _limit_text(before), _limit_text(hard), total, per_ip or "no cap")
        if per_ip and net.trust_forwarded_for:
            # Behind a proxy every TCP peer is the proxy: a per-address cap would cap everyone.
            log.info("network.trust_forwarded_for is on: the per-IP connection cap is not applied")
            per_ip = 0
        csp = resolve_csp(self.settings.web.content_security_policy)
        return GuardedHTTPServer(
            app, ssl_options=ssl_ctx, max_body_size=net.max_message_bytes,
            idle_connection_timeout=net.http_header_timeout_s, body_timeout=net.http_body_timeout_s,
            max_connections=total, max_connections_per_ip=per_ip,
            refusal_headers=static_headers(csp, tls=False),
        )

    async def _poll_account_events(self) -> None:
        """Notice role and ban changes made by ``chgrid admin`` from another process."""
        from chgrid.actors.account import AUTHORITY_EVENT_KINDS
        from chgrid.web.admin_flow import push_authority
        from chgrid.web.bridge import ask

        after, skip = self._event_cursor.position()
        try:
            ids, events = await ask(self.ctx.account.events_after(after, self.origin, skip))
        except Exception:
            log.exception("account event poll failed")
            return
        # On PostgreSQL a row may commit after a higher id was read: the cursor keeps
        # asking for the ids it has not seen (for up to 10 s) instead of skipping them.
        self._event_cursor.advance(ids)
        # Only role, status and role-permission changes affect connected users; each is
        # recorded per account (a role deletion records every moved account).
        user_ids = sorted({e.user_id for e in events
                           if e.kind in AUTHORITY_EVENT_KINDS and e.user_id is not None})
        if user_ids:
            await push_authority(self.ctx, user_ids)

    async def _purge_tokens(self) -> None:
        from chgrid.web.bridge import ask

        try:
            await ask(self.ctx.account.purge_expired_tokens())
        except Exception:
            log.exception("token purge failed")

    def request_stop(self) -> None:
        self.stopping.set()

    async def stop(self) -> None:
        for periodic in self._periodic:
            periodic.stop()
        if self._http is not None:
            self._http.stop()
        if self.ctx is not None:
            for conn in self.ctx.connections.all():
                conn.close_with(SHUTDOWN_CODE, "Server shutting down.")
        if self.rooms is not None:  # rooms save positions and items while the database is open
            if self._bus is not None:
                await self.rooms.stop()
            else:
                self.rooms.stop()
        if self._bus is not None:
            await self._bus.stop()
        if self._account_ref is not None:
            self._account_ref.stop(timeout=30)
        if self.ctx is not None:
            self.ctx.hasher.shutdown()
        leftovers = pykka.ActorRegistry.get_all()
        if leftovers:
            log.error("actors still running after shutdown: %s", leftovers)
            pykka.ActorRegistry.stop_all()
        log.info("chgrid stopped")


def _limit_text(value: int) -> str:
    import resource

    return "unlimited" if value == resource.RLIM_INFINITY else str(value)


def _environ():
    import os

    return os.environ


async def serve(settings: Settings) -> int:
    server = ChgridServer(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_stop)
    try:
        await server.start()
    except OSError as err:
        log.error("cannot listen on %s:%s: %s", settings.server.host, settings.server.port, err)
        await server.stop()
        return 1
    await server.stopping.wait()
    log.info("shutting down")
    await server.stop()
    return 0


def run(settings: Settings) -> int:
    """Serve until SIGINT/SIGTERM (or /reboot); returns the process exit code."""
    return asyncio.run(serve(settings))
