"""A room's components without the actor: unit tests build them on one ``RoomContext``
and run steps on the test's own thread (``Parts.step``), with a recording outbox, a fake
clock and a scheduler fired by hand. ``RecordingLink`` stands in for the room's proxy.
"""
from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from chgrid.actors.item_actor import ItemReport
from chgrid.actors.room_context import RoomContext, RoomSelf
from chgrid.actors.room_state import Player, RoomState, WorldInfo
from chgrid.actors.room_step import StepJournal
from chgrid.items.base import DelayedLine
from tests.fake_clock import FakeClock
from tests.recording_outbox import RecordingOutbox
from chgrid.world.movement import MoveBudget
from tests.stateful_support import TimedScheduler

R = TypeVar("R")
POLICY = {"usernameMinLength": 2, "usernameMaxLength": 32, "passwordMinLength": 8, "passwordMaxLength": 32}
PERMS = frozenset({"chat.send", "item.create", "item.use", "item.edit.own", "item.delete.own",
                   "item.pickup_drop.own", "profile.update_nickname", "voice.send"})


class RecordingLink:
    """The room's proxy as the components see it, recording every call."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def _record(self, name: str, *args: Any) -> None:
        with self._lock:
            self.calls.append((name, args))

    def item_report(self, report: ItemReport) -> None:
        self._record("item_report", report)

    def item_actor_failed(self, item_id: str, actor_urn: str) -> None:
        self._record("item_actor_failed", item_id, actor_urn)

    def restart_item_actor(self, item_id: str) -> None:
        self._record("restart_item_actor", item_id)

    def deliver_delayed(self, actor_client_id: str, line: DelayedLine) -> None:
        self._record("deliver_delayed", actor_client_id, line)

    def named(self, name: str) -> list[tuple[Any, ...]]:
        with self._lock:
            return [args for call, args in self.calls if call == name]


class Parts:
    """The shared services of one room, for components built by the test."""

    def __init__(self, grid_size: int = 41) -> None:
        self.clock = FakeClock()
        self.scheduler = TimedScheduler(self.clock)
        self.outbox = RecordingOutbox()
        self.journal = StepJournal(self.outbox, "unit")
        self.state = RoomState(self.journal)
        world = WorldInfo(grid_size, "inst", "9.9", POLICY, self.clock.monotonic())
        self.ctx = RoomContext("unit", world, self.clock, self.scheduler, random.Random(1),
                               self.journal, self.state)
        self.link = RecordingLink()
        self.ctx.bind_link(cast(RoomSelf, self.link))

    def step(self, body: Callable[[], R]) -> R | None:
        """One room step, as the actor would run it."""
        return self.journal.run("test step", body)

    def add_player(self, client_id: str, user_id: int, name: str, x: int = 5, y: int = 5,
                   permissions: frozenset[str] = PERMS) -> Player:
        player = Player(client_id, user_id, name, name, "user", permissions, x, y, MoveBudget(0))
        self.step(lambda: self.state.add_player(player))
        return player

    def packets(self, client_id: str | None = None, packet_type: str | None = None) -> list[dict[str, Any]]:
        out = []
        for cid, frame in self.outbox.sent:
            packet = json.loads(frame)
            if (client_id is None or cid == client_id) and (packet_type is None or packet["type"] == packet_type):
                out.append(packet)
        return out

    def clear(self) -> None:
        self.outbox.sent.clear()
