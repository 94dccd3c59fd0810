"""Pure world rules: movement budget, nickname decisions, chat commands, uptime text."""
from __future__ import annotations

import pytest

from chgrid.world.chat import format_uptime, parse_command, reboot_announcement, unknown_command
from chgrid.world.movement import MoveBudget, try_step, window_of
from chgrid.world.nicknames import decide_nickname

T0 = 1_764_000_000_000  # a multiple of 200 ms


def budget_at(now):
    return MoveBudget(window_of(now))


def test_one_step_per_window_and_diagonal_counts_as_one():
    b = budget_at(T0)
    assert try_step(b, (5, 5), (6, 6), T0, 41)
    assert not try_step(b, (6, 6), (6, 7), T0 + 199, 41)
    assert try_step(b, (6, 6), (6, 7), T0 + 200, 41)


def test_jump_of_two_always_rejected_and_zero_move_accepted():
    b = budget_at(T0)
    assert not try_step(b, (5, 5), (7, 5), T0, 41)
    assert try_step(b, (5, 5), (5, 5), T0, 41)
    assert try_step(b, (5, 5), (5, 6), T0, 41)
    assert try_step(b, (5, 6), (5, 6), T0, 41)  # zero move after a full window


def test_out_of_bounds_costs_nothing():
    b = budget_at(T0)
    assert not try_step(b, (0, 0), (-1, 0), T0, 41)
    assert not try_step(b, (40, 40), (41, 40), T0, 41)
    assert b.used == 0
    assert try_step(b, (0, 0), (1, 0), T0, 41)


def test_windows_are_epoch_aligned():
    b = budget_at(T0 + 150)
    assert try_step(b, (1, 1), (2, 1), T0 + 150, 41)
    assert try_step(b, (2, 1), (3, 1), T0 + 200, 41)  # new window 50 ms later


@pytest.mark.parametrize(
    "raw,current,others,may,expected",
    [
        ("bob", "ann", [], False, (False, "bob", "ann", "Not authorized to change nickname.", False)),
        ("   ", "ann", [], True, (False, "   ", "ann", "Nickname is required.", False)),
        (" Bob ", "ann", ["BOB"], True, (False, "Bob", "ann", "Nickname already in use.", False)),
        ("ann", "ann", [], True, (True, "ann", "ann", None, False)),
        ("Ann", "ann", [], True, (True, "Ann", "Ann", None, True)),
        (" Straße ", "x", ["STRASSE"], True, (False, "Straße", "x", "Nickname already in use.", False)),
    ],
)
def test_nickname_decisions(raw, current, others, may, expected):
    d = decide_nickname(raw, current, others, may)
    assert (d.accepted, d.requested, d.effective, d.reason, d.changed) == expected


@pytest.mark.parametrize(
    "message,word,remainder",
    [("/me waves", "me", "waves"), ("/Me  waves", "Me", " waves"), ("/me", "me", None),
     ("/me ", "me", ""), ("/", "", None), ("/UP", "UP", None)],
)
def test_parse_command(message, word, remainder):
    cmd = parse_command(message)
    assert (cmd.word, cmd.remainder) == (word, remainder)


def test_plain_chat_is_not_a_command():
    assert parse_command(" /up") is None
    assert parse_command("hello") is None


@pytest.mark.parametrize(
    "seconds,text",
    [(0, "0s"), (17, "17s"), (3723, "1h 2m 3s"), (172800, "2d"), (300, "5m"), (90061, "1d 1h 1m 1s")],
)
def test_uptime(seconds, text):
    assert format_uptime(seconds) == text


def test_reboot_and_unknown_texts():
    assert reboot_announcement(None) == "Server rebooting in 5 seconds."
    assert reboot_announcement("back soon") == "Server rebooting in 5 seconds. back soon"
    assert unknown_command("Foo") == "Unknown command: /Foo"
