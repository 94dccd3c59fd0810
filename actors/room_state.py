"""The state a room owns, and the only ways its components change it.

``RoomState`` holds the roster and the items. Components read it freely (on the room's
thread) but change it only through its methods, each of which records its undo in the
step's journal (``chgrid.actors.room_step``), so a failed step leaves it as it was.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chgrid.actors.room_step import StepJournal
from chgrid.identity import BrandingTable, Versions, server_info
from chgrid.items.model import ItemState
from chgrid.world.movement import MoveBudget


@dataclass
class WorldInfo:
    """Static facts every welcome carries.

    ``version`` is the 2026-02-28 ``serverInfo.version``; ``versions`` adds the v0.1.0
    version fields (derived from ``version`` alone when not given, as in unit tests) and
    ``branding`` each grid's name and welcome text.
    """

    grid_size: int
    instance_id: str
    version: str
    policy: dict
    started_monotonic: float
    versions: Versions | None = None
    branding: BrandingTable = field(default_factory=BrandingTable)

    def __post_init__(self) -> None:
        if self.versions is None:
            self.versions = Versions(legacy=self.version, server=self.version or "unknown")

    def server_info(self, grid: str) -> dict[str, str]:
        """``welcome.serverInfo`` for a room of ``grid``."""
        return server_info(self.instance_id, self.versions, self.branding.of(grid))


@dataclass
class Player:
    """One authenticated connection in the room.

    Fields are changed through :class:`RoomState` only; ``budget`` is the movement
    window's step count, charged by the movement rules (not undone by a failed step).
    """

    client_id: str
    user_id: int
    username: str
    nickname: str
    role: str
    permissions: frozenset[str]
    x: int
    y: int
    budget: MoveBudget

    def public(self) -> dict:
        """The presence fields of ``update_position``-style packets (no ``userId``)."""
        return {"id": self.client_id, "nickname": self.nickname, "x": self.x, "y": self.y}

    def presence(self) -> dict:
        """``welcome.player`` / ``welcome.users[]``: with ``userId`` (upstream-0.1.md §5.1;
        no other packet carries it)."""
        return {"id": self.client_id, "userId": str(self.user_id), "nickname": self.nickname,
                "x": self.x, "y": self.y}


class RoomState:
    """Players by client id and items by id, changed undoably."""

    def __init__(self, journal: StepJournal) -> None:
        self._journal = journal
        self._players: dict[str, Player] = {}
        self._items: dict[str, ItemState] = {}

    # -- reading ---------------------------------------------------------------------------

    @property
    def players(self) -> Mapping[str, Player]:
        return self._players

    @property
    def items(self) -> Mapping[str, ItemState]:
        return self._items

    def connected_user_ids(self) -> set[int]:
        return {p.user_id for p in self._players.values()}

    def players_of(self, user_id: int) -> list[Player]:
        return [p for p in self._players.values() if p.user_id == user_id]

    # -- players ---------------------------------------------------------------------------

    def add_player(self, player: Player) -> None:
        self._journal.put(self._players, player.client_id, player)

    def remove_player(self, client_id: str) -> Player | None:
        return self._journal.pop(self._players, client_id)

    def move(self, player: Player, x: int, y: int) -> None:
        journal = self._journal
        old_x, old_y = player.x, player.y
        player.x, player.y = x, y

        def restore() -> None:
            player.x, player.y = old_x, old_y

        journal.on_undo(restore)

    def rename(self, player: Player, nickname: str) -> None:
        self._journal.assign(player, "nickname", nickname)

    def set_authority(self, player: Player, role: str, permissions: frozenset[str]) -> None:
        self._journal.assign(player, "role", role)
        self._journal.assign(player, "permissions", permissions)

    # -- items -----------------------------------------------------------------------------

    def load_items(self, items: Iterable[ItemState]) -> None:
        for item in items:
            self._journal.put(self._items, item.id, item)

    def put_item(self, item: ItemState) -> ItemState | None:
        """Keep ``item`` (replacing the state with its id); the previous state is returned."""
        previous = self._items.get(item.id)
        self._journal.put(self._items, item.id, item)
        return previous

    def remove_item(self, item_id: str) -> ItemState | None:
        return self._journal.pop(self._items, item_id)
