"""``GET <base>client_branding.json``: a grid's name and welcome text (upstream-0.1.md §3).

The v0.1.0 client fetches it at page load (``cache: no-store``) to show the branding
before it connects. Upstream writes it as a static file at deploy time; chgrid answers
it from the configuration, one per base path, so every grid shows its own name.
"""
from __future__ import annotations

import json

from tornado.web import RequestHandler

from chgrid.identity import BrandingTable
from chgrid.web.context import ServerContext
from chgrid.web.sites import GridSite, root_site


class BrandingHandler(RequestHandler):
    """``{"gridName", "welcomeMessage"}`` of the ``site``'s grid, never cached."""

    def initialize(self, ctx: ServerContext, site: GridSite | None = None) -> None:
        self.ctx = ctx
        self.site = site or root_site(ctx.rooms.default_grid)

    def get(self) -> None:
        branding = BrandingTable.from_settings(self.ctx.settings).of(self.site.grid)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(branding.as_wire(), ensure_ascii=False))

