"""Acknowledged nickname and teleport changes are committed before they are answered,
survive kill -9, and a change the database cannot take is refused and changes nothing.

The test holds the database's write lock from this process (``tests.db_access.write_lock``:
SQLite's one write lock, or on PostgreSQL an ``EXCLUSIVE`` lock on every chgrid table),
which stalls the server's commit exactly where a slow disk or a crash between
"answered" and "committed" would hurt. Every test runs on both backends.
"""
from __future__ import annotations

import pytest

from chgrid.world.nicknames import NOT_SAVED
from tests.db_access import write_lock
from tests.support import ServerProcess, login, register

COMMIT_WAIT_S = 3.0  # storage.commit_wait_s of the server under test
HELD_S = 1.0  # a lock the server must wait out (shorter than COMMIT_WAIT_S)


@pytest.fixture
def server(tmp_path, database_url):
    srv = ServerProcess(tmp_path / "data", env={"CHGRID_STORAGE_COMMIT_WAIT_S": str(COMMIT_WAIT_S),
                                                "CHGRID_STORAGE_DATABASE_URL": database_url})
    srv.start()
    yield srv
    srv.stop()


def test_acks_wait_for_the_commit_and_survive_kill9(server):
    client, _, welcome = register(server, "ackuser")
    me = welcome["id"]
    with write_lock(server.database_url):
        client.send({"type": "update_nickname", "nickname": "Durable"})
        client.nothing(HELD_S)  # the old code answered at once, before its save
    result = client.expect("nickname_result", timeout=COMMIT_WAIT_S + 5)
    assert result["accepted"] is True and result["effectiveNickname"] == "Durable"
    client.expect("chat_message", message="You are now known as Durable.")

    with write_lock(server.database_url):
        client.send({"type": "teleport_complete", "x": 7, "y": 9})
        client.nothing(HELD_S)
    assert client.expect("update_position", id=me, timeout=COMMIT_WAIT_S + 5) == {
        "type": "update_position", "id": me, "x": 7, "y": 9}

    server.kill()  # at once after the acknowledgements: no leave, no shutdown save
    client.close()
    server.start()
    client, auth, welcome = login(server, "ackuser")
    assert auth["nickname"] == "Durable"
    assert (welcome["player"]["x"], welcome["player"]["y"]) == (7, 9)
    client.close()


def test_a_change_the_database_cannot_take_is_refused_and_changes_nothing(server):
    mover, _, welcome = register(server, "mover")
    me = welcome["id"]
    observer, _, _ = register(server, "observer")
    mover.send({"type": "teleport_complete", "x": 3, "y": 4})
    mover.expect("update_position", id=me, x=3, y=4)
    observer.expect("teleport_complete", id=me)
    seen = len(observer.received)

    with write_lock(server.database_url):  # held past the server's commit wait
        mover.send({"type": "update_nickname", "nickname": "Lost"})
        result = mover.expect("nickname_result", timeout=COMMIT_WAIT_S + 10)
        assert result == {"type": "nickname_result", "accepted": False, "requestedNickname": "Lost",
                          "effectiveNickname": "mover", "reason": NOT_SAVED}
        mover.send({"type": "teleport_complete", "x": 30, "y": 31})
        # A correction to the mover only, back where it was.
        assert mover.expect("update_position", id=me, timeout=COMMIT_WAIT_S + 10) == {
            "type": "update_position", "id": me, "x": 3, "y": 4}
        observer.nothing(0.5)

    # Memory unchanged: the others still see the old nickname.
    mover.send({"type": "chat_message", "message": "still me"})
    line = observer.expect("chat_message", message="still me")
    assert line["senderNickname"] == "mover"
    assert [p["type"] for p in observer.received[seen:]] == ["chat_message"]

    # Nor was anything committed late, after the lock went away.
    server.kill()
    mover.close()
    observer.close()
    server.start()
    client, auth, welcome = login(server, "mover")
    assert auth["nickname"] == "mover"
    assert (welcome["player"]["x"], welcome["player"]["y"]) == (3, 4)
    client.close()
