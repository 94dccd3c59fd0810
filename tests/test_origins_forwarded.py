"""Origin allow-list (upstream-0.1.md §27.2, §11) and forwarded client addresses only
from trusted proxies (issue 13), as plain functions and against real servers."""
from __future__ import annotations

import pytest
import websocket

from chgrid.auth.forwarded import forwarded_client, is_proxy_entry, is_trusted_proxy
from chgrid.auth.messages import LOGIN_FAILED, RATE_LIMITED
from chgrid.auth.origins import handshake_allowed, origin_trusted
from chgrid.auth.ratelimit import IP_LIMIT
from chgrid.config import ConfigError, load_settings
from tests.support import Client, ServerProcess, free_port, http_get
from tests.test_http_hardening import ws_login_replies

HELPER = {"X-Chgrid-Auth-Client": "1"}
LOOPBACK = ("127.0.0.0/8", "::1")


# --- forwarded addresses ------------------------------------------------------------------

def test_forwarded_for_counts_only_from_a_trusted_proxy():
    xff = "6.6.6.6, 198.51.100.7"
    assert forwarded_client("127.0.0.1", xff, None, LOOPBACK) == "198.51.100.7"
    assert forwarded_client("203.0.113.20", xff, None, LOOPBACK) == "203.0.113.20"  # not a proxy
    assert forwarded_client("127.0.0.1", xff, None, ()) == "127.0.0.1"  # trusting nobody
    assert forwarded_client("10.0.0.5", xff, None, ["10.0.0.0/8"]) == "198.51.100.7"


def test_forwarded_for_is_walked_from_the_right():
    proxies = ("127.0.0.1", "10.0.0.0/8")
    # A chain of trusted proxies is skipped; what the client wrote further left never counts.
    assert forwarded_client("127.0.0.1", "1.2.3.4, 198.51.100.7, 10.0.0.9", None, proxies) == "198.51.100.7"
    # Entries that are no address are skipped (upstream-0.1.md §12).
    assert forwarded_client("127.0.0.1", "198.51.100.7, junk, ", None, proxies) == "198.51.100.7"
    # Every entry a trusted address: the client is inside the trusted network.
    assert forwarded_client("127.0.0.1", "10.1.1.1, 10.0.0.9", None, proxies) == "10.1.1.1"
    assert forwarded_client("127.0.0.1", "junk", None, proxies) == "127.0.0.1"
    # IPv6 brackets and zones, IPv4-mapped peers.
    assert forwarded_client("::1", "[2001:db8::1]", None, LOOPBACK) == "2001:db8::1"
    assert forwarded_client("::ffff:127.0.0.1", "fe80::1%eth0", None, LOOPBACK) == "fe80::1"


def test_real_ip_only_without_forwarded_for_and_only_from_a_proxy():
    assert forwarded_client("127.0.0.1", None, " 192.0.2.1 ", LOOPBACK) == "192.0.2.1"
    assert forwarded_client("127.0.0.1", "198.51.100.7", "192.0.2.1", LOOPBACK) == "198.51.100.7"
    assert forwarded_client("203.0.113.20", None, "192.0.2.1", LOOPBACK) == "203.0.113.20"
    assert forwarded_client("127.0.0.1", None, "not-an-ip", LOOPBACK) == "127.0.0.1"


def test_trusted_proxy_entries():
    for good in ("127.0.0.1", "::1", "[fd00::1]", "10.0.0.0/8", "fd00::/8", "192.0.2.1/32"):
        assert is_proxy_entry(good), good
    for bad in ("", "localhost", "10.0.0.0/33", "1.2.3", "http://10.0.0.1"):
        assert not is_proxy_entry(bad), bad
    assert is_trusted_proxy("127.5.6.7", LOOPBACK) and not is_trusted_proxy("128.0.0.1", LOOPBACK)
    assert load_settings(None, {}).network.trusted_proxies == ["127.0.0.0/8", "::1"]
    with pytest.raises(ConfigError):
        load_settings(None, {"CHGRID_NETWORK_TRUSTED_PROXIES": "10.0.0.1, proxy.example"})


@pytest.mark.parametrize("proxies, shared", [("127.0.0.1", False), ("192.0.2.1", True)],
                         ids=["peer-trusted", "peer-not-trusted"])
def test_the_login_throttle_uses_forwarded_addresses_only_from_trusted_proxies(tmp_path, proxies, shared):
    """The same failed logins, each claiming another address: from a trusted proxy each
    address has a budget of its own; from any other peer they all count against the peer."""
    server = ServerProcess(tmp_path / "data", env={"CHGRID_NETWORK_TRUST_FORWARDED_FOR": "1",
                                                   "CHGRID_NETWORK_TRUSTED_PROXIES": proxies}).start()
    try:
        replies = []
        for n in range(IP_LIMIT + 1):
            replies += ws_login_replies(server.port, f"198.51.100.{n + 1}", [f"nobody{n}"])
        assert replies[:IP_LIMIT] == [LOGIN_FAILED] * IP_LIMIT
        assert replies[IP_LIMIT] == (RATE_LIMITED if shared else LOGIN_FAILED)
    finally:
        server.stop()


# --- origins ------------------------------------------------------------------------------

def test_handshake_allow_list_rules():
    assert handshake_allowed("http://evil.test", []) and handshake_allowed(None, [])
    allowed = ["https://chat.example.org"]
    assert handshake_allowed("https://chat.example.org", allowed)
    assert handshake_allowed("HTTPS://CHAT.example.org:443", allowed)  # normalised
    assert not handshake_allowed("http://chat.example.org", allowed)
    assert not handshake_allowed(None, allowed) and not handshake_allowed("null", allowed)


def test_cookie_helper_origin_rules_with_an_allow_list():
    """upstream-0.1.md §11.3 with the allow-list in place of the host origin; the
    server's own origin counts only when listed."""
    allowed = ["https://chat.example.org"]
    own = {"Host": "127.0.0.1:8765"}
    assert origin_trusted("https://chat.example.org", "http", own, allowed, False)
    assert not origin_trusted("http://127.0.0.1:8765", "http", own, allowed, False)
    assert not origin_trusted(None, "http", own, allowed, False)  # no header at all
    assert origin_trusted(None, "http", own | {"Sec-Fetch-Site": "Same-Origin"}, allowed, False)
    assert not origin_trusted(None, "http", own | {"Sec-Fetch-Site": "same-site"}, allowed, False)
    assert origin_trusted(None, "http", own | {"Referer": "https://chat.example.org/lobby/?x"}, allowed, False)
    assert not origin_trusted(None, "http", own | {"Referer": "https://evil.test/"}, allowed, False)
    # An Origin header wins over the others.
    assert not origin_trusted("https://evil.test", "http", own | {"Sec-Fetch-Site": "same-origin"}, allowed, False)
    # Without a list: no Origin or the server's own (issue 11).
    assert origin_trusted(None, "http", own, [], False)
    assert origin_trusted("http://127.0.0.1:8765", "http", own, [], False)
    assert not origin_trusted("https://chat.example.org", "http", own, [], False)


@pytest.fixture(scope="module")
def listed_server(tmp_path_factory):
    port = free_port()
    server = ServerProcess(tmp_path_factory.mktemp("origins") / "data", port=port, env={
        "CHGRID_WORLD_GRIDS": "main,lobby",
        "CHGRID_NETWORK_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}, https://chat.example.org"}).start()
    yield server
    server.stop()


def test_an_allow_list_refuses_other_origins_on_every_socket(listed_server):
    server = listed_server
    for path in ("/ws", "/lobby/ws", "/anywhere"):
        target = f"ws://127.0.0.1:{server.port}{path}"
        for origin in ("http://evil.test", None):
            options = {"origin": origin} if origin else {"suppress_origin": True}
            with pytest.raises(websocket.WebSocketBadStatusException) as refused:
                Client(target, **options)
            assert refused.value.status_code == 403, (path, origin)
        for origin in (server.http_url, "https://chat.example.org"):
            client = Client(target, origin=origin)
            assert client.next()["type"] == "auth_required"
            client.close()


def test_an_allow_list_refuses_other_origins_at_the_cookie_helpers(listed_server):
    server = listed_server
    for base in ("/", "/lobby/"):
        path = f"{base}auth/session/check"
        for headers in ({"Origin": "http://evil.test"}, {}, {"Referer": "http://evil.test/"},
                        {"Sec-Fetch-Site": "cross-site"}):
            assert http_get(server, path, HELPER | headers)[0::2] == (403, "origin not allowed"), headers
        for headers in ({"Origin": "https://chat.example.org"}, {"Sec-Fetch-Site": "same-origin"},
                        {"Referer": f"{server.http_url}{base}"}):
            assert http_get(server, path, HELPER | headers)[0::2] == (401, "missing session"), headers
        # The client header is checked first (§10.4).
        assert http_get(server, path, {"Origin": "http://evil.test"})[0::2] == (400, "missing client header")


def test_without_a_list_any_origin_opens_the_socket(shared_server):
    for origin in ("http://evil.test", "null"):
        client = Client(shared_server.ws_url, origin=origin)
        assert client.next()["type"] == "auth_required"
    client = Client(shared_server.ws_url, suppress_origin=True)
    assert client.next()["type"] == "auth_required"
    status, _, body = http_get(shared_server, "/auth/session/check", HELPER | {"Origin": "http://evil.test"})
    assert (status, body) == (403, "origin not allowed")
