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
        self._room_refs: list = []
        self._item_stores: list = []  # closed after the rooms stop, before the database
        self._http: HTTPServer | None = None
        self._periodic: list[PeriodicCallback] = []
        self._last_event_id = 0
        self.ctx = None
        self.port = settings.server.port  # the bound port once started (differs with --port 0)

    async def start(self) -> None:
        from chgrid.actors.account import AccountActor
        from chgrid.actors.account_proxy import AccountProxy
        from chgrid.actors.item_plugin import StatefulPlugins
        from chgrid.actors.room import RoomActor, RoomProxy, WorldInfo
        from chgrid.auth.passwords import PasswordHasher
        from chgrid.auth.policy import AuthPolicy
        from chgrid.auth.ratelimit import AuthRateLimiter
        from chgrid.preflight import resolve_client_version, resolve_web_root
        from chgrid.db.database import database_url_for
        from chgrid.items.registry import default_registry
        from chgrid.items.store import ItemStore
        from chgrid.web.app import make_app
        from chgrid.web.connections import ConnectionRegistry
        from chgrid.web.context import ServerContext
        from chgrid.web.outbox import Outbox

        settings = self.settings
        io_loop = IOLoop.current()
        web_root = Path(settings.web.root) if settings.web.root else resolve_web_root(settings)
        version = resolve_client_version(web_root, __version__, not settings.web.root, _environ())
        policy = AuthPolicy.from_settings(settings.auth)

        self._account_ref = AccountActor.start(
            database_url_for(settings), settings.auth_secret, self.clock, settings.auth,
            origin=self.origin,
        )
        account = cast(AccountProxy, self._account_ref.proxy())
        self._last_event_id = account.latest_event_id().get(timeout=60)

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
        )

        def scheduler(delay_s, callback):
            io_loop.add_callback(io_loop.call_later, delay_s, callback)

        plugins = StatefulPlugins.discover(registry, settings)
        rooms = {}
        for name in settings.world.grids:
            outbox = Outbox(connections.submit)
            store = ItemStore(registry=registry, grid=name, lock_wait_s=settings.storage.commit_wait_s)
            self._item_stores.append(store)
            ref = RoomActor.start(
                name, world, account, outbox, self.clock, scheduler,
                item_registry=registry,
                item_store=store, plugins=plugins,
                on_reboot=self.request_stop,
                limits=settings.limits, commit_wait_s=settings.storage.commit_wait_s,
            )
            room = cast(RoomProxy, ref.proxy())
            room.snapshot().get(timeout=60)  # barrier: the room has loaded
            self._room_refs.append(ref)
            rooms[name] = room

        self.ctx = ServerContext(
            settings=settings, account=account, rooms=rooms, default_room=settings.world.grids[0],
            hasher=hasher, limiter=AuthRateLimiter(self.clock), policy=policy,
            connections=connections, clock=self.clock, instance_id=self.instance_id,
            version=version, started_monotonic=world.started_monotonic,
            tls=bool(settings.tls.cert_file), dummy_hash=dummy_hash,
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
        sockets = bind_sockets(settings.server.port, settings.server.host)
        self._http.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]
        log.info("chgrid %s serving the client in %s (version %s)", __version__, web_root, version)
        for line in address_lines(settings.server.host, self.port, tls=ssl_ctx is not None):
            log.info("%s", line)
        log.info("%s", data_line(settings))
        if not await ask(account.active_admin_exists()):
            log.info("%s", first_admin_line(settings, program_words(sys.argv[0], sys.executable, shutil.which)))
        self._periodic = [
            PeriodicCallback(self._poll_account_events, EVENT_POLL_INTERVAL_MS),
            PeriodicCallback(self._purge_tokens, TOKEN_PURGE_INTERVAL_MS),
        ]
        for periodic in self._periodic:
            periodic.start()
        # Everything built so far (modules, schemas, actors) lives as long as the
        # process: freezing it keeps full garbage collections, which stop every thread,
        # from rescanning it while players are connected.
        gc.collect()
        gc.freeze()

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

        try:
            last, events = await ask(self.ctx.account.events_after(self._last_event_id, self.origin))
        except Exception:
            log.exception("account event poll failed")
            return
        self._last_event_id = last
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
        for ref in reversed(self._room_refs):
            ref.stop(timeout=30)
        for store in self._item_stores:  # queued item writes, while the database is open
            store.close(timeout_s=10)
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
