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
