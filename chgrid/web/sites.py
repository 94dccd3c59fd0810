"""Where each grid is served on the host: its base path and its cookie (issue 13).

One process serves every grid of ``world.grids``: grid ``NAME`` lives under ``/NAME/``
(its websocket ``/NAME/ws``, cookie helpers ``/NAME/auth/session/*``, the static client
and ``client_branding.json``), and the host root ``/`` serves the default grid (the first
one) as it always has. A :class:`GridSite` is one of those places; every per-grid
handler receives its site (``site=`` in ``initialize``) and takes the grid, the cookie
name and the cookie path from it, never from the request path.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from chgrid.config import ConfigError
from chgrid.web.cookie_renewal import cookie_name_for


@dataclass(frozen=True)
class GridSite:
    """One base path: the grid played there, the base (``/`` or ``/NAME/``) and the name
    of the session cookie scoped to it (``Path=<base>``)."""

    grid: str
    base: str

    @property
    def cookie_name(self) -> str:
        return cookie_name_for(self.base)

    @property
    def is_root(self) -> bool:
        return self.base == "/"


def root_site(default_grid: str) -> GridSite:
    """The host root: the default grid, cookie ``chgrid_session_token`` on ``Path=/``."""
    return GridSite(default_grid, "/")


def grid_sites(grids: Iterable[str]) -> list[GridSite]:
    """Every grid under ``/NAME/`` (the default grid too: ``/main/`` is also main)."""
    return [GridSite(grid, f"/{grid}/") for grid in grids]


def web_root_clashes(grids: Iterable[str], web_root: Path) -> list[str]:
    """Grid names that are also top-level entries of the web root (``js``, ``sounds``,
    ``index.html``...): the grid's prefix would hide the root client's own files."""
    try:
        entries = {entry.name for entry in web_root.iterdir()}
    except OSError:
        return []
    return [grid for grid in grids if grid in entries]


def check_base_paths(grids: Iterable[str], web_root: Path) -> None:
    """Refuse (``ConfigError``) grid names that clash with the web root's own files."""
    clashes = web_root_clashes(grids, web_root)
    if clashes:
        raise ConfigError(
            f"world.grids: {', '.join(clashes)} is also a file or folder of the web root {web_root}; "
            "a grid is served under /NAME/, which would hide it: rename the grid")
