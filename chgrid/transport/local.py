"""The single-process directory: every grid's room is an actor of this process."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chgrid.auth.records import STATUS_DELETED
from chgrid.transport.factory import RoomFactory, RunningRoom
from chgrid.transport.ports import RoomPort
from chgrid.web.bridge import ask
from chgrid.web.outbox import Deliver


class LocalRooms:
    """All rooms in this process, delivering straight to this process's sockets."""

    def __init__(self, factory: RoomFactory, grids: Iterable[str], sink: Deliver, account: Any) -> None:
        self._factory = factory
        self._grids = tuple(grids)
        self.default_grid = self._grids[0]
        self._sink = sink
        self._account = account
        self._running: dict[str, RunningRoom] = {}

    def start(self) -> None:
        """Start every room (blocking: each loads its items first)."""
        for grid in self._grids:
            self._running[grid] = self._factory.start(grid, self._sink)

    def stop(self) -> None:
        for grid in reversed(self._grids):
            room = self._running.pop(grid, None)
            if room is not None:
                room.stop()

    def room(self, grid: str) -> RoomPort:
        return self._running[grid].proxy

    def owned_rooms(self) -> dict[str, Any]:
        return {grid: room.proxy for grid, room in self._running.items()}

    async def push_authority(self, user_ids: Iterable[int]) -> None:
        await apply_authority(self._account, self.owned_rooms().values(), user_ids)


async def apply_authority(account: Any, rooms: Iterable[Any], user_ids: Iterable[int]) -> None:
    """Re-read each account's role, permissions and status and tell each room, waiting
    for each: the target's packets and close are queued on the loop before the caller
    answers (permissions.md §4.7)."""
    rooms = list(rooms)
    for user_id in user_ids:
        authority = await ask(account.authority(user_id))
        # No answer means no account: the rooms close its connections as deleted.
        role, permissions, status = ("", (), STATUS_DELETED) if authority is None else (
            authority.role, tuple(authority.permissions), authority.status)
        for room in rooms:
            await ask(room.apply_authority(user_id, role, permissions, status))
