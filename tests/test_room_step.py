"""The room's step journal and state: committed whole, or rolled back without a trace."""
from __future__ import annotations

import pytest

from chgrid.actors.room_state import Player
from chgrid.actors.room_step import StepJournal
from tests.recording_outbox import RecordingOutbox
from chgrid.world.movement import MoveBudget
from tests.room_parts import PERMS, Parts


class CountingOutbox(RecordingOutbox):
    def __init__(self):
        super().__init__()
        self.flushes = 0

    def flush(self):
        self.flushes += 1
        super().flush()


@pytest.fixture
def journal():
    outbox = CountingOutbox()
    return StepJournal(outbox, "unit"), outbox


def test_a_step_sends_its_frames_in_one_batch_then_runs_its_deferred_work(journal):
    steps, outbox = journal
    order = []

    def body():
        steps.send(("a", "b"), "one")
        steps.after_commit(lambda: order.append(("after", list(outbox.sent))))
        steps.close("b", 1000, "bye")
        steps.send(("a",), "two")
        return "done"

    assert steps.run("body", body) == "done"
    assert outbox.sent == [("a", "one"), ("b", "one"), ("a", "two")]
    assert outbox.closed == [("b", 1000, "bye")]
    assert outbox.flushes == 1
    assert order == [("after", [("a", "one"), ("b", "one"), ("a", "two")])]


def test_work_deferred_during_the_commit_belongs_to_the_same_step(journal):
    steps, outbox = journal

    def body():
        steps.after_commit(lambda: (steps.send(("a",), "late"), steps.after_commit(lambda: steps.send(("a",), "later"))))

    steps.run("body", body)
    assert outbox.sent == [("a", "late"), ("a", "later")]


def test_a_failing_step_undoes_memory_newest_first_and_sends_nothing(journal):
    steps, outbox = journal
    table = {"kept": 1, "gone": 2}

    class Thing:
        name = "old"

    thing = Thing()
    undone = []

    def body():
        steps.put(table, "kept", 10)
        steps.put(table, "new", 3)
        assert steps.pop(table, "gone") == 2
        assert steps.pop(table, "absent") is None
        steps.assign(thing, "name", "new")
        steps.on_undo(lambda: undone.append(dict(table)))
        steps.send(("a",), "frame")
        steps.after_commit(lambda: undone.append("told"))
        raise RuntimeError("boom")

    assert steps.run("body", body) is None
    assert table == {"kept": 1, "gone": 2} and thing.name == "old"
    assert undone == [{"kept": 10, "new": 3}]  # the last change was undone first
    assert outbox.sent == [] and outbox.flushes == 0
    steps.run("next", lambda: steps.send(("a",), "fresh"))
    assert outbox.sent == [("a", "fresh")]  # nothing of the failed step leaked into the next


def test_an_attempt_drops_only_its_own_part(journal):
    steps, outbox = journal
    table = {}

    def body():
        steps.put(table, "before", 1)
        steps.send(("a",), "before")
        with steps.attempt("the risky part"):
            steps.put(table, "inside", 2)
            steps.send(("a",), "inside")
            steps.after_commit(lambda: table.setdefault("told", True))
            raise OSError("database is locked")
        steps.send(("a",), "after")

    steps.run("body", body)
    assert table == {"before": 1}
    assert outbox.sent == [("a", "before"), ("a", "after")]


def test_a_step_started_inside_a_step_joins_it(journal):
    steps, outbox = journal

    def inner():
        steps.send(("a",), "inner")
        raise ValueError("inner fails")

    def outer():
        steps.send(("a",), "outer")
        steps.run("inner", inner)

    steps.run("outer", outer)
    assert outbox.sent == []


def test_room_state_changes_are_undone_with_the_step():
    parts = Parts()
    ann = parts.add_player("a", 1, "ann")
    bob = parts.add_player("b", 2, "bob")

    def body():
        parts.state.move(ann, 9, 9)
        parts.state.rename(ann, "anna")
        parts.state.set_authority(ann, "admin", frozenset({"role.manage"}))
        parts.state.remove_player("b")
        parts.state.add_player(Player("c", 3, "cat", "cat", "user", frozenset(), 1, 1, MoveBudget(0)))
        raise RuntimeError("boom")

    parts.step(body)
    assert list(parts.state.players) == ["a", "b"] and parts.state.players["b"] is bob
    assert (ann.x, ann.y, ann.nickname, ann.role, ann.permissions) == (5, 5, "ann", "user", PERMS)
    assert parts.state.connected_user_ids() == {1, 2}
