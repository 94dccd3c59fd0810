"""The Tornado application: routes and settings.

The websocket answers an upgrade on any path (the reference client connects to ``/ws``
at the host root even when the page lives under a sub-path); the cookie helpers match
by path suffix; every other GET is a static file of the web root.
"""
from __future__ import annotations

from pathlib import Path

from tornado.routing import Matcher, PathMatches, Rule
from tornado.web import Application, HTTPError, StaticFileHandler

from chgrid.web.context import ServerContext
from chgrid.web.headers import resolve_csp, security_transform
from chgrid.web.http import HealthHandler, SessionCookieHandler
from chgrid.web.ws import GridSocket


class WebsocketUpgrade(Matcher):
    """Matches any request that asks for a websocket upgrade."""

    def match(self, request):
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return {}
        return None


class ClientFiles(StaticFileHandler):
    """The static client; revalidated on every load so a new version is picked up.

    A path no file could have (NUL or other control characters) is a 400 and one
    outside the web root a 404, so odd requests never reach the filesystem calls that
    would raise (``embedded null byte``) and answer 500 with a traceback.
    """

    def parse_url_path(self, url_path: str) -> str:
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url_path):
            raise HTTPError(400)
        return super().parse_url_path(url_path)

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        try:
            return super().get_absolute_path(root, path)
        except HTTPError as err:
            raise _not_found(err) from None
        except (ValueError, OSError):
            raise HTTPError(404) from None

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        try:
            return super().validate_absolute_path(root, absolute_path)
        except HTTPError as err:
            raise _not_found(err) from None
        except (ValueError, OSError):
            raise HTTPError(404) from None

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-cache")


def _not_found(err: HTTPError) -> HTTPError:
    """A 403 "not in root" tells a prober the path escaped the root: answer as for any
    missing file instead (and without Tornado's warning naming the path)."""
    return HTTPError(404) if err.status_code == 403 else err


def make_app(ctx: ServerContext, web_root: Path, health_token: str = "") -> Application:
    net = ctx.settings.network
    rules = [
        Rule(WebsocketUpgrade(), GridSocket, {"ctx": ctx}),
        Rule(PathMatches(r".*/auth/session/(set|clear|check)"), SessionCookieHandler, {"ctx": ctx}),
        Rule(PathMatches(r"/healthz"), HealthHandler, {"ctx": ctx, "token": health_token}),
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
        # Every answer, the default 404 and the websocket 101 included, passes here.
        transforms=[security_transform(resolve_csp(ctx.settings.web.content_security_policy), ctx.tls)],
    )
