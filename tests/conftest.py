"""Shared fixtures: a real server per test module area, actors stopped after each test."""
from __future__ import annotations

import pykka
import pytest


@pytest.fixture
def server(tmp_path):
    from tests.support import ServerProcess

    proc = ServerProcess(tmp_path / "data").start()
    yield proc
    proc.stop()


@pytest.fixture(autouse=True)
def _stop_actors():
    yield
    pykka.ActorRegistry.stop_all()
