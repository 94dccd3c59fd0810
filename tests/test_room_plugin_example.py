"""The stateful plug-in worked example (docs/item-plugins.md), and what the room promises
every step: all or nothing, and a leave that always leaves.

The metronome lives in ``tests/plugin_types/``, discovered beside the built-in types;
no core module names it (nor any built-in type).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pykka
import pytest

from chgrid.actors.room_items import ItemPackets
from chgrid.items.registry import ItemRegistry
from chgrid.items.store import ItemStore
from tests.plugin_types.metronome.actor import MetronomeActor
from tests.plugin_types.metronome.definition import TICK_SOUND
from tests.plugin_types.metronome.plugin import MetronomePart
from tests.stateful_support import StatefulRoom, plugins_for

ROOT = Path(__file__).resolve().parent.parent
CORE = [ROOT / "actors" / name for name in (
    "room.py", "room_chat.py", "room_context.py", "room_item_book.py", "room_items.py", "room_roster.py",
    "room_routes.py", "room_state.py", "room_stateful.py", "room_step.py", "item_actor.py",
    "item_plugin.py", "item_supervisor.py")] + [ROOT / "chgrid" / "items" / name for name in (
        "operations.py", "actions.py", "base.py", "registry.py", "wire.py", "model.py")]


@pytest.fixture
def registry():
    return ItemRegistry.discover("chgrid.items.types", "tests.plugin_types")


@pytest.fixture
def room(tmp_path, registry):
    r = StatefulRoom(tmp_path / "data", registry=registry)
    r.join("a", 1, "ann")
    r.join("b", 2, "bob")
    yield r
    r.close()


def ticks(room, client_id="b"):
    return [p for p in room.packets(client_id, "item_use_sound") if p["sound"] == TICK_SOUND]


# -- the worked example ------------------------------------------------------------------


def test_the_example_type_is_found_beside_the_built_in_ones(registry):
    assert registry.type_ids()[-1] == "metronome"
    assert registry.package_of("metronome") == "tests.plugin_types.metronome"
    assert registry.package_of("dice") == "chgrid.items.types.dice"
    assert plugins_for(registry).type_ids() == ["clock", "metronome", "piano", "radio_station"]


def test_a_metronome_ticks_while_on_at_its_tempo(room):
    metronome = room.add("a", "metronome")
    assert room.proxy.snapshot().get().item_actors == {metronome["id"]: "metronome"}
    room.clear()
    room.advance(3)
    assert ticks(room) == []  # off by default
    room.send("a", "item_use", itemId=metronome["id"])
    assert room.packets("a", "item_action_result")[-1]["message"] == "You turn on metronome."
    room.clear()
    room.advance(3)
    assert ticks(room) == [{"type": "item_use_sound", "itemId": metronome["id"], "sound": TICK_SOUND,
                            "x": 10, "y": 10, "range": 10}] * 3
    room.send("a", "item_update", itemId=metronome["id"], params={"beatsPerMinute": 120})
    room.clear()
    room.advance(2)
    assert len(ticks(room)) == 4


def test_a_carried_metronome_ticks_from_its_carrier_and_stops_when_deleted(room):
    metronome = room.add("a", "metronome")
    room.send("a", "item_update", itemId=metronome["id"], params={"enabled": True})
    room.send("a", "item_pickup", itemId=metronome["id"])
    room.send("a", "teleport_complete", x=3, y=30)
    room.clear()
    room.advance(1)
    assert [(p["x"], p["y"]) for p in ticks(room)] == [(3, 30)]
    room.send("a", "item_delete", itemId=metronome["id"])
    room.settle()
    assert pykka.ActorRegistry.get_by_class(MetronomeActor) == []
    room.clear()
    room.advance(3)
    assert ticks(room) == []


def test_the_welcome_offers_the_example_type(room):
    room.join("c", 3, "cat")
    ui = room.packets("c", "welcome")[0]["uiDefinitions"]
    assert ui["itemTypeOrder"][-1] == "metronome"
    assert ui["itemTypes"][-1]["editableProperties"] == ["title", "enabled", "beatsPerMinute"]


def _literals_and_imports(path: Path) -> list[str]:
    """String constants (docstrings excepted) and imported module names of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found.append(node.value)
        elif isinstance(node, ast.ImportFrom):
            found.append(node.module or "")
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_modules_name_no_item_type(path, registry):
    words = [w for w in _literals_and_imports(path) if w]
    for type_id in registry.type_ids():
        assert not [w for w in words if type_id in w.lower()], f"{path.name} names {type_id}"
    assert not [w for w in words if w.startswith("chgrid.items.types.")]


# -- a step is all or nothing --------------------------------------------------------------


def test_a_step_failing_after_memory_and_frames_sends_nothing_and_keeps_nothing(room, monkeypatch):
    metronome = room.add("a", "metronome")
    calls = []

    def broken(self, old, new, action):
        calls.append((old.title, new.title))
        raise RuntimeError("plug-in bug")

    monkeypatch.setattr(MetronomePart, "item_changed", broken)
    room.clear()
    # item_update: stored, kept in memory, item_upsert staged, then the plug-in's hook raises.
    room.send("a", "item_update", itemId=metronome["id"], title="tock", params={"enabled": True})
    assert calls == [("metronome", "tock")]
    assert room.packets() == []
    assert room.outbox.closed == []
    room.join("c", 3, "cat")
    (kept,) = room.packets("c", "welcome")[0]["items"]
    assert (kept["title"], kept["params"]["enabled"], kept["version"]) == ("metronome", False, 1)
    room.clear()
    room.advance(2)
    assert ticks(room) == []  # the actor was told nothing
    monkeypatch.undo()
    room.send("a", "item_update", itemId=metronome["id"], title="tock")  # the room lives on
    assert room.packets("b", "item_upsert")[-1]["item"]["title"] == "tock"


def test_a_move_failing_after_the_broadcast_is_undone(room, monkeypatch):
    dice = room.add("a", "dice")
    room.send("a", "item_pickup", itemId=dice["id"])

    def broken(self, player):
        raise RuntimeError("carry bug")

    monkeypatch.setattr(ItemPackets, "player_moved", broken)
    room.clear()
    room.clock.advance(1)
    room.send("a", "update_position", x=11, y=10)  # moved and broadcast, then the carry raises
    assert room.packets() == []
    positions = {p["id"]: (p["x"], p["y"]) for p in room.proxy.snapshot().get().players}
    assert positions["a"] == (10, 10)
    monkeypatch.undo()
    room.clock.advance(1)
    room.send("a", "update_position", x=11, y=10)
    assert [p["type"] for p in room.packets("b")] == ["update_position", "item_upsert"]


# -- leaving always leaves ------------------------------------------------------------------


class _DeadAccount:
    def save_state(self, *args, **kwargs):
        raise pykka.ActorDeadError("account actor stopped")

    def save_states(self, updates):
        raise pykka.ActorDeadError("account actor stopped")


class _LockedLaterStore(ItemStore):
    """Acknowledged writes work; a write handed to the background fails at once."""

    def apply_later(self, upserts=(), deletes=(), songs=()):
        raise RuntimeError("database is locked")


def test_a_failed_leave_still_removes_the_player_and_says_so(tmp_path, registry, monkeypatch):
    room = StatefulRoom(tmp_path / "data", registry=registry, account=_DeadAccount(),
                        store_class=_LockedLaterStore)
    try:
        room.join("a", 1, "ann")
        room.join("b", 2, "bob")
        metronome = room.add("a", "metronome")
        room.send("a", "item_pickup", itemId=metronome["id"])

        def broken(self, player):
            raise RuntimeError("plug-in bug")

        monkeypatch.setattr(MetronomePart, "player_left", broken)
        room.clear()
        room.proxy.leave("a").get()  # position save, item drop and plug-in clean-up all fail
        assert [p["type"] for p in room.packets("b")] == ["item_upsert", "user_left", "chat_message"]
        dropped = room.packets("b", "item_upsert")[0]["item"]
        assert "carrierId" not in dropped and dropped["updatedBy"] == "system"
        assert room.packets("b", "chat_message")[0]["message"] == "ann has logged out."
        assert [p["id"] for p in room.proxy.snapshot().get().players] == ["b"]
        room.send("b", "chat_message", message="still here")
        assert room.packets("b", "chat_message")[-1]["message"] == "still here"
    finally:
        room.close()
