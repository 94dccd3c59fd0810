"""The transport interface between the web layer and the rooms."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from chgrid.auth.records import AuthGrant


class RoomPort(Protocol):
    """One grid's room as a gateway sees it: every call is told, never waited for."""

    def join(self, client_id: str, grant: AuthGrant) -> None:
        """An authenticated connection enters the grid."""

    def leave(self, client_id: str) -> None:
        """The connection closed (any cause). Safe to repeat."""

    def handle(self, client_id: str, packet_type: str, data: dict[str, Any]) -> None:
        """One validated world packet of the connection."""


class RoomDirectory(Protocol):
    """The rooms of this world, looked up by grid name."""

    default_grid: str

    def room(self, grid: str) -> RoomPort:
        """The port of ``grid``'s room (KeyError for a grid this world does not have)."""

    async def push_authority(self, user_ids: Iterable[int]) -> None:
        """Re-read these accounts' role, permissions and status and apply them in every
        room, on every node. Returns once the rooms this node owns have applied them."""

    def owned_rooms(self) -> dict[str, Any]:
        """grid → RoomProxy of the rooms running in this process now (diagnostics)."""
