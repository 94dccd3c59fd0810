"""The room's components one by one, through their interfaces, without the actor thread:
routes and flood control, the roster, chat, and the item packets over their item book."""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pytest

from chgrid.actors.account_proxy import AccountProxy
from chgrid.actors.room_chat import Chat
from chgrid.actors.room_item_book import ItemBook
from chgrid.actors.room_items import NOT_SAVED, ItemPackets
from chgrid.actors.room_roster import Roster
from chgrid.actors.room_routes import Charge, FloodControl, Route, merge_routes
from chgrid.items.base import DelayedLine
from chgrid.items.registry import default_registry
from chgrid.settings import LimitsSettings
from chgrid.world.flood import ACTIONS_LIMITED, Admission
from tests.room_parts import Parts
from tests.test_room_acks import FailingStore


@dataclass
class Grant:
    user_id: int
    username: str
    nickname: str
    role: str = "user"
    permissions: tuple = ("chat.send", "profile.update_nickname")
    last_x: int | None = 3
    last_y: int | None = 4


class Done:
    def __init__(self, value=True):
        self.value = value

    def get(self, timeout=None):
        return self.value


class Account:
    def __init__(self):
        self.saves = []
        self.answer = True

    def save_state(self, user_id, nickname=None, x=None, y=None, deadline=None):
        self.saves.append((user_id, nickname, x, y, deadline is not None))
        return Done(self.answer)

    def save_states(self, updates):
        self.saves.extend(updates)
        return Done()


class NoItems:
    def __init__(self):
        self.moved = []

    def welcome_items(self):
        return []

    def ui_definitions(self, admin_actions):
        return {"itemTypeOrder": [], "itemTypes": [], "adminMenu": {"actions": admin_actions}}

    def player_moved(self, player):
        self.moved.append((player.client_id, player.x, player.y))


class Lifecycle:
    def __init__(self):
        self.events = []

    def item_added(self, item):
        self.events.append(("added", item.id))

    def item_changed(self, old, new, action):
        self.events.append(("changed", new.id, action))

    def item_removed(self, item):
        self.events.append(("removed", item.id))


# -- routes and flood control --------------------------------------------------------------


def test_a_limited_route_needs_a_refusal_and_tables_do_not_overlap():
    with pytest.raises(ValueError):
        Route(lambda p, d: None, Charge.ACTION)
    free = {"a": Route(lambda p, d: None)}
    assert merge_routes(free, {"b": Route(lambda p, d: None)}).keys() == {"a", "b"}
    with pytest.raises(ValueError):
        merge_routes(free, free)


def test_flood_control_charges_the_routes_bucket_and_lets_it_answer():
    parts = Parts()
    ann = parts.add_player("a", 1, "ann")
    flood = FloodControl(LimitsSettings(actions_burst=2, actions_per_second=1.0), parts.clock)
    refused = []
    route = Route(lambda p, d: None, Charge.ACTION, lambda p, d, verdict: refused.append(verdict))
    assert [flood.admit(ann, route, {}) for _ in range(4)] == [True, True, False, False]
    assert refused == [Admission.REFUSED_NOTIFY, Admission.REFUSED]
    assert all(flood.admit(ann, Route(lambda p, d: None), {}) for _ in range(50))  # free
    parts.clock.advance(1.0)
    assert flood.admit(ann, route, {})


# -- roster -------------------------------------------------------------------------------


@pytest.fixture
def roster():
    parts = Parts()
    account, items, left = Account(), NoItems(), []
    hooks = (("first", lambda p: left.append(("first", p.client_id))),
             ("broken", lambda p: 1 / 0),
             ("last", lambda p: left.append(("last", p.client_id))))
    component = Roster(parts.ctx, cast(AccountProxy, account), items, hooks, commit_wait_s=0.5)
    return parts, component, account, items, left


def test_join_welcomes_then_announces(roster):
    parts, component, *_ = roster
    parts.step(lambda: component.join("a", Grant(1, "ann", "ann")))
    parts.step(lambda: component.join("b", Grant(2, "bob", "bob", last_x=99)))
    welcome = parts.packets("b", "welcome")[0]
    assert welcome["users"] == [{"id": "a", "userId": "1", "nickname": "ann", "x": 3, "y": 4}]
    assert welcome["player"]["x"] != 99
    assert parts.packets("a", "chat_message")[0]["message"] == "bob has logged in."


def test_leave_runs_every_hook_even_past_a_failing_one(roster):
    parts, component, account, _, left = roster
    parts.step(lambda: component.join("a", Grant(1, "ann", "ann")))
    parts.step(lambda: component.join("b", Grant(2, "bob", "bob")))
    parts.clear()
    parts.step(lambda: component.remove("a"))
    assert left == [("first", "a"), ("last", "a")]
    assert account.saves[-1] == (1, None, 3, 4, False)
    assert [p["type"] for p in parts.packets("b")] == ["user_left", "chat_message"]
    assert [p["id"] for p in component.snapshot()] == ["b"]


def test_walking_moves_saves_throttled_and_tells_the_items(roster):
    parts, component, account, items, _ = roster
    parts.step(lambda: component.join("a", Grant(1, "ann", "ann")))
    ann = parts.state.players["a"]
    walk = component.routes()["update_position"]
    assert walk.charge is Charge.FREE
    parts.clock.advance(1)
    parts.step(lambda: walk.handler(ann, {"x": 4, "y": 4}))
    parts.clock.advance(1)
    parts.step(lambda: walk.handler(ann, {"x": 5, "y": 4}))
    assert items.moved == [("a", 4, 4), ("a", 5, 4)]
    assert account.saves == [(1, None, 4, 4, False)]  # the second is within 5 s


def test_a_nickname_not_committed_changes_nothing(roster):
    parts, component, account, *_ = roster
    parts.step(lambda: component.join("a", Grant(1, "ann", "ann")))
    ann = parts.state.players["a"]
    rename = component.routes()["update_nickname"]
    account.answer = False
    parts.step(lambda: rename.handler(ann, {"nickname": "anna"}))
    assert ann.nickname == "ann" and parts.packets("a", "nickname_result")[-1]["accepted"] is False
    account.answer = True
    parts.step(lambda: rename.handler(ann, {"nickname": "anna"}))
    assert ann.nickname == "anna" and account.saves[-1] == (1, "anna", None, None, True)


def test_refusals_answer_in_each_packets_own_way(roster):
    parts, component, *_ = roster
    parts.step(lambda: component.join("a", Grant(1, "ann", "ann")))
    ann = parts.state.players["a"]
    routes = component.routes()
    parts.clear()
    parts.step(lambda: routes["teleport_complete"].refuse(ann, {"x": 1, "y": 1}, Admission.REFUSED_NOTIFY))
    parts.step(lambda: routes["update_nickname"].refuse(ann, {"nickname": "x"}, Admission.REFUSED))
    assert [p["type"] for p in parts.packets("a")] == ["update_position", "chat_message", "nickname_result"]
    assert parts.packets("a", "nickname_result")[0]["reason"] == ACTIONS_LIMITED


def test_a_ban_closes_and_removes_every_connection_of_the_account(roster):
    parts, component, *_ = roster
    for cid in ("a", "a2"):
        parts.step(lambda cid=cid: component.join(cid, Grant(1, "ann", "ann")))
    parts.step(lambda: component.join("b", Grant(2, "bob", "bob")))
    parts.step(lambda: component.apply_authority(1, "user", ("chat.send",), "disabled"))
    assert [c for c, *_ in parts.outbox.closed] == ["a", "a2"]
    assert [p["id"] for p in component.snapshot()] == ["b"]


# -- chat ---------------------------------------------------------------------------------


def test_reboot_is_scheduled_only_when_its_step_commits():
    parts = Parts()
    reboots = []
    chat = Chat(parts.ctx, lambda: reboots.append(True))
    root = parts.add_player("r", 1, "root", permissions=frozenset({"chat.send", "server.allow_reboot"}))
    say = chat.routes()["chat_message"].handler

    def reboot_then_fail():
        say(root, {"message": "/reboot"})
        raise RuntimeError("boom")

    parts.step(reboot_then_fail)
    assert chat.reboot_pending is False and parts.scheduler.delays() == [] and parts.packets() == []
    parts.step(lambda: say(root, {"message": "/reboot soon"}))
    assert chat.reboot_pending is True and parts.scheduler.delays() == [5000]
    parts.clock.advance(5)
    parts.scheduler.run_due()
    assert reboots == [True]


def test_signal_goes_to_its_target_only():
    parts = Parts()
    chat = Chat(parts.ctx, None)
    ann = parts.add_player("a", 1, "ann")
    parts.add_player("b", 2, "bob")
    parts.add_player("c", 3, "cat")
    parts.step(lambda: chat.routes()["signal"].handler(ann, {"targetId": "b", "ice": {"candidate": "x"}}))
    assert [(p["type"], p["senderId"]) for p in parts.packets("b")] == [("signal", "a")]
    assert parts.packets("c") == []


# -- item packets -------------------------------------------------------------------------


@pytest.fixture
def items():
    parts = Parts()
    store, lifecycle = FailingStore(), Lifecycle()
    book = ItemBook(parts.ctx, default_registry(), store)
    component = ItemPackets(parts.ctx, book, lifecycle)
    ann = parts.add_player("a", 1, "ann")
    parts.add_player("b", 2, "bob")
    return parts, component, book, store, lifecycle, ann


def run(parts, component, player, packet_type, **data):
    route = component.routes()[packet_type]
    assert route.charge is Charge.ACTION
    parts.step(lambda: route.handler(player, data))


def test_item_changes_reach_the_lifecycle_after_they_are_kept(items):
    parts, component, book, store, lifecycle, ann = items
    run(parts, component, ann, "item_add", itemType="clock")
    (item_id,) = store.items
    run(parts, component, ann, "item_pickup", itemId=item_id)
    run(parts, component, ann, "item_delete", itemId=item_id)
    assert lifecycle.events == [("added", item_id), ("changed", item_id, "pickup"), ("removed", item_id)]
    assert book.get(item_id) is None and store.items == {}


def test_use_effects_go_to_everyone_or_to_the_actor_only(items):
    parts, component, book, store, lifecycle, ann = items
    run(parts, component, ann, "item_add", itemType="piano")
    run(parts, component, ann, "item_add", itemType="clock")
    piano, clock = list(store.items)
    parts.clear()
    run(parts, component, ann, "item_use", itemId=piano)
    run(parts, component, ann, "item_use", itemId=clock)
    assert [p["type"] for p in parts.packets("a")] == [
        "item_piano_status", "item_action_result", "item_clock_announce", "item_action_result"]
    assert [p["type"] for p in parts.packets("b")] == ["chat_message", "item_clock_announce"]


def test_a_write_that_fails_is_answered_to_the_sender_only(items):
    parts, component, book, store, lifecycle, ann = items
    store.fail = True
    parts.clear()
    run(parts, component, ann, "item_add", itemType="dice")
    assert parts.packets() == [{"type": "item_action_result", "ok": False, "action": "add", "message": NOT_SAVED}]
    assert lifecycle.events == [] and list(book.all()) == []


def test_a_delayed_line_waits_for_the_commit_and_then_the_scheduler(items):
    parts, component, book, store, lifecycle, ann = items
    run(parts, component, ann, "item_add", itemType="wheel")
    (wheel,) = store.items
    run(parts, component, ann, "item_update", itemId=wheel, params={"spaces": "tea"})
    run(parts, component, ann, "item_use", itemId=wheel)
    assert parts.scheduler.delays() == [3000]
    parts.clock.advance(3)
    parts.scheduler.run_due()
    (call,) = parts.link.named("deliver_delayed")
    assert call == ("a", DelayedLine(3000, "tea"))
    parts.clear()
    parts.step(lambda: component.deliver_delayed(*call))
    assert [c for c, _ in parts.outbox.sent] == ["b", "a"]


def test_a_flood_refusal_names_a_known_item_only(items):
    parts, component, book, store, lifecycle, ann = items
    run(parts, component, ann, "item_add", itemType="dice")
    (dice,) = store.items
    parts.clear()
    refuse = component.routes()["item_use"].refuse
    parts.step(lambda: refuse(ann, {"itemId": dice}, Admission.REFUSED))
    parts.step(lambda: refuse(ann, {"itemId": "nope"}, Admission.REFUSED))
    assert [p.get("itemId") for p in parts.packets("a")] == [dice, None]
    assert {p["message"] for p in parts.packets("a")} == {ACTIONS_LIMITED}


def test_the_book_places_a_carried_item_at_its_carrier(items):
    parts, component, book, store, lifecycle, ann = items
    run(parts, component, ann, "item_add", itemType="radio_station")
    (radio,) = store.items
    run(parts, component, ann, "item_pickup", itemId=radio)
    parts.step(lambda: parts.state.move(ann, 20, 21))
    place = book.place_of(book.get(radio))
    assert (place.x, place.y, place.range) == (20, 21, 10)
