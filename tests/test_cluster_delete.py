"""Account deletion in a cluster (upstream-0.1 §8.3, §27.1): the deletion reaches the
account's sockets on every node, whichever node or tool deleted it.

Two real nodes on PostgreSQL with a Redis of their own (channels are global, and the
module cluster of ``test_cluster.py`` may still run).
"""
from __future__ import annotations

import pytest

from tests.cluster_support import Cluster
from tests.redis_server import RedisServer
from tests.support import ConnectionClosed, login, register, settle, unique

DELETED = {"type": "auth_result", "ok": False, "message": "Account deleted."}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster-delete")
    redis = RedisServer(folder / "redis").start()
    try:
        nodes = Cluster(folder, redis, size=2).start()
        try:
            yield nodes
        finally:
            nodes.stop()
    finally:
        redis.stop()


def closed_with(client):
    """The packets ``client`` reads until the server closes it."""
    seen = []
    with pytest.raises(ConnectionClosed):
        while True:
            seen.append(client.recv(10))
    return seen


def test_deletion_on_one_node_closes_the_sockets_on_both(cluster):
    a_node, b_node = cluster.nodes  # a owns the room
    boss, carol, dora = unique("boss"), unique("carol"), unique("dora")
    created = cluster.admin("create", "--username", boss, "--password", "password123")
    assert created.returncode == 0, created.stderr
    on_a, _, _ = register(a_node, carol)
    on_b, _, _ = login(b_node, carol)
    witness, _, _ = register(a_node, dora)
    for client in (on_a, on_b, witness):
        settle(client)
    # The admin's packet is handled on the node that does not own the room.
    admin, _, _ = login(b_node, boss)
    admin.send({"type": "admin_user_delete", "username": carol})
    assert admin.expect("admin_action_result", action="user_delete")["message"] == f"Deleted account {carol}."
    assert DELETED in closed_with(on_b)
    assert DELETED in closed_with(on_a)
    witness.expect("chat_message", message=f"{carol} has logged out.")
    witness.expect("chat_message", message=f"{carol} has logged out.")


def test_cli_deletion_with_redis_reaches_a_user_on_any_node(cluster):
    _, b_node = cluster.nodes
    erin = unique("erin")
    e, _, _ = register(b_node, erin)
    settle(e)
    done = cluster.admin("delete", erin)
    assert done.returncode == 0, done.stderr
    assert DELETED in closed_with(e)
