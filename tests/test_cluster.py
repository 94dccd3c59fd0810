"""Two and three real nodes of one world on PostgreSQL and Redis (issue 12).

Users on different nodes see each other's joins, moves, nicknames, chat and items in
order; a ban or an admin CLI change on one node reaches sockets on another; the node
that restarts rejoins. Failover and fencing are in ``test_cluster_failover.py``.
"""
from __future__ import annotations

import pytest

from tests.cluster_support import Cluster
from tests.support import ConnectionClosed, register, settle, unique


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, redis_server):
    redis_server.flushall()
    nodes = Cluster(tmp_path_factory.mktemp("cluster"), redis_server, size=2).start()
    yield nodes
    nodes.stop()


def add_item(client, item_type="dice"):
    client.send({"type": "item_add", "itemType": item_type})
    upsert = client.expect("item_upsert")
    assert client.expect("item_action_result", action="add")["ok"]
    return upsert["item"]


def test_users_on_two_nodes_share_one_world_in_order(cluster):
    a_node, b_node = cluster.nodes
    anna, ben = unique("anna"), unique("ben")
    a, _, wa = register(a_node, anna)
    b, _, wb = register(b_node, ben)
    assert anna in [u["nickname"] for u in wb["users"]]  # the owner's roster, seen from B
    assert (a_node.health()["ownedGrids"], b_node.health()["ownedGrids"]) == (["main"], [])
    a.expect("chat_message", message=f"{ben} has logged in.")
    # B's moves reach A in order.
    for x in (3, 4, 5):
        b.send({"type": "teleport_complete", "x": x, "y": 7})
        b.expect("update_position", id=wb["id"], x=x)
    seen = [a.expect("teleport_complete", id=wb["id"])["x"] for _ in range(3)]
    assert seen == [3, 4, 5]
    # Nicknames, chat and items, both ways.
    b.send({"type": "update_nickname", "nickname": "Benny"})
    assert b.expect("nickname_result")["accepted"]
    assert a.expect("update_nickname", id=wb["id"])["nickname"] == "Benny"
    a.send({"type": "chat_message", "message": "hello from A"})
    assert b.expect("chat_message", message="hello from A")["senderId"] == wa["id"]
    item = add_item(a)
    assert b.expect("item_upsert")["item"]["id"] == item["id"]
    a.send({"type": "item_delete", "itemId": item["id"]})
    assert a.expect("item_action_result", action="delete")["ok"]
    assert b.expect("item_remove")["itemId"] == item["id"]
    # Leaving on B is seen on A.
    b.close()
    a.expect("user_left", id=wb["id"])
    a.close()


def test_ban_on_one_node_closes_the_socket_on_the_other(cluster):
    a_node, b_node = cluster.nodes
    boss, carol = unique("boss"), unique("carol")
    created = cluster.admin("create", "--username", boss, "--password", "password123")
    assert created.returncode == 0, created.stderr
    admin_client, result, _ = _login(a_node, boss)
    assert result["role"] == "admin"
    c, _, _ = register(b_node, carol)
    settle(c)
    admin_client.send({"type": "admin_user_ban", "username": carol})
    assert admin_client.expect("admin_action_result")["ok"]
    refused = c.expect("auth_result", timeout=5)
    assert refused["ok"] is False
    with pytest.raises(ConnectionClosed):
        while True:
            c.recv(5)


def test_admin_cli_change_reaches_a_user_on_any_node(cluster):
    _, b_node = cluster.nodes
    dave = unique("dave")
    d, result, _ = register(b_node, dave)
    assert result["role"] == "user"
    changed = cluster.admin("set-role", dave, "admin")
    assert changed.returncode == 0, changed.stderr
    pushed = d.expect("auth_permissions", timeout=5)
    assert pushed["role"] == "admin" and pushed["adminMenuActions"]


def test_a_restarted_node_rejoins_the_world(cluster):
    a_node, b_node = cluster.nodes
    erin, finn = unique("erin"), unique("finn")
    e, _, we = register(a_node, erin)
    assert b_node.stop() == 0
    b_node.start()
    f, _, wf = register(b_node, finn)
    assert erin in [u["nickname"] for u in wf["users"]]
    e.expect("chat_message", message=f"{finn} has logged in.")
    f.send({"type": "chat_message", "message": "back again"})
    assert e.expect("chat_message", message="back again")["senderId"] == wf["id"]


def _login(server, username):
    from tests.support import login

    client, result, _welcome = login(server, username)
    return client, result, _welcome


def _attempt(server, username, password):
    from tests.support import Client

    client = Client(server.ws_url)
    client.expect("auth_required")
    client.send({"type": "auth_login", "username": username, "password": password})
    result = client.expect("auth_result")
    client.close()
    return result


def test_login_failures_spread_over_nodes_share_one_allowance(cluster):
    a_node, b_node = cluster.nodes
    gina = unique("gina")
    register(a_node, gina)[0].close()
    # auth.md §10: 8 failures per IP and username in 30 s; alternating nodes must not
    # double that.
    for i in range(8):
        result = _attempt((a_node, b_node)[i % 2], gina, "wrong-password")
        assert result["ok"] is False and "Too many" not in result["message"], (i, result)
    for node in (a_node, b_node):
        refused = _attempt(node, gina, "password123")
        assert refused["ok"] is False and refused["message"].startswith("Too many authentication attempts")


def test_three_nodes_two_gateways_talk_through_the_owner(tmp_path):
    from tests.redis_server import RedisServer

    # Its own Redis: the module's two nodes still run, and Redis channels are global.
    redis = RedisServer(tmp_path / "redis").start()
    trio = Cluster(tmp_path, redis, size=3).start()
    try:
        _, b_node, c_node = trio.nodes
        hana, ivan = unique("hana"), unique("ivan")
        h, _, wh = register(b_node, hana)
        i, _, wi = register(c_node, ivan)
        h.expect("chat_message", message=f"{ivan} has logged in.")
        for text in ("one", "two", "three"):
            h.send({"type": "chat_message", "message": text})
        assert [i.expect("chat_message", senderId=wh["id"])["message"] for _ in range(3)] == ["one", "two", "three"]
        # A graceful stop of the owner hands the room over at once (its lease is
        # released); both gateways' players are seated again where they stood.
        i.send({"type": "teleport_complete", "x": 20, "y": 21})
        h.expect("teleport_complete", id=wi["id"], x=20)
        assert trio.nodes[0].stop() == 0
        again = i.expect("welcome", timeout=15)
        assert (again["player"]["x"], again["player"]["y"]) == (20, 21)
        assert h.expect("welcome", timeout=15)["id"] == wh["id"]
        i.send({"type": "chat_message", "message": "after the handover"})
        assert h.expect("chat_message", message="after the handover", timeout=10)
    finally:
        trio.stop()
        redis.stop()
