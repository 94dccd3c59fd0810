"""What a grid says about itself before and at login: versions and branding.

Pure data and wire helpers (upstream-0.1.md §2–§4, §27.4), shared by the web layer
(``auth_required``, ``client_branding.json``) and the room (``welcome.serverInfo``,
``/version``), so the two always say the same thing.

Two version schemes travel side by side: ``legacy`` is the 2026-02-28
``serverInfo.version`` (the old client reloads when it differs from its
``CHGRID_WEB_VERSION``), and ``release``/``client_revision``/``server`` are the v0.1.0
fields (the new client reloads only when ``expectedClientRevision`` differs from its
``CHGRID_CLIENT_REVISION``). Both are read from the client actually served, so neither
client reloads in a loop.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# The revision of this server's protocol implementation (upstream has "S350"). Bumped
# when the wire the server speaks changes; it is the second word of ``serverVersion``.
SERVER_REVISION = "S13"

DEFAULT_GRID_NAME = "Chat Grid"
DEFAULT_WELCOME_MESSAGE = (
    "Welcome to the Chat Grid, your immersive audio playground. "
    "Configure your audio, then Log in or register to join the grid."
)


def compose_server_version(release: str, revision: str = SERVER_REVISION, override: str | None = None) -> str:
    """``serverVersion`` (upstream-0.1.md §2.1): the override when non-blank, else
    "{release} {revision}", the non-empty parts only, "unknown" when both are empty."""
    if override and override.strip():
        return override.strip()
    return " ".join(part for part in (release.strip(), revision.strip()) if part) or "unknown"


@dataclass(frozen=True)
class Versions:
    """Every version string the server reports."""

    legacy: str  # serverInfo.version (world.md §12)
    release: str = ""  # releaseVersion, may be ""
    client_revision: str = ""  # expectedClientRevision, may be ""
    server: str = ""  # serverVersion, never empty on the wire

    @property
    def server_version(self) -> str:
        return self.server or compose_server_version(self.release)


@dataclass(frozen=True)
class Branding:
    """A grid's display name and welcome text (upstream-0.1.md §3)."""

    grid_name: str = DEFAULT_GRID_NAME
    welcome_message: str = DEFAULT_WELCOME_MESSAGE

    @classmethod
    def of(cls, grid_name: str | None, welcome_message: str | None,
           fallback: Branding | None = None) -> Branding:
        """Trimmed values; a blank or missing one takes ``fallback``'s (else the default)."""
        base = fallback or cls()
        name = (grid_name or "").strip() or base.grid_name
        welcome = (welcome_message or "").strip() or base.welcome_message
        return cls(name, welcome)

    def as_wire(self) -> dict[str, str]:
        """The ``client_branding.json`` body; also the two fields of the packets."""
        return {"gridName": self.grid_name, "welcomeMessage": self.welcome_message}


def branding_for(server_name: str, server_welcome: str,
                 per_grid: Mapping[str, Mapping[str, str]], grid: str) -> Branding:
    """A grid's branding: its ``world.branding`` entry over ``server.*`` over the defaults."""
    base = Branding.of(server_name, server_welcome)
    entry = per_grid.get(grid) or {}
    return Branding.of(entry.get("grid_name"), entry.get("welcome_message"), base)


def auth_required_extras(versions: Versions, branding: Branding) -> dict[str, str]:
    """The v0.1.0 fields of ``auth_required`` in wire order (upstream-0.1.md §4): the
    two version strings only when non-empty, ``serverVersion`` always."""
    extras = branding.as_wire()
    if versions.release:
        extras["releaseVersion"] = versions.release
    if versions.client_revision:
        extras["expectedClientRevision"] = versions.client_revision
    extras["serverVersion"] = versions.server_version
    return extras


def server_info(instance_id: str, versions: Versions, branding: Branding) -> dict[str, str]:
    """``welcome.serverInfo``: the 2026-02-28 pair plus the six v0.1.0 fields (§5.2)."""
    return {
        "instanceId": instance_id,
        "version": versions.legacy,
        "releaseVersion": versions.release,
        "serverVersion": versions.server_version,
        "expectedClientRevision": versions.client_revision,
        "gridName": branding.grid_name,
        "welcomeMessage": branding.welcome_message,
    }



@dataclass(frozen=True)
class BrandingTable:
    """Every grid's branding: ``server.grid_name``/``welcome_message`` and the
    ``world.branding`` overrides, resolved per grid with :func:`branding_for`."""

    grid_name: str = DEFAULT_GRID_NAME
    welcome_message: str = DEFAULT_WELCOME_MESSAGE
    per_grid: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings) -> BrandingTable:
        """From a ``chgrid.settings.Settings`` (duck-typed: settings imports this module)."""
        return cls(settings.server.grid_name, settings.server.welcome_message,
                   {grid: dict(entry) for grid, entry in settings.world.branding.items()})

    def of(self, grid: str) -> Branding:
        return branding_for(self.grid_name, self.welcome_message, self.per_grid, grid)
