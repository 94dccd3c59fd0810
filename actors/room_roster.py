"""The room's roster: joining, leaving, walking, teleporting, nicknames and authority.

``Roster`` keeps who is in the room (in ``RoomState``) and answers the packets that move
or rename a player. An acknowledged account change is committed before anything else
happens: a nickname or a teleport waits (bounded by ``commit_wait_s``) for the
AccountActor's save, then changes memory, then stages frames; a failed save is answered
to the sender only. Walking positions are saved throttled (world.md §11) and told, not
awaited: nobody acknowledges them.

Leaving never fails: the player is off the roster first, each later part of the
disconnect sequence (protocol.md §3.6) runs as its own savepoint, and ``user_left`` goes
out whatever happened to the position save, the item drop or a plug-in's clean-up, so
no ghost avatar stays behind.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from chgrid.actors.account_proxy import AccountProxy
from chgrid.actors.room_context import RoomContext
from chgrid.actors.room_routes import Charge, Route
from chgrid.actors.room_state import Player
from chgrid.auth.messages import ACCOUNT_DELETED
from chgrid.auth.records import STATUS_DELETED
from chgrid.permissions import admin_menu_actions, sorted_permissions
from chgrid.ui_metadata import with_ui_metadata
from chgrid.world.flood import ACTIONS_LIMITED, Admission
from chgrid.world.movement import (
    MAX_STEPS_PER_TICK,
    MOVEMENT_TICK_MS,
    MoveBudget,
    in_bounds,
    try_step,
    window_of,
)
from chgrid.world.nicknames import NOT_SAVED, decide_nickname

log = logging.getLogger(__name__)

POSITION_SAVE_INTERVAL_MS = 5000
DISABLED_MESSAGE = "Account is disabled."
# How long an acknowledged account change (nickname, teleport) may wait for its commit
# (settings.storage.commit_wait_s); the answer is awaited a little longer, since the
# AccountActor itself gives up at the deadline.
DEFAULT_COMMIT_WAIT_S = 0.5
COMMIT_GRACE_S = 0.25
FLUSH_WAIT_S = 10.0

LeaveHook = tuple[str, Callable[[Player], None]]
"""A named part of the disconnect sequence, run after the player is off the roster."""


class JoinGrant(Protocol):
    """What the AccountActor's login answer tells the room about the joining account."""

    user_id: int
    username: str
    nickname: str
    role: str
    permissions: Iterable[str]
    last_x: int | None
    last_y: int | None


class RosterItems(Protocol):
    """What the roster needs of the room's items."""

    def welcome_items(self) -> list[dict[str, Any]]: ...

    def ui_definitions(self, admin_actions: list[dict[str, str]]) -> dict[str, Any]: ...

    def player_moved(self, player: Player) -> None: ...


class Roster:
    """Presence and movement of one room (room thread only)."""

    def __init__(self, ctx: RoomContext, account: AccountProxy, items: RosterItems,
                 leave_hooks: Sequence[LeaveHook], commit_wait_s: float = DEFAULT_COMMIT_WAIT_S) -> None:
        self._ctx = ctx
        self._account = account
        self._items = items
        self._leave_hooks = tuple(leave_hooks)
        self._commit_wait_s = commit_wait_s
        # A throttle, like the movement budget: what was told to the database stays told.
        self._last_position_save: dict[int, int] = {}

    def routes(self) -> dict[str, Route]:
        return {
            "update_position": Route(self._on_update_position),
            "teleport_complete": Route(self._on_teleport_complete, Charge.ACTION, self._refuse_teleport),
            "update_nickname": Route(self._on_update_nickname, Charge.ACTION, self._refuse_nickname),
        }

    # -- presence -------------------------------------------------------------------------

    def join(self, client_id: str, grant: JoinGrant, quiet: bool = False) -> None:
        ctx = self._ctx
        if client_id in ctx.state.players:
            return  # already here (a repeated join after the room moved nodes)
        size = ctx.world.grid_size
        if grant.last_x is not None and grant.last_y is not None and in_bounds(grant.last_x, grant.last_y, size):
            x, y = grant.last_x, grant.last_y
        else:
            x, y = ctx.rng.randrange(size), ctx.rng.randrange(size)
        player = Player(
            client_id=client_id, user_id=grant.user_id, username=grant.username,
            nickname=grant.nickname, role=grant.role, permissions=frozenset(grant.permissions),
            x=x, y=y, budget=MoveBudget(window_of(ctx.clock.now_ms())),
        )
        ctx.send(client_id, "welcome", self._welcome(player))
        ctx.state.add_player(player)
        if quiet:
            # Re-seated after the room moved nodes: the others learn where the player is
            # (what its arrival packets would tell them), without a "logged in" line.
            public = {"id": client_id, "x": x, "y": y}
            ctx.send_all("update_position", public, exclude=client_id)
            ctx.send_all("update_nickname", {"id": client_id, "nickname": player.nickname}, exclude=client_id)
        else:
            ctx.system_all(f"{player.nickname} has logged in.", exclude=client_id)

    def _welcome(self, player: Player) -> dict[str, Any]:
        world = self._ctx.world
        perms = sorted_permissions(player.permissions)
        return {
            "id": player.client_id,
            "player": player.presence(),
            "users": [p.presence() for p in self._ctx.state.players.values()],
            "items": self._items.welcome_items(),
            "worldConfig": {
                "gridSize": world.grid_size,
                "movementTickMs": MOVEMENT_TICK_MS,
                "movementMaxStepsPerTick": MAX_STEPS_PER_TICK,
            },
            "uiDefinitions": with_ui_metadata(self._items.ui_definitions(admin_menu_actions(perms))),
            "serverInfo": world.server_info(self._ctx.name),
            "auth": {
                "authenticated": True,
                "userId": str(player.user_id),
                "username": player.username,
                "role": player.role,
                "permissions": perms,
                "policy": world.policy,
            },
        }

    def remove(self, client_id: str) -> None:
        """The disconnect sequence of protocol.md §3.6. Safe to call twice."""
        ctx = self._ctx
        player = ctx.state.remove_player(client_id)
        if player is None:
            return
        with ctx.attempt("the last position save"):
            self._account.save_state(player.user_id, x=player.x, y=player.y)
        self._last_position_save.pop(player.user_id, None)
        for what, hook in self._leave_hooks:
            with ctx.attempt(what):
                hook(player)
        ctx.send_all("user_left", {"id": client_id})
        ctx.system_all(f"{player.nickname} has logged out.")

    def apply_authority(self, user_id: int, role: str, permissions: Iterable[str], status: str) -> None:
        """Live permission push (permissions.md §5), ban (§6) and account deletion
        (upstream-0.1 §8.3) for one account."""
        ctx = self._ctx
        perms = sorted_permissions(permissions)
        push = {"role": role, "permissions": perms, "adminMenuActions": admin_menu_actions(perms)}
        for player in ctx.state.players_of(user_id):
            if status == STATUS_DELETED:  # upstream-0.1 §8.3: no permission push first
                ctx.send(player.client_id, "auth_result", {"ok": False, "message": ACCOUNT_DELETED})
                ctx.close(player.client_id, 1000, ACCOUNT_DELETED)
                self.remove(player.client_id)
                continue
            ctx.state.set_authority(player, role, frozenset(perms))
            ctx.send(player.client_id, "auth_permissions", push)
            if status != "active":
                ctx.send(player.client_id, "auth_result", {"ok": False, "message": DISABLED_MESSAGE})
                ctx.close(player.client_id, 1000, DISABLED_MESSAGE)
                self.remove(player.client_id)

    def flush_positions(self) -> None:
        """Save every connected player's position now and wait for it (shutdown)."""
        players = self._ctx.state.players.values()
        if players:
            self._account.save_states([(p.user_id, None, p.x, p.y) for p in players]).get(timeout=FLUSH_WAIT_S)

    def snapshot(self) -> list[dict[str, Any]]:
        return [p.public() | {"userId": p.user_id} for p in self._ctx.state.players.values()]

    # -- acknowledged account changes ----------------------------------------------------

    def _commit_state(self, player: Player, **fields: Any) -> bool:
        """Save ``fields`` of the player's account state and wait for the commit.

        True once committed; False (logged) when the database failed or did not answer
        within ``commit_wait_s``: the caller then changes nothing and says so to the
        sender only. The AccountActor skips or abandons the save at the same deadline,
        so a reported failure is never committed later.
        """
        name, wait = self._ctx.name, self._commit_wait_s
        deadline = time.monotonic() + wait
        try:
            future = self._account.save_state(player.user_id, deadline=deadline, **fields)
            committed = future.get(timeout=wait + COMMIT_GRACE_S)
        except Exception as err:
            log.warning("room %s: state of user %s not saved: %s", name, player.user_id, err)
            return False
        if committed is not True:
            log.warning("room %s: state of user %s not saved in time", name, player.user_id)
            return False
        return True

    def _tell_position(self, player: Player, x: int, y: int) -> None:
        """A throttled walking save, told; a failure to tell only costs the save."""
        try:
            self._account.save_state(player.user_id, x=x, y=y)
        except Exception as err:
            log.warning("room %s: position of user %s not saved: %s", self._ctx.name, player.user_id, err)

    def _correct(self, player: Player) -> None:
        self._ctx.send(player.client_id, "update_position", {"id": player.client_id, "x": player.x, "y": player.y})

    # -- packets ----------------------------------------------------------------------------

    def _on_update_position(self, player: Player, data: dict[str, Any]) -> None:
        ctx = self._ctx
        x, y = data["x"], data["y"]
        now = ctx.clock.now_ms()
        if not try_step(player.budget, (player.x, player.y), (x, y), now, ctx.world.grid_size):
            self._correct(player)
            return
        last = self._last_position_save.get(player.user_id)
        if last is None or now - last >= POSITION_SAVE_INTERVAL_MS:
            self._last_position_save[player.user_id] = now
            self._tell_position(player, x, y)
        ctx.state.move(player, x, y)
        ctx.send_all("update_position", {"id": player.client_id, "x": x, "y": y})
        self._items.player_moved(player)

    def _on_teleport_complete(self, player: Player, data: dict[str, Any]) -> None:
        ctx = self._ctx
        x, y = data["x"], data["y"]
        if not in_bounds(x, y, ctx.world.grid_size):
            self._correct(player)
            return
        # Committed before anything changes or is sent: a teleport that was echoed
        # survives a crash; one that could not be saved is corrected for the mover only.
        if not self._commit_state(player, x=x, y=y):
            self._correct(player)
            return
        self._last_position_save[player.user_id] = ctx.clock.now_ms()
        ctx.state.move(player, x, y)
        ctx.send_all("update_position", {"id": player.client_id, "x": x, "y": y})
        self._items.player_moved(player)
        ctx.send_all("teleport_complete", {"id": player.client_id, "x": x, "y": y}, exclude=player.client_id)

    def _on_update_nickname(self, player: Player, data: dict[str, Any]) -> None:
        ctx = self._ctx
        others = (p.nickname for cid, p in ctx.state.players.items() if cid != player.client_id)
        decision = decide_nickname(
            data["nickname"], player.nickname, others, "profile.update_nickname" in player.permissions
        )
        reply = {
            "accepted": decision.accepted,
            "requestedNickname": decision.requested,
            "effectiveNickname": decision.effective,
            "reason": decision.reason,
        }
        if not decision.changed:
            ctx.send(player.client_id, "nickname_result", reply)
            return
        # Database, then memory, then frames: an accepted nickname survives a crash.
        if not self._commit_state(player, nickname=decision.effective):
            reply.update(accepted=False, effectiveNickname=player.nickname, reason=NOT_SAVED)
            ctx.send(player.client_id, "nickname_result", reply)
            return
        old = player.nickname
        ctx.state.rename(player, decision.effective)
        ctx.send(player.client_id, "nickname_result", reply)
        ctx.send_all("update_nickname", {"id": player.client_id, "nickname": player.nickname},
                     exclude=player.client_id)
        ctx.system_all(f"{old} is now known as {player.nickname}.", exclude=player.client_id)
        ctx.system_line(player.client_id, f"You are now known as {player.nickname}.")

    # -- flood-control refusals (each request gets its own failure answer) -------------------

    def _refuse_teleport(self, player: Player, data: dict[str, Any], verdict: Admission) -> None:
        self._correct(player)
        if verdict is Admission.REFUSED_NOTIFY:  # a correction alone says nothing
            self._ctx.system_line(player.client_id, ACTIONS_LIMITED)

    def _refuse_nickname(self, player: Player, data: dict[str, Any], verdict: Admission) -> None:
        self._ctx.send(player.client_id, "nickname_result", {
            "accepted": False, "requestedNickname": data["nickname"],
            "effectiveNickname": player.nickname, "reason": ACTIONS_LIMITED})
