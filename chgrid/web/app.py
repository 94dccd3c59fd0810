"""The Tornado application: routes and settings.

Every grid of ``world.grids`` is served under its base path ``/NAME/``
(:mod:`chgrid.web.sites`): the routes of :func:`site_routes`, then the static client of
the same web root; a websocket upgrade to any other path under ``/NAME/`` is a 404, and
``/NAME`` redirects to ``/NAME/`` so the client's relative URLs resolve.

The host root serves the default grid as before issue 13: its routes of
:func:`site_routes` at ``/``, then the websocket on an upgrade to any path outside the
grid prefixes (the 2026-02-28 client connects to ``/ws`` at the host root even when its
page lives under a sub-path), the cookie helpers by path suffix, and every other GET a
static file of the web root.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tornado.routing import Matcher, PathMatches, Rule
from tornado.web import Application, HTTPError, RedirectHandler, RequestHandler, StaticFileHandler

from chgrid.web.branding import BrandingHandler
from chgrid.web.context import ServerContext
from chgrid.web.headers import resolve_csp, security_transform
from chgrid.web.http import HealthHandler, SessionCookieHandler
from chgrid.web.media_proxy import MediaProxyHandler
from chgrid.web.sites import GridSite, check_base_paths, grid_sites, root_site
from chgrid.web.ws import GridSocket


class WebsocketUpgrade(Matcher):
    """Matches any request that asks for a websocket upgrade."""

    def match(self, request):
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return {}
        return None


class UpgradeUnder(Matcher):
    """A websocket upgrade to a path under one of ``bases`` (``inside``) or under none."""

    def __init__(self, bases: list[str], inside: bool = True) -> None:
        self.bases = tuple(bases)
        self.inside = inside

    def match(self, request):
        if WebsocketUpgrade().match(request) is None:
            return None
        return {} if request.path.startswith(self.bases) == self.inside else None


class NotFound(RequestHandler):
    """``404 not found`` in plain text (upstream-0.1.md §10.2), for every method."""

    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish("not found")


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


def site_routes(ctx: ServerContext, site: GridSite) -> list[tuple[str, type, dict[str, Any]]]:
    """The handlers of one base path: (path pattern after the base, handler, kwargs).

    Mounted at ``/`` for the default grid and under ``/NAME/`` for every grid. A handler
    added here gets ``ctx`` and ``site`` (its grid, cookie name and cookie path) in its
    ``initialize``; add a route with one line.
    """
    kwargs = {"ctx": ctx, "site": site}
    return [
        ("ws", GridSocket, kwargs),
        ("auth/session/(set|clear|check)", SessionCookieHandler, kwargs),
        ("media_proxy\\.php", MediaProxyHandler, kwargs),
        ("client_branding\\.json", BrandingHandler, kwargs),
    ]


def _mounted(ctx: ServerContext, site: GridSite) -> list[Rule]:
    prefix = re.escape(site.base)
    return [Rule(PathMatches(prefix + pattern), handler, kwargs)
            for pattern, handler, kwargs in site_routes(ctx, site)]


def make_app(ctx: ServerContext, web_root: Path, health_token: str = "") -> Application:
    net = ctx.settings.network
    grids = ctx.settings.world.grids
    check_base_paths(grids, web_root)
    files = {"path": str(web_root), "default_filename": "index.html"}
    root = root_site(ctx.rooms.default_grid)
    root_kwargs = {"ctx": ctx, "site": root}
    sites = grid_sites(grids)
    # The root's socket on any upgrade outside the grid prefixes, as before; then exact
    # root paths, so no grid prefix /NAME/ can shadow them.
    rules = [
        Rule(UpgradeUnder([site.base for site in sites], inside=False), GridSocket, root_kwargs),
        Rule(PathMatches(r"/healthz"), HealthHandler, {"ctx": ctx, "token": health_token}),
    ]
    rules += _mounted(ctx, root)
    for site in sites:
        rules += _mounted(ctx, site)
        rules += [
            Rule(UpgradeUnder([site.base]), NotFound),
            Rule(PathMatches(re.escape(site.base[:-1])), RedirectHandler, {"url": site.base}),
            Rule(PathMatches(re.escape(site.base) + r"(.*)"), ClientFiles, files),
        ]
    # The host root as before: its cookie helpers by suffix, the static client.
    rules += [
        Rule(PathMatches(r".*/auth/session/(set|clear|check)"), SessionCookieHandler, root_kwargs),
        Rule(PathMatches(r"/(.*)"), ClientFiles, files),
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
