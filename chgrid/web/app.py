"""The Tornado application: routes and settings.

The websocket answers an upgrade on any path (the reference client connects to ``/ws``
at the host root even when the page lives under a sub-path); the cookie helpers match
by path suffix; every other GET is a static file of the web root.
"""
from __future__ import annotations

from pathlib import Path

from tornado.routing import Matcher, PathMatches, Rule
from tornado.web import Application, StaticFileHandler

from chgrid.web.context import ServerContext
from chgrid.web.http import HealthHandler, SessionCookieHandler
from chgrid.web.ws import GridSocket


class WebsocketUpgrade(Matcher):
    """Matches any request that asks for a websocket upgrade."""

    def match(self, request):
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return {}
        return None


class ClientFiles(StaticFileHandler):
    """The static client; revalidated on every load so a new version is picked up."""

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-cache")


def make_app(ctx: ServerContext, web_root: Path) -> Application:
    net = ctx.settings.network
    rules = [
        Rule(WebsocketUpgrade(), GridSocket, {"ctx": ctx}),
        Rule(PathMatches(r".*/auth/session/(set|clear|check)"), SessionCookieHandler, {"ctx": ctx}),
        Rule(PathMatches(r"/healthz"), HealthHandler, {"ctx": ctx}),
        Rule(PathMatches(r"/ws"), GridSocket, {"ctx": ctx}),
        Rule(
            PathMatches(r"/(.*)"),
            ClientFiles,
            {"path": str(web_root), "default_filename": "index.html"},
        ),
    ]
    return Application(
        rules,
        websocket_max_message_size=net.max_message_bytes,
        websocket_ping_interval=net.ping_interval_s,
        websocket_ping_timeout=net.ping_timeout_s,
        compress_response=False,
    )
