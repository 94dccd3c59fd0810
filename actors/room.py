"""RoomActor: one grid's roster, positions, nicknames, chat, signalling and items.

The room is the single writer of its state. Handlers tell it packets; it answers by
queueing already-encoded frames on its Outbox, flushed once per message it handles.
Item packets are handled by ``RoomItems`` (``actors/room_items.py``) and, for the
clock, radio and piano with their per-item actors, ``RoomStatefulItems``
(``actors/room_stateful.py``), which this class mixes in so that items share the roster
without any locking.

An acknowledged change is committed before anything else happens: a nickname or a
teleport waits (bounded by ``commit_wait_s``) for the AccountActor's save, then changes
memory, then queues frames; a failed save is answered to the sender only. Chat, actions
and piano notes pass per-account flood control (``chgrid.world.flood``) first.
"""
from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pykka

from chgrid.actors.room_stateful import RoomStatefulItems
from chgrid.permissions import admin_menu_actions, sorted_permissions
from chgrid.protocol import encode
from chgrid.settings import LimitsSettings, RadioSettings
from chgrid.world import chat as chat_rules
from chgrid.world.flood import ACTIONS_LIMITED, CHAT_LIMITED, Admission, RateLimit, UserBuckets
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
DEFAULT_COMMIT_WAIT_S = 5.0
COMMIT_GRACE_S = 1.0
# Packets that make others hear something and are not limited otherwise: they share the
# per-user action bucket (chat and piano notes have their own).
ACTION_PACKETS = frozenset({
    "update_nickname", "teleport_complete", "item_add", "item_pickup", "item_drop",
    "item_delete", "item_update", "item_use", "item_secondary_use", "item_piano_recording",
})

Scheduler = Callable[[float, Callable[[], None]], None]


@dataclass
class WorldInfo:
    """Static facts every welcome carries."""

    grid_size: int
    instance_id: str
    version: str
    policy: dict
    started_monotonic: float


@dataclass
class Player:
    """One authenticated connection in this room."""

    client_id: str
    user_id: int
    username: str
    nickname: str
    role: str
    permissions: frozenset[str]
    x: int
    y: int
    budget: MoveBudget
    carrying: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict:
        return {"id": self.client_id, "nickname": self.nickname, "x": self.x, "y": self.y}


def actor_step(method):
    """Run one message: log (never raise) failures, then flush the outbox once."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception:
            log.exception("room %s: %s failed", self.name, method.__name__)
            return None
        finally:
            self.outbox.flush()

    return wrapper


class RoomActor(RoomStatefulItems, pykka.ThreadingActor):
    """Owner of one grid. Construct with ``RoomActor.start(...)``."""

    def __init__(
        self,
        name: str,
        world: WorldInfo,
        account: Any,
        outbox: Any,
        clock: Any,
        scheduler: Scheduler,
        item_registry: Any = None,
        item_store: Any = None,
        on_reboot: Callable[[], None] | None = None,
        rng: random.Random | None = None,
        radio_settings: RadioSettings | None = None,
        radio_fetcher: Callable[[str], Any] | None = None,
        limits: LimitsSettings | None = None,
        commit_wait_s: float = DEFAULT_COMMIT_WAIT_S,
    ) -> None:
        super().__init__()
        self.name = name
        self.world = world
        self.account = account
        self.outbox = outbox
        self.clock = clock
        self.scheduler = scheduler
        self.on_reboot = on_reboot
        self.rng = rng or random.SystemRandom()
        # For the radio pollers; the fetcher is injectable for tests (None: the real one).
        self.radio_settings = radio_settings or RadioSettings()
        self.radio_fetcher = radio_fetcher
        self.players: dict[str, Player] = {}
        self.commit_wait_s = commit_wait_s
        limits = limits or LimitsSettings()
        # Flood control per account (chgrid.world.flood), timed by the room's clock.
        self.chat_buckets = UserBuckets(RateLimit(limits.chat_burst, limits.chat_per_second))
        self.action_buckets = UserBuckets(RateLimit(limits.actions_burst, limits.actions_per_second))
        self.note_buckets = UserBuckets(RateLimit(limits.piano_notes_burst, limits.piano_notes_per_second))
        self._last_position_save: dict[int, int] = {}
        self._reboot_pending = False
        self._handlers: dict[str, Callable[[Player, dict], None]] = {
            "update_position": self._on_update_position,
            "teleport_complete": self._on_teleport_complete,
            "update_nickname": self._on_update_nickname,
            "chat_message": self._on_chat_message,
            "signal": self._on_signal,
        }
        self.init_items(item_registry, item_store)

    # -- lifecycle -----------------------------------------------------------------------

    def on_start(self) -> None:
        self._self_proxy = self.actor_ref.proxy()
        self.start_items()

    def on_stop(self) -> None:
        self.flush_state()
        self.stop_items()

    def on_failure(self, exception_type, exception_value, traceback) -> None:
        log.error("room %s crashed: %s", self.name, exception_value)

    # -- sending -------------------------------------------------------------------------

    def send(self, client_id: str, packet_type: str, payload: dict) -> None:
        self.outbox.send(client_id, encode(packet_type, payload))

    def send_all(self, packet_type: str, payload: dict, exclude: str | None = None) -> None:
        frame = encode(packet_type, payload)
        self.outbox.send_many((cid for cid in self.players if cid != exclude), frame)

    def system_line(self, client_id: str, message: str) -> None:
        self.send(client_id, "chat_message", {"message": message, "system": True, "action": False})

    def system_all(self, message: str, exclude: str | None = None) -> None:
        self.send_all("chat_message", {"message": message, "system": True, "action": False}, exclude)

    # -- presence ------------------------------------------------------------------------

    @actor_step
    def join(self, client_id: str, grant: Any) -> None:
        size = self.world.grid_size
        if grant.last_x is not None and grant.last_y is not None and in_bounds(grant.last_x, grant.last_y, size):
            x, y = grant.last_x, grant.last_y
        else:
            x, y = self.rng.randrange(size), self.rng.randrange(size)
        player = Player(
            client_id=client_id,
            user_id=grant.user_id,
            username=grant.username,
            nickname=grant.nickname,
            role=grant.role,
            permissions=frozenset(grant.permissions),
            x=x,
            y=y,
            budget=MoveBudget(window_of(self.clock.now_ms())),
        )
        self.send(client_id, "welcome", self._welcome(player))
        self.players[client_id] = player
        self.system_all(f"{player.nickname} has logged in.", exclude=client_id)

    def _welcome(self, player: Player) -> dict:
        perms = sorted_permissions(player.permissions)
        return {
            "id": player.client_id,
            "player": player.public(),
            "users": [p.public() for p in self.players.values()],
            "items": self.items_for_welcome(),
            "worldConfig": {
                "gridSize": self.world.grid_size,
                "movementTickMs": MOVEMENT_TICK_MS,
                "movementMaxStepsPerTick": MAX_STEPS_PER_TICK,
            },
            "uiDefinitions": self.ui_definitions(admin_menu_actions(perms)),
            "serverInfo": {"instanceId": self.world.instance_id, "version": self.world.version},
            "auth": {
                "authenticated": True,
                "userId": str(player.user_id),
                "username": player.username,
                "role": player.role,
                "permissions": perms,
                "policy": self.world.policy,
            },
        }

    @actor_step
    def leave(self, client_id: str) -> None:
        self._remove(client_id)

    def _remove(self, client_id: str) -> None:
        """The disconnect sequence of protocol.md §3.6. Safe to call twice."""
        player = self.players.pop(client_id, None)
        if player is None:
            return
        # Walking positions are saved throttled (world.md §11); this last one is told,
        # not awaited: nothing acknowledges it.
        self.account.save_state(player.user_id, x=player.x, y=player.y)
        self._last_position_save.pop(player.user_id, None)
        self._prune_buckets()
        self.items_on_leave(player)
        self.send_all("user_left", {"id": client_id})
        self.system_all(f"{player.nickname} has logged out.")

    @actor_step
    def apply_authority(self, user_id: int, role: str, permissions: tuple, status: str) -> None:
        """Live permission push (permissions.md §5) and ban (§6) for one account."""
        perms = sorted_permissions(permissions)
        push = {"role": role, "permissions": perms, "adminMenuActions": admin_menu_actions(perms)}
        for player in [p for p in self.players.values() if p.user_id == user_id]:
            player.role = role
            player.permissions = frozenset(perms)
            self.send(player.client_id, "auth_permissions", push)
            if status != "active":
                self.send(player.client_id, "auth_result", {"ok": False, "message": DISABLED_MESSAGE})
                self.outbox.close(player.client_id, 1000, DISABLED_MESSAGE)
                self._remove(player.client_id)

    @actor_step
    def flush_state(self) -> None:
        """Save every connected player's position now (shutdown)."""
        if self.players:
            self.account.save_states(
                [(p.user_id, None, p.x, p.y) for p in self.players.values()]
            ).get(timeout=10)

    def roster(self) -> list[dict]:
        """A snapshot for tests and health figures."""
        return [p.public() | {"userId": p.user_id} for p in self.players.values()]

    # -- packets -------------------------------------------------------------------------

    @actor_step
    def handle(self, client_id: str, packet_type: str, data: dict) -> None:
        player = self.players.get(client_id)
        if player is None:
            return
        handler = self._handlers.get(packet_type) or self.item_handler(packet_type)
        if handler is None:
            log.warning("room %s: no handler for %s", self.name, packet_type)
            return
        if not self._admit(player, packet_type, data):
            return
        handler(player, data)

    # -- flood control -------------------------------------------------------------------

    def _admit(self, player: Player, packet_type: str, data: dict) -> bool:
        """Charge the sender's bucket; a refusal is answered to the sender only."""
        if packet_type == "chat_message":
            verdict = self.chat_buckets.take(player.user_id, self.clock.monotonic())
            if verdict is Admission.REFUSED_NOTIFY:
                self.system_line(player.client_id, CHAT_LIMITED)
            return verdict.admitted
        if packet_type not in ACTION_PACKETS:  # walking and signals: the hot path
            return True
        verdict = self.action_buckets.take(player.user_id, self.clock.monotonic())
        if verdict.admitted:
            return True
        # Each refused request gets its own failure answer (clients wait for one).
        if packet_type == "update_nickname":
            self.send(player.client_id, "nickname_result", {
                "accepted": False, "requestedNickname": data["nickname"],
                "effectiveNickname": player.nickname, "reason": ACTIONS_LIMITED})
        elif packet_type == "teleport_complete":
            self._correct(player)
            if verdict is Admission.REFUSED_NOTIFY:  # a correction alone says nothing
                self.system_line(player.client_id, ACTIONS_LIMITED)
        else:
            self.refuse_item_packet(player, packet_type, data, ACTIONS_LIMITED)
        return False

    def _prune_buckets(self) -> None:
        connected = {p.user_id for p in self.players.values()}
        now = self.clock.monotonic()
        for buckets in (self.chat_buckets, self.action_buckets, self.note_buckets):
            buckets.prune(now, connected)

    # -- acknowledged account changes ------------------------------------------------------

    def _commit_state(self, player: Player, **fields: Any) -> bool:
        """Save ``fields`` of the player's account state and wait for the commit.

        True once committed; False (logged) when the database failed or did not answer
        within ``commit_wait_s``: the caller then changes nothing and says so to the
        sender only. The AccountActor skips or abandons the save at the same deadline,
        so a reported failure is never committed later.
        """
        deadline = time.monotonic() + self.commit_wait_s
        try:
            future = self.account.save_state(player.user_id, deadline=deadline, **fields)
            committed = future.get(timeout=self.commit_wait_s + COMMIT_GRACE_S)
        except Exception as err:
            log.warning("room %s: state of user %s not saved: %s", self.name, player.user_id, err)
            return False
        if committed is not True:
            log.warning("room %s: state of user %s not saved in time", self.name, player.user_id)
            return False
        return True

    def _correct(self, player: Player) -> None:
        self.send(player.client_id, "update_position", {"id": player.client_id, "x": player.x, "y": player.y})

    def _on_update_position(self, player: Player, data: dict) -> None:
        target = (data["x"], data["y"])
        now = self.clock.now_ms()
        if not try_step(player.budget, (player.x, player.y), target, now, self.world.grid_size):
            self._correct(player)
            return
        player.x, player.y = target
        last = self._last_position_save.get(player.user_id)
        if last is None or now - last >= POSITION_SAVE_INTERVAL_MS:
            self._last_position_save[player.user_id] = now
            self.account.save_state(player.user_id, x=player.x, y=player.y)
        self.send_all("update_position", {"id": player.client_id, "x": player.x, "y": player.y})
        self.items_follow_carrier(player)

    def _on_teleport_complete(self, player: Player, data: dict) -> None:
        x, y = data["x"], data["y"]
        if not in_bounds(x, y, self.world.grid_size):
            self._correct(player)
            return
        # Committed before anything changes or is sent: a teleport that was echoed
        # survives a crash; one that could not be saved is corrected for the mover only.
        if not self._commit_state(player, x=x, y=y):
            self._correct(player)
            return
        player.x, player.y = x, y
        self._last_position_save[player.user_id] = self.clock.now_ms()
        self.send_all("update_position", {"id": player.client_id, "x": x, "y": y})
        self.items_follow_carrier(player)
        self.send_all("teleport_complete", {"id": player.client_id, "x": x, "y": y}, exclude=player.client_id)

    def _on_update_nickname(self, player: Player, data: dict) -> None:
        others = (p.nickname for cid, p in self.players.items() if cid != player.client_id)
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
            self.send(player.client_id, "nickname_result", reply)
            return
        # Database, then memory, then frames: an accepted nickname survives a crash.
        if not self._commit_state(player, nickname=decision.effective):
            reply.update(accepted=False, effectiveNickname=player.nickname, reason=NOT_SAVED)
            self.send(player.client_id, "nickname_result", reply)
            return
        old = player.nickname
        player.nickname = decision.effective
        self.send(player.client_id, "nickname_result", reply)
        self.send_all("update_nickname", {"id": player.client_id, "nickname": player.nickname}, exclude=player.client_id)
        self.system_all(f"{old} is now known as {player.nickname}.", exclude=player.client_id)
        self.system_line(player.client_id, f"You are now known as {player.nickname}.")

    def _on_chat_message(self, player: Player, data: dict) -> None:
        message = data["message"]
        if "chat.send" not in player.permissions:
            self.system_line(player.client_id, chat_rules.NOT_ALLOWED)
            return
        command = chat_rules.parse_command(message)
        if command is None:
            self._say(player, message, action=False)
            return
        name = command.name
        if name == "me":
            if not command.remainder:
                self.system_line(player.client_id, chat_rules.ME_USAGE)
            else:
                self._say(player, f"{player.nickname} {command.remainder}", action=True)
        elif name == "up":
            uptime = self.clock.monotonic() - self.world.started_monotonic
            self.system_line(player.client_id, f"Server uptime: {chat_rules.format_uptime(uptime)}")
        elif name == "version":
            self.system_line(player.client_id, f"Server version: {self.world.version}")
        elif name == "reboot":
            self._reboot(player, command.remainder)
        else:
            self.system_line(player.client_id, chat_rules.unknown_command(command.word))

    def _say(self, player: Player, message: str, action: bool) -> None:
        self.send_all(
            "chat_message",
            {
                "message": message,
                "senderId": player.client_id,
                "senderNickname": player.nickname,
                "system": False,
                "action": action,
            },
        )

    def _reboot(self, player: Player, remainder: str | None) -> None:
        if "server.allow_reboot" not in player.permissions:
            self.system_line(player.client_id, chat_rules.REBOOT_DENIED)
            return
        if self._reboot_pending:
            self.system_line(player.client_id, chat_rules.REBOOT_PENDING)
            return
        self._reboot_pending = True
        self.system_all(chat_rules.reboot_announcement(remainder))
        if self.on_reboot is not None:
            self.scheduler(chat_rules.REBOOT_DELAY_S, self.on_reboot)

    def _on_signal(self, player: Player, data: dict) -> None:
        if "voice.send" not in player.permissions:
            return
        target = data["targetId"]
        if target not in self.players:
            return
        self.send(
            target,
            "signal",
            {
                "senderId": player.client_id,
                "senderNickname": player.nickname,
                "x": player.x,
                "y": player.y,
                "sdp": data.get("sdp"),
                "ice": data.get("ice"),
            },
        )
