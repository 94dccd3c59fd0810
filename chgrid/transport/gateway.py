"""The gateway's side: this node's seated connections per grid, and their ports.

A gateway remembers, for each connection it has seated, the grant it joined with and
(from its room owner's presence messages) where the player stands and what they are
called, so that when a grid's room moves to another node every connection can be
re-seated quietly where it was.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from chgrid.transport.ports import RoomPort
from chgrid.web.outbox import Op, Send


POSITION_PREFIX = '{"type":"update_position"'
NICKNAME_PREFIX = '{"type":"nickname_result"'


class Seats:
    """grid → client id → grant, plus the last known presence of each client.

    Presence comes from two places: the owner's periodic presence messages, and the
    frames this gateway delivers (a player's own ``update_position`` and accepted
    ``nickname_result``), so a re-seat right after a move still puts the player where
    it last stood.
    """

    def __init__(self) -> None:
        self._by_grid: dict[str, dict[str, Any]] = {}
        self._presence: dict[str, dict[str, Any]] = {}  # client id → {x, y, nickname}
        self._grid_of: dict[str, str] = {}

    def add(self, grid: str, client_id: str, grant: Any) -> None:
        self._by_grid.setdefault(grid, {})[client_id] = grant
        self._grid_of[client_id] = grid

    def remove(self, grid: str, client_id: str) -> bool:
        self._presence.pop(client_id, None)
        self._grid_of.pop(client_id, None)
        return self._by_grid.get(grid, {}).pop(client_id, None) is not None

    def update_presence(self, presence: dict[str, tuple[int, int, str]]) -> None:
        for cid, (x, y, nickname) in presence.items():
            if cid in self._grid_of:
                self._presence[cid] = {"x": x, "y": y, "nickname": nickname}

    def observe(self, ops: list[Op]) -> None:
        """Note what delivered frames say about this gateway's own players."""
        for op in ops:
            if not isinstance(op, Send):
                continue
            frame = op.frame
            if frame.startswith(POSITION_PREFIX):
                packet = json.loads(frame)
                cid = packet.get("id")
                if cid in self._grid_of:
                    self._presence.setdefault(cid, {}).update(x=packet["x"], y=packet["y"])
            elif frame.startswith(NICKNAME_PREFIX) and len(op.client_ids) == 1:
                cid = op.client_ids[0]
                packet = json.loads(frame)
                if packet.get("accepted") and cid in self._grid_of:
                    self._presence.setdefault(cid, {})["nickname"] = packet["effectiveNickname"]

    def reseat_grants(self, grid: str) -> list[tuple[str, Any]]:
        """Each seated connection of ``grid`` with its grant brought up to date."""
        out = []
        for cid, grant in self._by_grid.get(grid, {}).items():
            known = self._presence.get(cid)
            if known:
                grant = dataclasses.replace(
                    grant, last_x=known.get("x", grant.last_x), last_y=known.get("y", grant.last_y),
                    nickname=known.get("nickname", grant.nickname))
            out.append((cid, grant))
        return out

    def count(self) -> int:
        return len(self._grid_of)


class GatewayPort(RoomPort):
    """A grid's port on a cluster node: records seats, lets the router pick the path."""

    def __init__(self, grid: str, seats: Seats, route: Callable[..., None]) -> None:
        self._grid = grid
        self._seats = seats
        self._route = route

    def join(self, client_id: str, grant: Any) -> None:
        self._seats.add(self._grid, client_id, grant)
        self._route("join", self._grid, client_id, grant, False)

    def leave(self, client_id: str) -> None:
        if self._seats.remove(self._grid, client_id):
            self._route("leave", self._grid, client_id)

    def handle(self, client_id: str, packet_type: str, data: dict[str, Any]) -> None:
        self._route("handle", self._grid, client_id, packet_type, data)
