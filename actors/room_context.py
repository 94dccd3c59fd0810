"""What a room component may use: the room's state, its step journal, time and sending.

Every component of the room (roster, chat, items, stateful items) is built with one
``RoomContext`` and uses nothing of the room beyond it and the collaborators it is
given explicitly. Sending encodes a packet once (schema-checked) and stages the frame
in the step's journal: it leaves only if the step commits.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Protocol

import pykka

from chgrid.actors.item_actor import RoomLink
from chgrid.actors.room_state import RoomState, WorldInfo
from chgrid.actors.room_step import StepJournal
from chgrid.actors.timers import Clock, Scheduler
from chgrid.items.base import DelayedLine
from chgrid.protocol import encode


class RoomSelf(RoomLink, Protocol):
    """The room's own typed proxy, for what it tells itself later (timers)."""

    def deliver_delayed(self, actor_client_id: str, line: DelayedLine) -> pykka.Future[None]: ...


class RoomContext:
    """The room's shared services for its components (one per room, room thread only)."""

    def __init__(self, name: str, world: WorldInfo, clock: Clock, scheduler: Scheduler,
                 rng: random.Random, journal: StepJournal, state: RoomState) -> None:
        self.name = name
        self.world = world
        self.clock = clock
        self.rng = rng
        self.journal = journal
        self.state = state
        self._scheduler = scheduler
        self._link: RoomSelf | None = None

    @property
    def scheduler(self) -> Scheduler:
        """The room's scheduler, for the item actors it starts (see ``later`` for timers
        of the room itself)."""
        return self._scheduler

    # -- the room's own proxy -----------------------------------------------------------

    def bind_link(self, link: RoomSelf) -> None:
        """Called once the room runs (its proxy exists only then)."""
        self._link = link

    @property
    def link(self) -> RoomSelf:
        if self._link is None:
            raise RuntimeError(f"room {self.name} is not running")
        return self._link

    # -- sending (staged until the step commits) ----------------------------------------

    def send(self, client_id: str, packet_type: str, payload: dict[str, Any]) -> None:
        self.journal.send((client_id,), encode(packet_type, payload))

    def send_all(self, packet_type: str, payload: dict[str, Any], exclude: str | None = None) -> None:
        """To every player in the room (but ``exclude``), encoded once."""
        players = self.state.players
        recipients = tuple(players) if exclude is None else tuple(cid for cid in players if cid != exclude)
        if recipients:
            self.journal.send(recipients, encode(packet_type, payload))

    def system_line(self, client_id: str, message: str) -> None:
        self.send(client_id, "chat_message", {"message": message, "system": True, "action": False})

    def system_all(self, message: str, exclude: str | None = None) -> None:
        self.send_all("chat_message", {"message": message, "system": True, "action": False}, exclude)

    def close(self, client_id: str, code: int, reason: str) -> None:
        self.journal.close(client_id, code, reason)

    # -- later ----------------------------------------------------------------------------

    def after_commit(self, effect: Callable[[], object]) -> None:
        self.journal.after_commit(effect)

    def later(self, delay_s: float, callback: Callable[[], None]) -> None:
        """Schedule ``callback`` (which must only tell an actor) once the step commits."""
        scheduler = self._scheduler
        self.journal.after_commit(lambda: scheduler(delay_s, callback))

    def schedule_now(self, delay_s: float, callback: Callable[[], None]) -> None:
        """Schedule at once, whatever the step does (supervision of item actors)."""
        self._scheduler(delay_s, callback)

    def attempt(self, what: str) -> AbstractContextManager[None]:
        return self.journal.attempt(what)
