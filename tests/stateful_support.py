"""Actor-test support for the stateful items: a room with real item actors, fake time.

``StatefulRoom`` starts a real RoomActor (with the item registry, the stateful plug-ins
it discovers and an ItemStore on a SQLite file) whose clock is a ``FakeClock`` and whose
scheduler is a :class:`TimedScheduler`: timers fire only when the test calls
``run_due()`` after moving the clock, so minutes and hours pass instantly. ``settle()``
waits until the room and every item actor have handled what was sent to them
(``.get()`` on cheap calls as the synchronisation point, as pykka's testing guide
suggests: :func:`barrier` reads a field through the actor's proxy).
"""
from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pykka

from chgrid.actors.account_proxy import AccountProxy
from chgrid.actors.item_actor import ItemActor, ItemReport, RoomLink
from chgrid.actors.item_plugin import StatefulPlugins
from chgrid.actors.room import RoomActor, RoomProxy, WorldInfo
from chgrid.db.database import acquire_database, create_tables, release_database
from chgrid.items.registry import ItemRegistry, default_registry
from chgrid.items.store import ItemStore
from chgrid.items.types.radio_station.plugin import RadioType
from chgrid.settings import LimitsSettings, RadioSettings, Settings
from tests.fake_clock import FakeClock
from tests.recording_outbox import RecordingOutbox

POLICY = {"usernameMinLength": 2, "usernameMaxLength": 32, "passwordMinLength": 8, "passwordMaxLength": 32}
PERMS = ("chat.send", "item.create", "item.use", "item.edit.own", "item.delete.own",
         "item.pickup_drop.own", "profile.update_nickname", "voice.send")


@dataclass
class Grant:
    user_id: int
    username: str
    nickname: str
    role: str = "user"
    permissions: tuple = PERMS
    last_x: int | None = 10
    last_y: int | None = 10
    token: str = "t"


class _Done:
    def get(self, timeout=None):
        return True


class FakeAccount:
    def save_state(self, *args, **kwargs):
        return _Done()

    def save_states(self, updates):
        return _Done()


def fake_account(account: Any = None) -> AccountProxy:
    """A stand-in for the AccountActor's proxy (the room only saves states through it)."""
    return cast(AccountProxy, account or FakeAccount())


def barrier(ref: pykka.ActorRef) -> None:
    """Wait until the actor has handled everything sent to it before (a field read
    through the proxy is queued behind earlier messages)."""
    ref.proxy().actor_urn.get(timeout=10)


def plugins_for(registry: ItemRegistry, radio_settings: RadioSettings | None = None,
                fetcher=None, limits: LimitsSettings | None = None) -> StatefulPlugins:
    """The stateful plug-ins of ``registry``; the radio's with these settings and fetcher."""
    settings = Settings(limits=limits) if limits is not None else Settings()
    found = StatefulPlugins.discover(registry, settings)
    if radio_settings is not None or fetcher is not None:
        found = found.replacing(RadioType(radio_settings or RadioSettings(), fetcher))
    return found


class FakeRoom:
    """A ``RoomLink`` for an item actor alone: records its reports and failures (the
    actor calls it from its own thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reports: list[ItemReport] = []
        self.failures: list[tuple[str, str]] = []

    def item_report(self, report: ItemReport) -> None:
        with self._lock:
            self.reports.append(report)

    def item_actor_failed(self, item_id: str, actor_urn: str) -> None:
        with self._lock:
            self.failures.append((item_id, actor_urn))

    def restart_item_actor(self, item_id: str) -> None:
        raise AssertionError("an item actor never asks for its own restart")

    def link(self) -> RoomLink:
        return cast(RoomLink, self)

    def of(self, kind: type) -> list:
        """The reports of one class, in order."""
        with self._lock:
            return [r for r in self.reports if isinstance(r, kind)]


class TimedScheduler:
    """The room's ``scheduler(delay_s, callback)``; due callbacks run on ``run_due()``."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: list[tuple[int, object]] = []

    def __call__(self, delay_s: float, callback) -> None:
        with self._lock:
            self._pending.append((self.clock.now_ms() + int(round(delay_s * 1000)), callback))

    def run_due(self) -> int:
        now = self.clock.now_ms()
        with self._lock:
            due = [cb for at, cb in self._pending if at <= now]
            self._pending = [(at, cb) for at, cb in self._pending if at > now]
        for callback in due:
            callback()
        return len(due)

    def delays(self) -> list[int]:
        now = self.clock.now_ms()
        with self._lock:
            return sorted(at - now for at, _ in self._pending)


class StatefulRoom:
    """A running room with stateful items; see the module docstring."""

    def __init__(self, data_dir: Path, clock: FakeClock | None = None, fetcher=None,
                 radio_settings: RadioSettings | None = None, registry: ItemRegistry | None = None,
                 plugins: StatefulPlugins | None = None, account: Any = None,
                 store_class: type[ItemStore] = ItemStore) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.db_url = f"sqlite:///{data_dir / 'items.db'}"
        acquire_database(self.db_url)
        create_tables()
        self.clock = clock or FakeClock()
        self.scheduler = TimedScheduler(self.clock)
        self.outbox = RecordingOutbox()
        self.fetcher = fetcher
        self.radio_settings = radio_settings or RadioSettings(allow_private_networks=True)
        self.registry = registry or default_registry()
        self.plugins = plugins
        self.account = account
        self.store_class = store_class
        self.ref = None
        self.start()

    def start(self) -> StatefulRoom:
        world = WorldInfo(grid_size=41, instance_id="inst", version="t", policy=POLICY,
                          started_monotonic=self.clock.monotonic())
        plugins = self.plugins or plugins_for(self.registry, self.radio_settings, self.fetcher)
        self.ref = RoomActor.start(
            "main", world, fake_account(self.account), self.outbox, self.clock, self.scheduler,
            item_registry=self.registry, item_store=self.store_class(registry=self.registry),
            plugins=plugins, rng=random.Random(3))
        self.proxy = cast(RoomProxy, self.ref.proxy())
        self.settle()
        return self

    def stop(self) -> None:
        if self.ref is not None and self.ref.is_alive():
            self.ref.stop()

    def close(self) -> None:
        self.stop()
        pykka.ActorRegistry.stop_all()
        release_database()

    # -- synchronisation -----------------------------------------------------------------

    def item_actors(self) -> list[pykka.ActorRef]:
        return pykka.ActorRegistry.get_by_class(ItemActor)

    def settle(self, rounds: int = 4) -> None:
        """Let messages bounce room → item actors → room a few times."""
        for _ in range(rounds):
            barrier(self.ref)
            for ref in self.item_actors():
                try:
                    barrier(ref)
                except pykka.ActorDeadError:
                    pass
        barrier(self.ref)

    def advance(self, seconds: float) -> None:
        """Move the clock and run the timers that fell due, in small steps."""
        step = 0.25
        remaining = seconds
        while remaining > 1e-9:
            move = min(step, remaining)
            self.clock.advance(move)
            remaining -= move
            self.scheduler.run_due()
            self.settle(2)

    def set_time(self, now_ms: int) -> None:
        """Jump the clock (no timers run until ``fire``/``advance``)."""
        self.clock.set_ms(now_ms)

    def fire(self) -> None:
        """Run what is due now and let it settle."""
        self.scheduler.run_due()
        self.settle()

    # -- driving the room ----------------------------------------------------------------

    def join(self, client_id: str, user_id: int, name: str, **kw) -> None:
        self.proxy.join(client_id, Grant(user_id, name, name, **kw)).get(timeout=10)

    def send(self, client_id: str, packet_type: str, **data) -> None:
        self.proxy.handle(client_id, packet_type, data).get(timeout=10)
        self.settle()

    def add(self, client_id: str, item_type: str) -> dict:
        self.send(client_id, "item_add", itemType=item_type)
        return self.packets(client_id, "item_upsert")[-1]["item"]

    def packets(self, client_id: str | None = None, packet_type: str | None = None) -> list[dict]:
        out = []
        for cid, frame in list(self.outbox.sent):
            packet = json.loads(frame)
            if (client_id is None or cid == client_id) and (packet_type is None or packet["type"] == packet_type):
                out.append(packet)
        return out

    def clear(self) -> None:
        self.outbox.sent.clear()
