"""The AccountActor under a locked database, and the scheduled ``account_events`` purge.

Real SQLite files and real PostgreSQL databases (every test runs on both); the lock is
taken by another connection, as an operator's ``sqlite3`` or ``psql`` shell would
(``tests.db_access.write_lock``). Timers are fired by hand (no sleeping):
``ManualTimers`` collects what the actor schedules.
"""
from __future__ import annotations

import threading
import time

import peewee
import pykka
import pytest

from chgrid.actors.account import AccountActor
from chgrid.actors.account_events import EVENT_PURGE_INTERVAL_S
from chgrid.auth.passwords import hash_password
from chgrid.settings import AuthSettings
from tests.db_access import run_sql, write_lock
from tests.fake_clock import FakeClock

SECRET = "test-secret-for-hmac"
HOUR_S = 60 * 60


class ManualTimers:
    """Collects scheduled callbacks; the test fires them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.due: list[tuple[float, object]] = []

    def schedule(self, delay_s, callback) -> None:
        with self._lock:
            self.due.append((delay_s, callback))

    def cancel_all(self) -> None:
        with self._lock:
            self.due.clear()

    def delays(self, purge: bool = False) -> list[float]:
        with self._lock:
            return [d for d, _ in self.due if (d == EVENT_PURGE_INTERVAL_S) == purge]

    def fire(self, purge: bool = False) -> int:
        """Run the due retries (or the due purge); returns how many ran."""
        with self._lock:
            chosen = [(d, c) for d, c in self.due if (d == EVENT_PURGE_INTERVAL_S) == purge]
            self.due = [item for item in self.due if item not in chosen]
        for _, callback in chosen:
            callback()
        return len(chosen)


class Harness:
    def __init__(self, url: str) -> None:
        self.url = url
        self.clock = FakeClock()
        self.timers = ManualTimers()

    def start(self, origin: str = "server"):
        self.ref = AccountActor.start(self.url, SECRET, self.clock, AuthSettings(), origin=origin,
                                      timers=self.timers)
        proxy = self.ref.proxy()
        assert proxy.ready().get(timeout=10) is True
        return proxy

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        return run_sql(self.url, statement, params)

    def state(self, user_id: int) -> tuple:
        return self.sql("SELECT last_nickname, last_x, last_y FROM user_state WHERE user_id = ?",
                        (user_id,))[0]

    def locked(self, release_after_s: float | None = None):
        return write_lock(self.url, release_after_s)


@pytest.fixture(autouse=True)
def _stop_all_actors():
    yield
    pykka.ActorRegistry.stop_all()


@pytest.fixture
def h(database_url) -> Harness:
    return Harness(database_url)


@pytest.fixture
def acct(h):
    return h.start()


def register(acct, name: str) -> int:
    return acct.register(name, hash_password("password1", 1000), None).get().user_id


def fire_retries(h, acct) -> None:
    h.timers.fire()
    acct.ready().get(timeout=10)  # the told retry is handled before this answer


# --- told saves (walking positions) ------------------------------------------------------
def test_a_told_save_survives_a_lock_and_the_newest_position_wins(h, acct):
    alice = register(acct, "alice")
    with h.locked():
        assert acct.save_state(alice, x=1, y=1).get(timeout=10) is False  # pending, not lost
        assert acct.save_state(alice, x=2).get(timeout=10) is False
        assert len(h.timers.delays()) == 1  # one retry due, however many saves wait
        fire_retries(h, acct)  # still locked: stays pending, retried again later
        assert len(h.timers.delays()) == 1
        assert h.state(alice) == ("alice", None, None)
    fire_retries(h, acct)
    assert h.state(alice) == ("alice", 2, 1)
    assert h.timers.delays() == []  # nothing left to retry


def test_told_save_retries_back_off(h, acct):
    alice = register(acct, "alice")
    with h.locked():
        acct.save_state(alice, x=1, y=1).get(timeout=10)
        for _ in range(4):
            fire_retries(h, acct)
        first, *_ = h.timers.delays()
    assert first > 0.05  # the delay grew after each failed attempt
    fire_retries(h, acct)
    assert h.state(alice) == ("alice", 1, 1)


def test_a_told_save_is_kept_when_nobody_reads_its_answer(h, acct):
    alice = register(acct, "alice")
    with h.locked():
        acct.save_state(alice, x=3, y=4)  # told, as the room does: an error would go unread
        assert acct.ready().get(timeout=10) is True
    fire_retries(h, acct)
    assert h.state(alice) == ("alice", 3, 4)


# --- acknowledged saves (nickname, teleport) -----------------------------------------------
def test_an_acknowledged_save_under_a_lock_fails_within_its_bound(h, acct):
    alice = register(acct, "alice")
    with h.locked():
        with pytest.raises(peewee.OperationalError):
            acct.save_state(alice, nickname="Locked", deadline=time.monotonic() + 0.3).get(timeout=10)
        # The lock is now known: the next one only probes, and fails the same way.
        with pytest.raises(peewee.OperationalError):
            acct.save_state(alice, nickname="Again", deadline=time.monotonic() + 30).get(timeout=10)
    assert h.state(alice) == ("alice", None, None)
    fire_retries(h, acct)
    assert h.state(alice) == ("alice", None, None)  # never committed later
    assert acct.save_state(alice, nickname="Free", deadline=time.monotonic() + 5).get(timeout=10) is True
    assert h.state(alice)[0] == "Free"


def test_a_call_meeting_a_lock_fails_within_the_bound_instead_of_holding_up_the_actor(h, acct):
    alice = register(acct, "alice")
    # Released after 3 s: the old 10 s busy timeout would have waited it out and succeeded.
    with h.locked(release_after_s=3.0):
        with pytest.raises(peewee.OperationalError):
            acct.register("bob", hash_password("password1", 1000), None).get(timeout=10)
        # The lock is known now: even a save allowed to wait 10 s only probes.
        with pytest.raises(peewee.OperationalError):
            acct.save_state(alice, nickname="Quick", deadline=time.monotonic() + 10).get(timeout=15)
    assert acct.find_login("bob").get() is None
    assert h.state(alice) == ("alice", None, None)
    assert acct.save_state(alice, nickname="Later", deadline=time.monotonic() + 5).get(timeout=10) is True


def test_an_older_pending_position_never_overwrites_a_newer_acknowledged_one(h, acct):
    alice = register(acct, "alice")
    with h.locked():
        acct.save_state(alice, x=1, y=1).get(timeout=10)  # walking: pending
    # The teleport lands first; the pending walk goes in the same transaction, under it.
    assert acct.save_state(alice, x=9, y=9, deadline=time.monotonic() + 5).get(timeout=10) is True
    assert h.state(alice) == ("alice", 9, 9)
    fire_retries(h, acct)
    assert h.state(alice) == ("alice", 9, 9)


def test_a_refused_acknowledged_save_keeps_the_pending_told_one_only(h, acct):
    alice = register(acct, "alice")
    with h.locked():
        acct.save_state(alice, x=5, y=6).get(timeout=10)
        with pytest.raises(peewee.OperationalError):
            acct.save_state(alice, nickname="No", deadline=time.monotonic() + 0.2).get(timeout=10)
    fire_retries(h, acct)
    assert h.state(alice) == ("alice", 5, 6)


def test_shutdown_saves_what_is_pending(h, acct):
    alice = register(acct, "alice")
    with h.locked():
        acct.save_state(alice, x=7, y=8).get(timeout=10)
    h.ref.stop()  # on_stop writes what is still pending
    assert h.state(alice) == ("alice", 7, 8)


# --- account_events purge -------------------------------------------------------------------
def _event_ids(h) -> list[int]:
    return [row[0] for row in h.sql("SELECT id FROM account_events ORDER BY id")]


def fire_purge(h, acct) -> None:
    assert h.timers.fire(purge=True) == 1
    acct.ready().get(timeout=10)


def test_the_purge_deletes_old_rows_the_poller_has_read_and_keeps_the_rest(h, acct):
    register(acct, "alice")
    register(acct, "bob")
    old = _event_ids(h)
    assert len(old) == 2
    h.clock.advance(2 * HOUR_S)
    register(acct, "carol")
    (new,) = [i for i in _event_ids(h) if i not in old]

    ids, _ = acct.events_after(0, "server").get()  # the poller has seen them, not passed them
    assert ids == old + [new]
    fire_purge(h, acct)
    assert _event_ids(h) == old + [new]  # nothing it had not read past is gone
    assert h.timers.delays(purge=True) == [EVENT_PURGE_INTERVAL_S]  # rescheduled

    acct.events_after(new, "server").get()  # read past everything
    fire_purge(h, acct)
    assert _event_ids(h) == [new]  # old rows gone, the recent one kept


def test_the_purge_keeps_the_newest_row_so_ids_are_never_reused(h, acct):
    register(acct, "alice")
    (last,) = acct.events_after(0, "server").get()[0]
    acct.events_after(last, "server").get()
    h.clock.advance(2 * HOUR_S)
    fire_purge(h, acct)
    assert _event_ids(h) == [last]  # old, but the newest: kept
    cli = AccountActor.start(h.url, SECRET, h.clock, AuthSettings(), origin="cli",
                             timers=ManualTimers()).proxy()
    cli.create_role("mods").get()
    ids, events = acct.events_after(last, "server").get()
    assert ids == [last + 1] and [e.kind for e in events] == ["role_created"]


def test_a_locked_database_only_delays_the_purge(h, acct):
    register(acct, "alice")
    acct.events_after(0, "server").get()
    register(acct, "bob")
    acct.events_after(acct.latest_event_id().get(), "server").get()
    h.clock.advance(2 * HOUR_S)
    with h.locked():
        fire_purge(h, acct)  # fails quickly, logged, rescheduled
    assert len(_event_ids(h)) == 2
    fire_purge(h, acct)
    assert len(_event_ids(h)) == 1
