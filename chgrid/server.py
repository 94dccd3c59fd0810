"""Start-up and shutdown of a chgrid server process.

Start in dependency order with a cheap call as a barrier after each actor (accounts,
then rooms), then listen. Stop in reverse: stop listening, close sockets, stop rooms
(which save positions and items), stop the account actor (which closes the database).
"""
from __future__ import annotations

import asyncio
import gc
import logging
import signal
import ssl
import uuid
from pathlib import Path

import pykka
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop, PeriodicCallback

from chgrid.web.limits import derived_max_connections, raise_nofile_limit

from chgrid import __version__
from chgrid.settings import Settings
from chgrid.timing import SystemClock

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
        self._http: HTTPServer | None = None
        self._periodic: list[PeriodicCallback] = []
        self._last_event_id = 0
        self.ctx = None

    async def start(self) -> None:
        from chgrid.actors.account import AccountActor
        from chgrid.actors.room import RoomActor, WorldInfo
        from chgrid.auth.passwords import PasswordHasher
        from chgrid.auth.policy import AuthPolicy
        from chgrid.auth.ratelimit import AuthRateLimiter
        from chgrid.config import resolve_client_version, resolve_web_root
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
        account = self._account_ref.proxy()
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

        rooms = {}
        for name in settings.world.grids:
            outbox = Outbox(connections.submit)
            ref = RoomActor.start(
                name, world, account, outbox, self.clock, scheduler,
                item_registry=registry,
                item_store=ItemStore(registry=registry, grid=name,
                                     lock_wait_s=settings.storage.commit_wait_s),
                on_reboot=self.request_stop, radio_settings=settings.radio,
                limits=settings.limits, commit_wait_s=settings.storage.commit_wait_s,
            )
            ref.proxy().roster().get(timeout=60)  # barrier: the room has loaded
            self._room_refs.append(ref)
            rooms[name] = ref.proxy()

        self.ctx = ServerContext(
            settings=settings, account=account, rooms=rooms, default_room=settings.world.grids[0],
            hasher=hasher, limiter=AuthRateLimiter(self.clock), policy=policy,
            connections=connections, clock=self.clock, instance_id=self.instance_id,
            version=version, started_monotonic=world.started_monotonic,
            tls=bool(settings.tls.cert_file), dummy_hash=dummy_hash,
        )
        from chgrid.web.http import HEALTH_TOKEN_ENV

        app = make_app(self.ctx, web_root, health_token=(_environ().get(HEALTH_TOKEN_ENV) or "").strip())
        ssl_ctx = None
        if settings.tls.cert_file:
            ssl_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ssl_ctx.load_cert_chain(settings.tls.cert_file, settings.tls.key_file)
        self._http = self._listener(app, ssl_ctx)
        self._http.listen(settings.server.port, settings.server.host)
        scheme = "wss" if ssl_ctx else "ws"
        log.info(
            "chgrid %s serving %s on %s://%s:%d/ws (client version %s)",
            __version__, web_root, scheme, settings.server.host, settings.server.port, version,
        )
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
