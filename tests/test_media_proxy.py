"""The media proxy (upstream-0.1.md §14, §27.5) against a real server and a local stream.

The ``lan`` server may fetch from loopback (``radio.allow_private_networks``), so the
local media server stands in for the internet; the ``server`` fixture (defaults) shows
the refusals of private addresses. Sessions are real: a registered user's token in the
grid's cookie.
"""
from __future__ import annotations

import http.client
import time
from urllib.parse import quote

import pytest

from tests.media_stream import FILE_BODY, MediaStreamServer
from tests.support import ServerProcess, register, unique

LAN = {"CHGRID_RADIO_ALLOW_PRIVATE_NETWORKS": "1",
       "CHGRID_MEDIA_PROXY_MAX_RESPONSE_BYTES": "131072"}


@pytest.fixture(scope="module")
def media():
    with MediaStreamServer() as server:
        yield server


@pytest.fixture(scope="module")
def lan(tmp_path_factory):
    server = ServerProcess(tmp_path_factory.mktemp("lan") / "data", env=LAN)
    # An allow-list: the websocket client's own origin and one other page.
    server.env["CHGRID_NETWORK_ALLOWED_ORIGINS"] = f"http://127.0.0.1:{server.port},http://good.test"
    server.start()
    yield server
    server.stop()


def session(server) -> str:
    client, result, _ = register(server, unique("mia"))
    client.close()
    return result["sessionToken"]


def open_proxy(server, target: str, token: str | None, method: str = "GET", headers=None,
               path: str = "/media_proxy.php"):
    """The proxy's response (not yet read) and its connection."""
    sent = dict(headers or {})
    if token:
        sent["Cookie"] = f"other=1; chgrid_session_token={token}"
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    query = "" if target is None else "?url=" + quote(target, safe="")
    conn.request(method, path + query, headers=sent)
    return conn.getresponse(), conn


def proxy(server, target, token, method="GET", headers=None, path="/media_proxy.php"):
    response, conn = open_proxy(server, target, token, method, headers, path)
    try:
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_streams_a_file_with_its_headers(lan, media):
    token = session(lan)
    status, headers, body = proxy(lan, media.url("/file"), token)
    assert status == 200 and body == FILE_BODY
    assert headers["Content-Type"] == "audio/mpeg" and headers["Content-Length"] == str(len(FILE_BODY))
    assert headers["Accept-Ranges"] == "bytes" and headers["Cache-Control"] == "max-age=60"
    method, path, sent = media.requests[-1]
    assert (method, path) == ("GET", "/file")
    # The player's cookie never leaves the server; the proxy names itself.
    assert "Cookie" not in sent and sent["User-Agent"] == "ChatGridMediaProxy/1.0"


def test_range_is_passed_through_as_206(lan, media):
    token = session(lan)
    status, headers, body = proxy(lan, media.url("/file"), token, headers={"Range": "bytes=1000-1999"})
    assert status == 206 and body == FILE_BODY[1000:2000]
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(FILE_BODY)}"
    assert media.requests[-1][2]["Range"] == "bytes=1000-1999"


def test_head_passes_the_head_only(lan, media):
    token = session(lan)
    status, headers, body = proxy(lan, media.url("/file"), token, method="HEAD")
    assert (status, body) == (200, b"")
    assert headers["Content-Length"] == str(len(FILE_BODY))
    assert media.requests[-1][:2] == ("HEAD", "/file")


def test_grid_base_path_serves_the_proxy_too(lan, media):
    token = session(lan)
    status, _, body = proxy(lan, media.url("/file"), token, path="/main/media_proxy.php")
    # The /main/ grid's cookie has its own name: the root cookie is not its session.
    assert (status, body) == (401, b"session required\n")


def test_no_session_is_401_and_nothing_is_fetched(lan, media):
    before = len(media.requests)
    assert proxy(lan, media.url("/file"), None)[0::2] == (401, b"session required\n")
    assert proxy(lan, media.url("/file"), "not-a-token")[0::2] == (401, b"session required\n")
    assert len(media.requests) == before


@pytest.mark.parametrize("target, status, message", [
    ("", 400, "missing url query param"),
    ("   ", 400, "missing url query param"),
    ("ftp://example.org/a.mp3", 400, "unsupported scheme"),
    ("file:///etc/passwd", 400, "invalid url"),
    ("http://user:pw@example.org/a.mp3", 400, "credentials not allowed"),
    ("http://[::1/a", 400, "invalid url"),
])
def test_bad_urls_are_400(lan, target, status, message):
    token = session(lan)
    got_status, headers, body = proxy(lan, target, token)
    assert (got_status, body) == (status, f"{message}\n".encode())
    assert headers["Content-Type"] == "text/plain; charset=utf-8"


def test_redirects_are_followed_and_bounded(lan, media):
    token = session(lan)
    status, _, body = proxy(lan, media.url("/redirect?to=/file"), token)
    assert status == 200 and body == FILE_BODY
    before = sum(1 for r in media.requests if r[1] == "/loop")
    assert proxy(lan, media.url("/loop"), token)[0::2] == (502, b"too many redirects\n")
    assert sum(1 for r in media.requests if r[1] == "/loop") - before == 6  # the first + 5
    assert proxy(lan, media.url("/nolocation"), token)[0::2] == (
        502, b"redirect location missing or invalid\n")


def test_size_limit_ends_an_endless_stream(lan, media):
    token = session(lan)
    status, headers, body = proxy(lan, media.url("/endless"), token)
    assert status == 200 and len(body) == 131072
    assert headers["Content-Type"] == "audio/ogg" and headers["Cache-Control"] == "no-store"


def test_non_media_types_are_not_passed_on(lan, media):
    token = session(lan)
    status, headers, body = proxy(lan, media.url("/page"), token)
    assert status == 200 and headers["Content-Type"] == "application/octet-stream"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_cors_options_methods_and_origins(lan, media):
    status, headers, body = proxy(lan, media.url("/file"), None, method="OPTIONS",
                                  headers={"Origin": "http://good.test"})
    assert status == 204 and headers["Access-Control-Allow-Origin"] == "http://good.test"
    assert headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert headers["Access-Control-Allow-Headers"] == "Range" and headers["Vary"] == "Origin"
    token = session(lan)
    assert proxy(lan, media.url("/file"), token, method="POST")[0::2] == (405, b"method not allowed\n")
    assert proxy(lan, media.url("/file"), token, headers={"Origin": "http://evil.test"})[0::2] == (
        403, b"origin not allowed\n")


def test_concurrency_cap_per_account(tmp_path, media):
    env = {"CHGRID_RADIO_ALLOW_PRIVATE_NETWORKS": "1", "CHGRID_MEDIA_PROXY_MAX_PER_SESSION": "2"}
    server = ServerProcess(tmp_path / "data", env=env).start()
    streams = []
    try:
        token = session(server)
        for _ in range(2):
            response, conn = open_proxy(server, media.url("/endless"), token)
            assert response.status == 200
            streams.append(conn)  # left unread: the upstream must wait for the player
        assert proxy(server, media.url("/file"), token)[0::2] == (429, b"too many streams\n")
        # Another account is not affected.
        assert proxy(server, media.url("/file"), session(server))[0] == 200
        # Back-pressure: with nobody reading, the upstream stops being read (the proxy
        # does not buffer the stream); wait until its count stands still.
        assert _settled(lambda: media.endless_sent) < 32 * 1024 * 1024
        streams.pop().close()
        assert _eventually(lambda: proxy(server, media.url("/file"), token)[0] == 200)
    finally:
        for conn in streams:
            conn.close()
        server.stop()


def _settled(read, polls: int = 5, limit_s: float = 20.0) -> int:
    """``read()`` once it gave the same value ``polls`` times in a row (bounded wait)."""
    deadline = time.monotonic() + limit_s
    last, same = read(), 0
    while same < polls and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
        same = same + 1 if value == last else 0
        last = value
    return last


def _eventually(check, limit_s: float = 10.0) -> bool:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_private_addresses_refused_by_default(server, media):
    token = session(server)
    before = len(media.requests)
    for target in (media.url("/file"), f"http://localhost:{media.port}/file"):
        assert proxy(server, target, token)[0::2] == (403, b"forbidden host\n")
    assert proxy(server, "http://10.0.0.1/a.mp3", token)[0::2] == (403, b"resolved ip not allowed\n")
    assert proxy(server, media.url("/file").replace("127.0.0.1", "127.0.0.2"), token)[0::2] == (
        403, b"resolved ip not allowed\n")
    assert len(media.requests) == before
