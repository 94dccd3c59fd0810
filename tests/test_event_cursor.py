"""The account-event poller's cursor: no row is skipped for committing out of id order.

The cursor's logic is pure (a fake clock); the last test makes two real PostgreSQL
transactions commit out of id order and polls through the AccountActor as the server
does.
"""
from __future__ import annotations

import pykka
import pytest

from chgrid.actors.account import AccountActor
from chgrid.db.event_cursor import GAP_TIMEOUT_S, MAX_TRACKED, EventCursor
from chgrid.settings import AuthSettings
from tests.db_access import pg_connect
from tests.fake_clock import FakeClock


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_ids_in_order_move_the_watermark(clock):
    cursor = EventCursor(5, clock=clock)
    assert cursor.advance([6, 7, 8]) == [6, 7, 8]
    assert cursor.position() == (8, ())
    assert cursor.advance([]) == []
    assert cursor.position() == (8, ())


def test_an_id_that_commits_late_is_still_read(clock):
    cursor = EventCursor(6, clock=clock)
    assert cursor.advance([8, 9]) == [8, 9]  # 7 is not visible yet
    assert cursor.position() == (6, (8, 9))  # ask above 6 again, minus what was read
    assert cursor.waiting_for == (7,)
    assert cursor.advance([7]) == [7]
    assert cursor.position() == (9, ())
    assert cursor.waiting_for == ()


def test_ids_already_read_are_not_returned_again(clock):
    cursor = EventCursor(0, clock=clock)
    assert cursor.advance([2, 3]) == [2, 3]
    assert cursor.advance([3, 2, 3]) == []
    assert cursor.advance([0, 1, 2]) == [1]
    assert cursor.position() == (3, ())


def test_a_gap_is_given_up_after_the_timeout(clock):
    cursor = EventCursor(10, clock=clock)
    cursor.advance([12])
    clock.now = GAP_TIMEOUT_S - 0.1
    cursor.advance([])
    assert cursor.position() == (10, (12,))  # still waiting for 11
    clock.now = GAP_TIMEOUT_S
    cursor.advance([])
    assert cursor.position() == (12, ())  # 11 given up: a rolled-back insert
    assert cursor.advance([11]) == []  # a row that shows up after all is not read


def test_each_gap_gets_its_own_full_wait(clock):
    cursor = EventCursor(0, clock=clock)
    cursor.advance([2])  # 1 missing since t=0
    clock.now = 6.0
    cursor.advance([4])  # 3 missing since t=6
    clock.now = GAP_TIMEOUT_S
    cursor.advance([])
    assert cursor.position() == (2, (4,))  # 1 given up, 3 not yet
    assert cursor.waiting_for == (3,)
    clock.now = 6.0 + GAP_TIMEOUT_S
    cursor.advance([])
    assert cursor.position() == (4, ())


def test_a_cursor_far_behind_tracks_a_bounded_number_of_gaps(clock):
    cursor = EventCursor(0, clock=clock)
    top = MAX_TRACKED * 3
    assert cursor.advance([top]) == [top]
    assert cursor.position()[0] == top - MAX_TRACKED
    assert len(cursor.waiting_for) == MAX_TRACKED - 1


def test_rows_committing_out_of_id_order_on_postgresql_are_not_skipped(pg_url):
    server = AccountActor.start(pg_url, "secret", FakeClock(), AuthSettings(), origin="server").proxy()
    try:
        cursor = EventCursor(server.latest_event_id().get(timeout=10))
        first, second = pg_connect(pg_url), pg_connect(pg_url)
        try:
            first.autocommit = second.autocommit = False
            insert = ("INSERT INTO account_events (user_id, kind, origin, created_at_ms) "
                      "VALUES (NULL, %s, 'cli', 0) RETURNING id")
            with first.cursor() as cur:
                cur.execute(insert, ("role_created",))
                (early_id,) = cur.fetchone()
            with second.cursor() as cur:
                cur.execute(insert, ("role_deleted",))
                (late_id,) = cur.fetchone()
            assert early_id < late_id
            second.commit()  # the higher id commits first

            after, skip = cursor.position()
            ids, events = server.events_after(after, "server", skip).get(timeout=10)
            assert [e.id for e in events] == [late_id]
            assert cursor.advance(ids) == [late_id]
            # "Everything after the highest id read" would now be past early_id for good.
            assert cursor.waiting_for == (early_id,)

            first.commit()
            after, skip = cursor.position()
            ids, events = server.events_after(after, "server", skip).get(timeout=10)
            assert [(e.id, e.kind) for e in events] == [(early_id, "role_created")]
            assert cursor.advance(ids) == [early_id]
            assert cursor.position() == (late_id, ())
        finally:
            first.close()
            second.close()
    finally:
        pykka.ActorRegistry.stop_all()
