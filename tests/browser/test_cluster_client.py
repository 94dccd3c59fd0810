"""The bundled client against a cluster of two nodes (issue 12).

A page served by one node sees a user connected to the other, and a page on a
surviving node stays in the world when the room's owner is killed: it takes the new
owner's snapshot and still sees who comes and goes.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import Player
from tests.cluster_support import OWNS, Cluster
from tests.support import register


@pytest.fixture
def cluster(tmp_path, redis_server):
    redis_server.flushall()
    nodes = Cluster(tmp_path, redis_server, size=2, lease_s=2.0).start()
    yield nodes
    nodes.stop()


@pytest.fixture
def page_on(browser):
    contexts, players = [], []

    def make(node) -> Player:
        context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
        contexts.append(context)
        player = Player(context.new_page(), node.http_url + "/")
        players.append(player)
        return player

    yield make
    problems = [line for player in players for line in player.dropped_packets()]
    for context in contexts:
        context.close()
    assert not problems, f"the client dropped server packets or hit page errors: {problems}"


def arrive(client, welcome) -> None:
    """What a client sends after welcome: its spawn position, so others see it."""
    me = welcome["player"]
    client.send({"type": "update_position", "x": me["x"], "y": me["y"]})


def test_a_page_on_one_node_sees_a_user_on_the_other(cluster, page_on):
    owner, gateway = cluster.nodes
    alice = page_on(owner)
    alice.open()
    alice.register("alice")
    bob, _, welcome = register(gateway, "bob")
    arrive(bob, welcome)
    alice.wait_for("bob has logged in.")
    me = welcome["player"]
    alice.sees("bob", me["x"], me["y"])
    x = me["x"] + 1 if me["x"] < 40 else me["x"] - 1
    bob.send({"type": "update_position", "x": x, "y": me["y"]})
    alice.sees("bob", x, me["y"])
    bob.send({"type": "chat_message", "message": "hi from the other node"})
    alice.wait_for("hi from the other node")


def test_a_page_stays_in_the_world_when_the_owner_is_killed(cluster, page_on):
    owner, survivor = cluster.nodes
    alice = page_on(survivor)
    alice.open()
    alice.register("alice")
    where = alice.position()
    owner.kill()
    survivor.wait_for_log(OWNS, timeout=20)
    survivor.wait_for_log("re-seated 1 connection(s) in main", timeout=20)
    carol, _, welcome = register(survivor, "carol")
    arrive(carol, welcome)
    assert "alice" in [u["nickname"] for u in welcome["users"]]
    me = welcome["player"]
    alice.sees("carol", me["x"], me["y"])
    assert alice.position() == where
    assert alice.count("Disconnected from server") == 0
