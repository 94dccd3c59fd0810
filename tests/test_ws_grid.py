"""The grid over real websockets: presence, movement, chat, signalling, persistence.

Movement, nicknames and signalling share one server (``shared_server``, unique names).
Presence between three has a server of its own (its first user must find nobody
online), as have the tests that restart, configure or stop a server.
"""
from __future__ import annotations

import socket

import chgrid
from tests.support import Client, ServerProcess, register, settle, unique


def test_connect_order_and_presence_between_three(server):
    a, ra, wa = register(server, "anna")
    assert [p["type"] for p in a.received] == ["auth_required", "auth_result", "welcome"]
    assert wa["users"] == [] and wa["id"] == wa["player"]["id"]
    assert wa["worldConfig"] == {"gridSize": 41, "movementTickMs": 200, "movementMaxStepsPerTick": 1}
    assert wa["serverInfo"]["version"] == server.health()["clientVersion"]
    b, _, wb = register(server, "ben")
    assert wb["users"] == [wa["player"]]
    assert a.expect("chat_message")["message"] == "ben has logged in."
    c, _, wc = register(server, "cleo")
    assert {u["id"] for u in wc["users"]} == {wa["id"], wb["id"]}
    a.expect("chat_message", message="cleo has logged in.")
    b.expect("chat_message", message="cleo has logged in.")
    c.close()
    for client in (a, b):
        assert client.expect("user_left") == {"type": "user_left", "id": wc["id"]}
        assert client.next()["message"] == "cleo has logged out."


def test_reference_client_start_sequence(shared_server):
    """ping -1, zero move, same nickname: pong, echo to all, accepted without broadcast."""
    ben = unique("ben")
    a, _, wa = register(shared_server, unique("anna"))
    b, _, wb = register(shared_server, ben)
    a.expect("chat_message")
    b.send({"type": "ping", "clientSentAt": -1})
    b.send({"type": "update_position", "x": wb["player"]["x"], "y": wb["player"]["y"]})
    b.send({"type": "update_nickname", "nickname": ben})
    assert b.next() == {"type": "pong", "clientSentAt": -1}
    assert b.next() == {"type": "update_position", "id": wb["id"], "x": wb["player"]["x"], "y": wb["player"]["y"]}
    assert b.next() == {"type": "nickname_result", "accepted": True, "requestedNickname": ben, "effectiveNickname": ben}
    assert a.next()["type"] == "update_position"
    assert settle(a) == []  # no nickname broadcast


def test_moves_accepted_and_rejected(shared_server):
    # The first step after joining needs no wait: a new connection starts with a fresh
    # movement window (world.md §3).
    a, _, wa = register(shared_server, unique("anna"))
    b, _, _ = register(shared_server, unique("ben"))
    a.expect("chat_message")
    x, y = wa["player"]["x"], wa["player"]["y"]
    nx = x + 1 if x < 40 else x - 1
    a.send({"type": "update_position", "x": nx, "y": y})
    assert a.expect("update_position") == {"type": "update_position", "id": wa["id"], "x": nx, "y": y}
    assert b.expect("update_position") == {"type": "update_position", "id": wa["id"], "x": nx, "y": y}
    a.send({"type": "update_position", "x": nx, "y": y + 3 if y < 30 else y - 3})  # a jump
    assert a.expect("update_position") == {"type": "update_position", "id": wa["id"], "x": nx, "y": y}
    a.send({"type": "update_position", "x": -1, "y": 0})
    assert a.expect("update_position")["x"] == nx
    assert settle(b) == []  # the refused moves reached nobody else


def test_teleport_nickname_chat_and_signal(shared_server):
    anna, ben = unique("anna"), unique("ben")
    a, _, wa = register(shared_server, anna)
    b, _, wb = register(shared_server, ben)
    a.expect("chat_message")
    a.send({"type": "teleport_complete", "x": 20, "y": 21})
    assert a.expect("update_position")["x"] == 20
    assert b.expect("update_position") == {"type": "update_position", "id": wa["id"], "x": 20, "y": 21}
    assert b.next() == {"type": "teleport_complete", "id": wa["id"], "x": 20, "y": 21}
    a.send({"type": "update_nickname", "nickname": ben.upper()})
    assert a.expect("nickname_result")["reason"] == "Nickname already in use."
    a.send({"type": "update_nickname", "nickname": "Annie"})
    a.expect("nickname_result", accepted=True)
    assert a.expect("chat_message")["message"] == "You are now known as Annie."
    assert b.expect("update_nickname") == {"type": "update_nickname", "id": wa["id"], "nickname": "Annie"}
    assert b.next()["message"] == f"{anna} is now known as Annie."
    a.send({"type": "chat_message", "message": "/me waves"})
    for client in (a, b):
        msg = client.expect("chat_message")
        assert (msg["message"], msg["action"], msg["senderId"]) == ("Annie waves", True, wa["id"])
    a.send({"type": "signal", "targetId": wb["id"], "sdp": {"type": "offer", "sdp": "v=0"}, "extra": 1})
    assert b.expect("signal") == {"type": "signal", "senderId": wa["id"], "senderNickname": "Annie", "x": 20, "y": 21,
                                  "sdp": {"type": "offer", "sdp": "v=0"}}
    a.send({"type": "signal", "targetId": "nobody", "ice": {"candidate": "x"}})
    assert settle(a) == []  # the room has handled the signal: nothing back to the sender...
    assert settle(b) == []  # ...and nothing to anyone else


def test_position_and_nickname_survive_restart(tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    try:
        a, result, _ = register(server, "anna")
        a.send({"type": "teleport_complete", "x": 7, "y": 33})
        a.expect("update_position")
        a.send({"type": "update_nickname", "nickname": "Maria"})
        a.expect("nickname_result")
        # A step right after the teleport: the teleport was saved at once, so this
        # walking position falls in the throttle interval and is not saved now...
        a.send({"type": "update_position", "x": 8, "y": 33})
        a.expect("update_position")
        assert server.stop() == 0  # ...but is flushed on shutdown
        server.start()
        again = Client(server.ws_url, cookie=result["sessionToken"])
        auth = again.expect("auth_result")
        welcome = again.expect("welcome")
        assert auth["nickname"] == "Maria"
        assert welcome["player"]["x"] == 8 and welcome["player"]["y"] == 33 and welcome["player"]["nickname"] == "Maria"
    finally:
        server.stop()


def test_slow_consumer_is_disconnected(tmp_path):
    """A client that stops reading is cut off once its outbound buffer passes the bound;
    everyone else keeps being served."""
    server = ServerProcess(tmp_path / "data", env={"CHGRID_NETWORK_OUTBOUND_BUFFER_BYTES": "1000000"}).start()
    try:
        fast, _, _ = register(server, "fast")
        slow = Client(server.ws_url)
        slow.ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.expect("auth_required")
        slow.send({"type": "auth_register", "username": "slow", "password": "password123"})
        welcome = slow.expect("welcome")
        fast.expect("chat_message", message="slow has logged in.")
        # Under the 64 KiB bound on a relayed sdp (larger ones get protocol_error).
        blob = {"type": "offer", "sdp": "v=0 " + "a" * 60_000}
        for _ in range(250):  # 15 MB towards a reader that never reads
            fast.send({"type": "signal", "targetId": welcome["id"], "sdp": blob})
        assert fast.expect("user_left", timeout=30) == {"type": "user_left", "id": welcome["id"]}
        fast.send({"type": "ping", "clientSentAt": 1})
        assert fast.expect("pong")["clientSentAt"] == 1
    finally:
        server.stop()


def test_shutdown_exit_code_and_clean_stop(tmp_path):
    server = ServerProcess(tmp_path / "data").start()
    register(server, "anna")
    assert server.stop() == 0
    assert "Traceback" not in server.log()


def test_other_web_root_reports_its_own_client_version(tmp_path):
    root = tmp_path / "reference-client"
    root.mkdir()
    (root / "index.html").write_text("<html><body>reference build</body></html>")
    (root / "version.js").write_text('window.CHGRID_WEB_VERSION = "2026.02.28 R317";\n')
    server = ServerProcess(tmp_path / "data", extra_args=["--web-root", str(root)]).start()
    try:
        import urllib.request

        with urllib.request.urlopen(server.http_url + "/") as resp:
            assert b"reference build" in resp.read()
        a, _, welcome = register(server, "anna")
        assert welcome["serverInfo"]["version"] == "2026.02.28 R317"
        a.send({"type": "chat_message", "message": "/version"})
        # /version names the server (upstream-0.1.md §2.2), whatever client it serves.
        assert a.expect("chat_message")["message"] == f"Server version: {chgrid.__version__} S13"
    finally:
        server.stop()
    (root / "version.js").unlink()
    server = ServerProcess(tmp_path / "data2", extra_args=["--web-root", str(root)]).start()
    try:
        _, _, welcome = register(server, "anna")
        assert welcome["serverInfo"]["version"] == "unknown"
    finally:
        server.stop()
