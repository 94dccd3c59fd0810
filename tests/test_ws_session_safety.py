"""Session takeover and login timing (issue 11, defects 4 and 9).

Cookie resumes against a real server over real sockets: the login cookie is honoured only
for requests without an ``Origin`` or from the server's own (or an allowed) origin, and
a cookie resume never hands out the token. These share one server (``shared_server``,
unique usernames); the allowed-origin test configures a server of its own. The timing
part drives the real auth flow with a real AccountActor and PasswordHasher and counts
the password verifications.
"""
from __future__ import annotations

import random
import threading
import uuid

import pykka
import pytest
import websocket

from chgrid.auth.passwords import PasswordHasher, hash_password, parse_hash
from chgrid.auth.policy import AuthPolicy
from chgrid.auth.limiter import LocalLoginLimiter
from chgrid.auth.ratelimit import AuthRateLimiter
from chgrid.settings import AuthSettings, NetworkSettings, Settings
from tests.fake_clock import FakeClock
from chgrid.web import auth_flow
from chgrid.web.context import ServerContext
from chgrid.web.origins import normalise_origin, origin_trusted
from tests.support import Client, ServerProcess, free_port, http_get, register, unique

LOGIN_FAILED = "We couldn't log you in. Check your details and try again."
COOKIE_CLIENT = {"X-Chgrid-Auth-Client": "1"}


def OriginClient(url: str, origin: str | None, cookie: str | None = None) -> Client:
    """A ``Client`` whose handshake carries a chosen ``Origin`` (or none at all)."""
    return Client(url, cookie=cookie, origin=origin, suppress_origin=origin is None)


def foreign_origin(server) -> str:
    other = server.port + 1 if server.port < 65535 else server.port - 1
    return f"http://127.0.0.1:{other}"


def token_of(server, username):
    client, result, _ = register(server, username)
    client.close()
    return result["sessionToken"]


# --- cookie resume over the websocket ------------------------------------------------

@pytest.mark.parametrize("same_origin", [False, True], ids=["no-origin", "same-origin"])
def test_cookie_resume_is_in_but_gets_no_token(shared_server, same_origin):
    server, alice = shared_server, unique("alice")
    token = token_of(server, alice)
    origin = f"http://127.0.0.1:{server.port}" if same_origin else None
    client = OriginClient(server.ws_url, origin, cookie=token)
    result = client.next()
    assert result["type"] == "auth_result" and result["ok"] is True, result
    assert result["username"] == alice and "sessionToken" not in result
    assert client.next()["type"] == "welcome"


def test_cookie_from_a_foreign_origin_is_ignored(shared_server):
    server, bob = shared_server, unique("bob")
    token = token_of(server, bob)
    client = OriginClient(server.ws_url, foreign_origin(server), cookie=token)
    assert client.next()["type"] == "auth_required"  # a fresh connection, no resume
    # Still not logged in (no welcome on its way): gameplay is refused as before login.
    client.send({"type": "chat_message", "message": "hi"})
    assert client.next() == {"type": "auth_result", "ok": False,
                             "message": "Authenticate before sending gameplay actions."}
    assert all("sessionToken" not in packet for packet in client.received)
    # The same page may still log in with a password, and then it does get a token.
    client.send({"type": "auth_login", "username": bob, "password": "password123"})
    result = client.expect("auth_result")
    assert result["ok"] is True and len(result["sessionToken"]) == 64
    assert result["sessionToken"] != token
    client.expect("welcome")


def test_an_honoured_cookie_is_renewed_in_the_handshake_answer(shared_server):
    server = shared_server
    # No token in the cookie resume, so the client cannot roll its cookie through
    # …/auth/session/set: the 101 answer renews it exactly as that endpoint would.
    token = token_of(server, unique("gina"))
    _, set_headers, _ = http_get(server, "/auth/session/set", COOKIE_CLIENT | {"Authorization": f"Bearer {token}"})
    trusted = OriginClient(server.ws_url, server.http_url, cookie=token)
    assert trusted.ws.getheaders().get("set-cookie") == set_headers["Set-Cookie"]
    assert trusted.next()["ok"] is True
    foreign = OriginClient(server.ws_url, foreign_origin(server), cookie=token)
    assert "set-cookie" not in foreign.ws.getheaders()
    odd = OriginClient(server.ws_url, None, cookie="not a token!")
    assert "set-cookie" not in odd.ws.getheaders()  # only values we could have issued
    assert odd.next()["ok"] is False


def test_explicit_token_resume_from_a_foreign_origin_still_works(shared_server):
    server = shared_server
    token = token_of(server, unique("carol"))
    client = OriginClient(server.ws_url, foreign_origin(server))
    client.expect("auth_required")
    client.send({"type": "auth_resume", "sessionToken": token})
    result = client.expect("auth_result")
    assert result["ok"] is True and result["sessionToken"] == token  # it already had it
    client.expect("welcome")


def test_a_null_or_lookalike_origin_is_foreign(shared_server):
    server = shared_server
    token = token_of(server, unique("dora"))
    for origin in ("null", f"http://localhost:{server.port}", f"https://127.0.0.1:{server.port}"):
        client = OriginClient(server.ws_url, origin, cookie=token)
        assert client.next()["type"] == "auth_required", origin
        client.close()


def test_an_allowed_origin_from_the_config_may_resume(tmp_path):
    # With an allow-list only listed origins may connect (upstream-0.1.md §27.2): the
    # server's own, which the test clients send, is listed too.
    other, port = f"http://127.0.0.1:{free_port()}", free_port()
    server = ServerProcess(tmp_path / "data", port=port, env={
        "CHGRID_NETWORK_ALLOWED_ORIGINS": f"https://x.example, {other}/, http://127.0.0.1:{port}"})
    server.start()
    try:
        token = token_of(server, "erin")
        client = OriginClient(server.ws_url, other, cookie=token)
        result = client.next()
        assert result["ok"] is True and "sessionToken" not in result
        assert client.next()["type"] == "welcome"
        status, _, body = http_get(server, "/auth/session/check",
                                   COOKIE_CLIENT | {"Origin": other, "Cookie": f"chgrid_session_token={token}"})
        assert (status, body) == (204, "")
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            OriginClient(server.ws_url, "http://127.0.0.1:1", cookie=token)
        assert refused.value.status_code == 403
    finally:
        server.stop()


# --- cookie endpoints ------------------------------------------------------------------

def test_cookie_endpoints_refuse_a_foreign_origin(shared_server):
    server = shared_server
    token = token_of(server, unique("fred"))
    foreign = {"Origin": foreign_origin(server)}
    bearer = {"Authorization": f"Bearer {token}"}
    cookie = {"Cookie": f"chgrid_session_token={token}"}
    for path, extra in [("set", bearer), ("clear", {}), ("check", cookie)]:
        status, headers, body = http_get(server, f"/auth/session/{path}", COOKIE_CLIENT | extra | foreign)
        assert (status, body) == (403, "origin not allowed"), path
        assert "Set-Cookie" not in headers
    # Without an Origin (a browser's same-origin GET) and from the same origin: unchanged.
    for origin in ({}, {"Origin": server.http_url}):
        status, headers, body = http_get(server, "/auth/session/set", COOKIE_CLIENT | bearer | origin)
        assert (status, body) == (200, "ok")
        assert headers["Set-Cookie"].startswith(f"chgrid_session_token={token};")
        assert http_get(server, "/auth/session/check", COOKIE_CLIENT | cookie | origin)[0] == 204
        assert http_get(server, "/auth/session/clear", COOKIE_CLIENT | origin)[0::2] == (200, "cleared")


# --- the origin rules as plain functions -----------------------------------------------

def test_origin_normalisation():
    assert normalise_origin("HTTPS://Chat.Example.ORG") == "https://chat.example.org:443"
    assert normalise_origin("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert normalise_origin("http://[::1]:80") == "http://[::1]:80"
    for bad in ("null", "", "ftp://a", "http://a/x", "http://u@a", "http://a?q", "http://a#f", "http://a:99999",
                "http://a b", "http://a\\b"):
        assert normalise_origin(bad) is None, bad


def test_same_origin_uses_forwarded_headers_only_when_trusted():
    headers = {"Host": "10.0.0.5:8765", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "chat.example.org"}
    public = "https://chat.example.org"
    assert origin_trusted(public, "http", headers, [], trust_forwarded=True)
    assert not origin_trusted(public, "http", headers, [], trust_forwarded=False)
    assert origin_trusted("http://10.0.0.5:8765", "http", headers, [], trust_forwarded=False)
    assert not origin_trusted("http://10.0.0.5:8765", "https", headers, [], trust_forwarded=False)
    assert origin_trusted(public, "http", {"Host": "x"}, ["https://chat.example.org:443"], trust_forwarded=False)
    assert origin_trusted(None, "http", {}, [], trust_forwarded=False)
    assert not origin_trusted("http://x", "http", {}, [], trust_forwarded=False)  # no Host: cannot match


# --- login timing: one verification of the same cost on every failure path ------------

ITERATIONS = 2000


class CountingHasher(PasswordHasher):
    """The real hasher; remembers the iteration count of every hash it verifies."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.verified: list[int | None] = []
        self._lock = threading.Lock()

    async def verify(self, password, stored):
        parsed = parse_hash(stored)
        with self._lock:
            self.verified.append(parsed[0] if parsed else None)
        return await super().verify(password, stored)


class RecordingConnection:
    """What the auth flow needs of a connection: its context, address and replies."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.ip = "127.0.0.1"
        self.client_id = str(uuid.uuid4())
        self.authenticated = False
        self.closed = False
        self.sent: list[tuple[str, dict]] = []

    def send_packet(self, packet_type, payload):
        self.sent.append((packet_type, payload))


def test_unknown_wrong_and_disabled_logins_each_verify_once_at_the_same_cost(tmp_path):
    from chgrid.actors.account import AccountActor
    from tests.test_auth_primitives import run_coroutine

    clock = FakeClock()
    account = AccountActor.start(f"sqlite:///{tmp_path / 'a.db'}", "timing-secret", clock, AuthSettings()).proxy()
    hasher = CountingHasher(ITERATIONS, max_workers=2)
    try:
        assert account.ready().get(timeout=10) is True
        for name in ("carol", "dave"):
            assert account.register(name, hash_password("password123", ITERATIONS), None).get(timeout=10)
        account.ban("dave").get(timeout=10)
        ctx = ServerContext(
            settings=Settings(network=NetworkSettings()), account=account, rooms=None,
            hasher=hasher, limiter=LocalLoginLimiter(AuthRateLimiter(clock)), policy=AuthPolicy.from_settings(AuthSettings()),
            connections=None, clock=clock, instance_id="t", version="t", started_monotonic=0.0, tls=False,
            dummy_hash=hasher.dummy_hash_blocking(30), rng=random.Random(1),
        )
        cases = {
            "unknown user": ("nobody", "password123"),
            "wrong password": ("carol", "wrongpass1"),
            "disabled, wrong password": ("dave", "wrongpass1"),
            "disabled, right password": ("dave", "password123"),
        }
        for case, (username, password) in cases.items():
            conn = RecordingConnection(ctx)
            hasher.verified.clear()
            run_coroutine(auth_flow.handle_auth_command(
                conn, "auth_login", {"username": username, "password": password}))
            assert hasher.verified == [ITERATIONS], case
            assert conn.sent == [("auth_result", {"ok": False, "message": LOGIN_FAILED,
                                                  "authPolicy": ctx.policy.as_wire()})], case
            assert not conn.authenticated
    finally:
        hasher.shutdown()
        pykka.ActorRegistry.stop_all()
