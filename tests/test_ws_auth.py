"""Authentication over real websockets against a real server (auth.md, protocol.md §3).

Most tests share one server (``shared_server``): each registers usernames of its own and
comes from an address of its own, so the per-address rate limits start fresh for it.
The health count test and the rehash test (which restarts) have servers of their own.
"""
from __future__ import annotations

import json

import pytest

import chgrid
from chgrid.identity import DEFAULT_WELCOME_MESSAGE
from tests.support import Client, ConnectionClosed, http_get, login, register, unique
from tests.test_ws_v01_protocol import RELEASE, REVISION

POLICY = {"usernameMinLength": 2, "usernameMaxLength": 32, "passwordMinLength": 8, "passwordMaxLength": 32}
LOGIN_FAILED = "We couldn't log you in. Check your details and try again."
RESUME_FAILED = "We couldn't restore your session. Please log in again."


def test_fresh_connect_gets_auth_required(shared_server):
    client = Client(shared_server.ws_url)
    packet = client.expect("auth_required")
    assert packet == {"type": "auth_required", "message": "Authentication required.", "authPolicy": POLICY,
                      "gridName": "Chat Grid", "welcomeMessage": DEFAULT_WELCOME_MESSAGE,
                      "releaseVersion": RELEASE, "expectedClientRevision": REVISION,
                      "serverVersion": f"{chgrid.__version__} S13"}


def test_register_login_and_exact_success_fields(shared_server):
    server, name = shared_server, unique("maria_k")
    client, result, welcome = register(server, f"  {name.capitalize()} ")
    assert result["username"] == name and result["role"] == "user" and result["nickname"] == name
    assert result["permissions"] == sorted(result["permissions"])
    assert "chat.send" in result["permissions"] and result["adminMenuActions"] == []
    assert len(result["sessionToken"]) == 64 and result["authPolicy"] == POLICY
    assert welcome["auth"]["username"] == name and welcome["player"]["nickname"] == name
    client.close()
    client2, result2, _ = login(server, name.upper())
    assert result2["sessionToken"] != result["sessionToken"]


@pytest.mark.parametrize(
    "username,password,message",
    [
        ("a", "password123", "Username must be between 2 and 32 characters."),
        ("bad name", "password123", "Username may include lowercase letters, numbers, underscores, and dashes only."),
        ("okname", "short", "Password must be between 8 and 32 characters."),
    ],
)
def test_register_specific_failures(shared_server, username, password, message):
    client = Client(shared_server.ws_url)
    client.expect("auth_required")
    client.send({"type": "auth_register", "username": username, "password": password})
    assert client.expect("auth_result") == {"type": "auth_result", "ok": False, "message": message, "authPolicy": POLICY}


def test_duplicate_username_and_email(shared_server):
    taken, mailbox = unique("taken"), unique("a")
    c = Client(shared_server.ws_url)
    c.expect("auth_required")
    c.send({"type": "auth_register", "username": taken, "password": "password123",
            "email": f"{mailbox.upper()}@Example.org"})
    assert c.expect("auth_result")["ok"]
    for packet, message in [
        ({"username": taken.upper(), "password": "password123"}, "Username is already taken."),
        ({"username": unique("other"), "password": "password123", "email": f" {mailbox}@example.org "},
         "Email is already in use."),
    ]:
        d = Client(shared_server.ws_url)
        d.expect("auth_required")
        d.send({"type": "auth_register", **packet})
        assert d.expect("auth_result")["message"] == message


def test_login_failures_are_generic(shared_server):
    alice = unique("alice")
    register(shared_server, alice)
    for username, password in [(alice, "wrongpassword"), (unique("nobody"), "password123")]:
        c = Client(shared_server.ws_url)
        c.expect("auth_required")
        c.send({"type": "auth_login", "username": username, "password": password})
        assert c.expect("auth_result") == {"type": "auth_result", "ok": False, "message": LOGIN_FAILED, "authPolicy": POLICY}
        c.send({"type": "auth_login", "username": alice, "password": "password123"})
        assert c.expect("auth_result")["ok"] is True  # the connection stays usable


def test_resume_packet_and_cookie_handshake(shared_server):
    server = shared_server
    first, result, welcome = register(server, unique("bob"))
    token = result["sessionToken"]
    first.close()
    c = Client(server.ws_url)
    c.expect("auth_required")
    c.send({"type": "auth_resume", "sessionToken": token})
    resumed = c.expect("auth_result")
    assert resumed["ok"] and resumed["sessionToken"] == token
    c.expect("welcome")
    c.close()
    cookie = Client(server.ws_url, cookie=token)
    assert [cookie.next()["type"], cookie.next()["type"]] == ["auth_result", "welcome"]
    # A cookie resume does not hand the token out again (issue 11: same-site pages).
    assert cookie.received[0]["ok"] and "sessionToken" not in cookie.received[0]
    bad = Client(server.ws_url, cookie="x" * 600)
    assert bad.next() == {"type": "auth_result", "ok": False, "message": RESUME_FAILED, "authPolicy": POLICY}
    assert bad.next()["type"] == "auth_required"


def test_logout_revokes_token_and_closes(shared_server):
    server = shared_server
    c, result, _ = register(server, unique("carol"))
    c.send({"type": "auth_logout"})
    assert c.expect("auth_result") == {"type": "auth_result", "ok": True, "message": "Logged out.", "authPolicy": POLICY}
    with pytest.raises(ConnectionClosed) as closed:
        c.next()
    assert closed.value.code == 1000
    again = Client(server.ws_url, cookie=result["sessionToken"])
    assert again.next()["message"] == RESUME_FAILED


def test_already_authenticated_and_auth_gate(shared_server):
    dave = unique("dave")
    c = Client(shared_server.ws_url)
    c.expect("auth_required")
    c.send({"type": "chat_message", "message": "hi"})
    assert c.expect("auth_result") == {"type": "auth_result", "ok": False,
                                       "message": "Authenticate before sending gameplay actions."}
    c.send({"type": "auth_register", "username": dave, "password": "password123"})
    c.expect("welcome")
    c.send({"type": "auth_login", "username": dave, "password": "password123"})
    assert c.expect("auth_result")["message"] == "Already authenticated."


def test_rate_limit_per_identity(shared_server):
    erin = unique("erin")
    register(shared_server, erin)
    c = Client(shared_server.ws_url)
    c.expect("auth_required")
    for _ in range(8):
        c.send({"type": "auth_login", "username": erin, "password": "wrongpass1"})
        assert c.expect("auth_result")["message"] == LOGIN_FAILED
    c.send({"type": "auth_login", "username": erin, "password": "password123"})
    assert c.expect("auth_result")["message"] == "Too many authentication attempts. Try again shortly."
    c.send({"type": "auth_login", "username": unique("someone_else"), "password": "password123"})
    assert c.expect("auth_result")["message"] == LOGIN_FAILED


def test_bad_input_gets_protocol_error_and_server_keeps_serving(shared_server):
    c, _, _ = register(shared_server, unique("frank"))
    bystander, _, _ = register(shared_server, unique("grace"))
    for frame, needle in [
        ("not json", None),
        (json.dumps({"type": "no_such_packet"}), "no_such_packet"),
        (json.dumps({"type": "update_position", "x": "1", "y": 2}), "update_position"),
        (json.dumps({"type": "chat_message", "message": "x" * 501}), "chat_message"),
        (json.dumps([1, 2]), None),
        (b"\xff\xfe", None),
    ]:
        c.send(frame)
        error = c.expect("protocol_error")
        assert error["message"]
        if needle:
            assert error["packetType"] == needle
    c.send(json.dumps({"type": "ping", "clientSentAt": 5}).encode())  # binary JSON is accepted
    assert c.expect("pong")["clientSentAt"] == 5
    # Oversized: Tornado answers close 1009 and drops the TCP connection, which the
    # sender may see as the close frame or as a reset while it is still writing.
    try:
        c.send("x" * 2_000_100)
        c.expect("pong")
    except ConnectionClosed as closed:
        assert closed.code == 1009
    except OSError:
        pass
    else:
        raise AssertionError("oversized frame did not close the connection")
    bystander.send({"type": "ping", "clientSentAt": 7})
    assert bystander.expect("pong")["clientSentAt"] == 7


def test_cookie_endpoints(shared_server):
    server = shared_server
    _, result, _ = register(server, unique("henry"))
    token = result["sessionToken"]
    hdr = {"X-Chgrid-Auth-Client": "1"}
    assert http_get(server, "/auth/session/set")[0::2] == (400, "missing client header")
    assert http_get(server, "/auth/session/set", hdr)[0::2] == (400, "missing bearer token")
    assert http_get(server, "/auth/session/set", hdr | {"Authorization": "Bearer nope"})[0::2] == (401, "invalid session")
    status, headers, body = http_get(server, "/chgrid/auth/session/set?x=1", hdr | {"Authorization": f"bearer {token}"})
    assert (status, body) == (200, "ok")
    assert headers["Set-Cookie"] == f"chgrid_session_token={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=1209600"
    assert headers["Cache-Control"] == "no-store" and headers["Content-Type"] == "text/plain; charset=utf-8"
    status, headers, _ = http_get(server, "/auth/session/set", hdr | {"Authorization": f"Bearer {token}",
                                                                       "X-Forwarded-Proto": "HTTPS, http"})
    assert headers["Set-Cookie"].endswith("; Max-Age=1209600; Secure")
    status, headers, body = http_get(server, "/auth/session/clear", hdr)
    assert (status, body) == (200, "cleared")
    assert headers["Set-Cookie"] == "chgrid_session_token=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    assert http_get(server, "/auth/session/check", hdr)[0::2] == (401, "missing session")
    assert http_get(server, "/auth/session/check", hdr | {"Cookie": "a=b; chgrid_session_token=zzz"})[0::2] == (401, "invalid session")
    assert http_get(server, "/auth/session/check", hdr | {"Cookie": f"chgrid_session_token={token}"})[0] == 204


def test_static_client_and_healthz(server):
    # A server of its own: it counts everyone online, so it must be the only test on it.
    status, headers, body = http_get(server, "/")
    assert status == 200 and "<html" in body.lower()
    health = server.health()
    assert health["status"] == "ok" and health["connectedUsers"] == 0
    c, _, _ = register(server, "iris")
    assert server.health()["connectedUsers"] == 1


def test_websocket_on_other_paths_and_any_origin(shared_server):
    ws = Client(f"ws://127.0.0.1:{shared_server.port}/chgrid/ws", origin="https://elsewhere.example")
    assert ws.next()["type"] == "auth_required"


def test_password_rehashed_on_login_when_cost_rises(tmp_path):
    from tests.support import ServerProcess

    server = ServerProcess(tmp_path / "data").start()
    try:
        register(server, "jane")
        server.stop()
        stored = server.sql("SELECT password_hash FROM users WHERE username='jane'")[0][0]
        assert stored.startswith("pbkdf2_sha256$1000$")
        server.env["CHGRID_AUTH_PBKDF2_ITERATIONS"] = "2000"
        server.start()
        login(server, "jane")
        stored = server.sql("SELECT password_hash FROM users WHERE username='jane'")[0][0]
        assert stored.startswith("pbkdf2_sha256$2000$")
        login(server, "jane")  # the upgraded hash verifies
    finally:
        server.stop()
