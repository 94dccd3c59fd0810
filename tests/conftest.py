"""Shared fixtures: real servers, actors stopped after each test.

``server`` is a fresh server per test: for tests that change server-wide state (config,
restarts, roles and bans, the only user online, the whole item list). ``shared_server``
is one server per test module, handed to each test as a client machine of its own
(``tests.support.own_peer``): for tests that use their own unique usernames and assert
nothing about who else is on the server. Starting a server costs about 0.3 s.
"""
from __future__ import annotations

import pykka
import pytest


@pytest.fixture
def server(tmp_path):
    from tests.support import ServerProcess

    proc = ServerProcess(tmp_path / "data").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    """One server process for a whole test module; tests take it as ``shared_server``."""
    from tests.support import ServerProcess

    proc = ServerProcess(tmp_path_factory.mktemp("shared") / "data").start()
    yield proc
    proc.stop()


@pytest.fixture
def shared_server(module_server):
    """The module's server for one test: its own source address, its clients closed
    (and the server rid of them) before the next test."""
    from tests.support import own_peer

    with own_peer(module_server):
        yield module_server


@pytest.fixture(autouse=True)
def _stop_actors():
    yield
    pykka.ActorRegistry.stop_all()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One real ``redis-server`` for the session (loopback, free port, no persistence)."""
    from tests.redis_server import RedisServer

    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    """The session's Redis, emptied (FLUSHALL) for this test: ``redis://127.0.0.1:PORT/0``."""
    redis_server.flushall()
    return redis_server.url


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (``tests.pg_server``: initdb in a temp dir, run as
    the ``postgres`` user when we are root, loopback, free port), stopped at the end."""
    from tests.pg_server import shared_server, stop_shared_server

    yield shared_server()
    stop_shared_server()


@pytest.fixture
def pg_url(pg_server):
    """A fresh empty database on the session's PostgreSQL: ``postgresql://...``."""
    from tests.pg_server import fresh_database

    return fresh_database(pg_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The storage tests' database, once per backend: a new SQLite file, or a fresh
    PostgreSQL database. Read it back with ``tests.db_access.run_sql``."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'chgrid.db'}"
    return request.getfixturevalue("pg_url")
