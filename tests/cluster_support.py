"""Clusters of real chgrid nodes for tests: PostgreSQL + Redis started by the tests.

A :class:`Cluster` runs ``chgrid serve`` processes that share one fresh PostgreSQL
database, one Redis and one auth secret. Node 0 is started first and waited for until it
owns the default grid, so tests know which node is the room's owner.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.pg_server import fresh_database
from tests.redis_server import RedisServer
from tests.support import ROOT, TEST_SECRET, ServerProcess

OWNS = "this node owns main"


class Cluster:
    """``size`` nodes of one world; ``lease_s`` is the room lease time."""

    def __init__(self, folder: Path, redis: RedisServer, size: int = 2, lease_s: float = 2.0,
                 database_url: str | None = None) -> None:
        self.folder = Path(folder)
        self.redis = redis
        self.database_url = database_url or fresh_database()
        self.lease_s = lease_s
        self.nodes = [self._node(i) for i in range(size)]

    def _node(self, index: int) -> ServerProcess:
        return ServerProcess(
            self.folder / f"node{index}",
            extra_args=["--database-url", self.database_url, "--redis-url", self.redis.url],
            env={"CHGRID_CLUSTER_LEASE_S": str(self.lease_s), "CHGRID_TEST_DATABASE": "",
                 "CHGRID_LIMITS_ACTIONS_BURST": "1000", "CHGRID_LIMITS_ACTIONS_PER_SECOND": "1000"},
        )

    def start(self) -> "Cluster":
        first, *rest = self.nodes
        try:
            first.start()
            first.wait_for_log(OWNS)
            for node in rest:
                node.start()
        except BaseException:
            self.stop()  # no fixture teardown follows a failed start: leave nothing running
            raise
        return self

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def admin(self, *args: str, redis: bool = True) -> subprocess.CompletedProcess:
        """Run ``chgrid admin ARGS`` against the cluster's database (and Redis)."""
        extra = ["--database-url", self.database_url]
        if redis:
            extra += ["--redis-url", self.redis.url]
        env = dict(self.nodes[0].env)
        return subprocess.run([sys.executable, "-m", "chgrid", "admin", *args, *extra],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def owner_of(cluster: Cluster) -> list[int]:
    """Indexes of the nodes whose last ownership line says they own the default grid."""
    return [i for i, node in enumerate(cluster.nodes)
            if node.log_count(OWNS) > node.log_count("giving up the room of main")]


def db_items(database_url: str) -> list[dict]:
    """Item rows of the default grid straight from PostgreSQL."""
    import psycopg2

    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT id, title FROM items WHERE grid = %s", ("main",))
        return [{"id": row[0], "title": row[1]} for row in cur.fetchall()]


__all__ = ["Cluster", "OWNS", "owner_of", "db_items", "TEST_SECRET", "json"]
