"""Plain HTTP endpoints: the login-cookie helpers (auth.md §8, upstream-0.1.md §10.4-10.5)
and ``/healthz``."""
from __future__ import annotations

import hmac
import json
import logging

from tornado.web import RequestHandler

from chgrid import __version__
from chgrid.web import origins
from chgrid.web.cookie_renewal import COOKIE_MAX_AGE, cookie_token, session_cookie
from chgrid.web.bridge import ask
from chgrid.web.context import ServerContext
from chgrid.web.sites import GridSite, root_site

log = logging.getLogger(__name__)

CLIENT_HEADER = "X-Chgrid-Auth-Client"
COOKIE_IDENTITY = "cookie"
# The operator token that unlocks /healthz figures: a secret, so environment only, never logged.
HEALTH_TOKEN_ENV = "CHGRID_HEALTH_TOKEN"


class SessionCookieHandler(RequestHandler):
    """``GET <base>auth/session/(set|clear|check)`` of one base path (``site``): its
    cookie name and ``Path``. At the host root it also answers any path ending so (the
    2026-02-28 client under a sub-path of a root-only server)."""

    def initialize(self, ctx: ServerContext, site: GridSite | None = None) -> None:
        self.ctx = ctx
        self.site = site or root_site(ctx.rooms.default_grid)

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")

    def _cookie(self, value: str, max_age: int) -> str:
        return session_cookie(value, max_age, self.ctx.tls, self.request.headers,
                              self.site.cookie_name, self.site.base)

    def _reply(self, status: int, body: str) -> None:
        self.set_status(status)
        self.finish(body)

    async def get(self, action: str) -> None:
        # The order of upstream-0.1.md §10.4: the client header, then the origin.
        if self.request.headers.get(CLIENT_HEADER, "").strip() != "1":
            self._reply(400, "missing client header")
            return
        if not origins.request_trusted(self.request, self.ctx.settings.network):
            self._reply(403, "origin not allowed")  # a same-site page of another origin
            return
        if action == "clear":
            self.set_header("Set-Cookie", self._cookie("", 0))
            self._reply(200, "cleared")
            return
        if action == "set":
            auth = self.request.headers.get("Authorization", "")
            token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
            if not token:
                self._reply(400, "missing bearer token")
                return
        else:
            token = cookie_token(self.request.headers.get("Cookie"), self.site.cookie_name)
            if not token:
                self._reply(401, "missing session")
                return
        if not await self._resume(token):
            self._reply(401, "invalid session")
            return
        if action == "set":
            self.set_header("Set-Cookie", self._cookie(token, COOKIE_MAX_AGE))
            self._reply(200, "ok")
        else:
            self.set_status(204)
            self.finish()

    async def _resume(self, token: str) -> bool:
        # The same address the websocket's login attempts count against (auth.md §8.3).
        limiter = self.ctx.limiter
        ip = origins.client_address(self.request, self.ctx.settings.network)
        if len(token) > 512 or await limiter.is_limited(ip, COOKIE_IDENTITY):
            return False
        try:
            result = await ask(self.ctx.account.resume(token))
        except Exception:
            log.exception("cookie resume failed")
            result = "error"
        if isinstance(result, str):
            await limiter.record_failure(ip, COOKIE_IDENTITY)
            return False
        return True


def bearer_matches(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header is ``Bearer <token>``; constant-time, and
    never true when no token is configured."""
    if not token or not header or header[:7].lower() != "bearer ":
        return False
    return hmac.compare_digest(header[7:].strip().encode("utf-8", "replace"), token.encode("utf-8"))


class HealthHandler(RequestHandler):
    """``GET /healthz``: liveness for anyone; a few figures for the operator's token.

    Version, uptime and the number of players help someone probing the server, so they
    are only told to a request carrying ``Authorization: Bearer $CHGRID_HEALTH_TOKEN``.
    """

    def initialize(self, ctx: ServerContext, token: str = "") -> None:
        self.ctx = ctx
        self.token = token

    def get(self) -> None:
        ctx = self.ctx
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        if not bearer_matches(self.request.headers.get("Authorization"), self.token):
            self.finish(json.dumps({"status": "ok"}))
            return
        body = {
            "status": "ok",
            "version": __version__,
            "clientVersion": ctx.version,
            "instanceId": ctx.instance_id,
            "uptimeSeconds": round(ctx.clock.monotonic() - ctx.started_monotonic, 3),
            "connectedUsers": ctx.connections.authenticated_count(),
            "ownedGrids": sorted(ctx.rooms.owned_rooms()),  # in a cluster: the rooms run here
        }
        self.finish(json.dumps(body))
