"""The HTTP listener under abuse, against the real server over real sockets: accept at
the descriptor limit, connection caps, slow request heads and bodies, bad static paths,
security headers on every kind of answer, and what /healthz tells whom."""
from __future__ import annotations

import base64
import json
import os
import resource
import select
import socket
import time
import types

import pytest
import websocket
from tornado.httputil import HTTPHeaders

from chgrid.auth.messages import LOGIN_FAILED, RATE_LIMITED
from chgrid.auth.ratelimit import IDENTITY_LIMIT, IP_LIMIT
from chgrid.web.origins import client_address
from tests.support import TEST_HEALTH_TOKEN, ServerProcess, register, self_signed_cert

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


# --------------------------------------------------------------------------- helpers


def raw_request(port: int, head: str, source: str | None = None, timeout: float = 10.0) -> bytes:
    """Send one request head as written (no client-side path cleaning) and read to EOF."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                  source_address=(source, 0) if source else None) as sock:
        sock.sendall(head.encode("latin-1"))
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


def get(port: int, path: str, *headers: str) -> tuple[int, dict[str, str], bytes]:
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    head += "".join(f"{h}\r\n" for h in headers) + "\r\n"
    return parse_response(raw_request(port, head))


def parse_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def keep_alive(port: int, source: str = "127.0.0.1") -> socket.socket:
    """A connection that has been answered once (so it was admitted) and stays open."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    data = b""
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        chunk = sock.recv(4096)
        assert chunk, f"closed before answering: {data!r}"
        data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data
    return sock


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def make_server(tmp_path):
    started = []

    def make(env=None, preexec_fn=None) -> ServerProcess:
        server = ServerProcess(tmp_path / f"data{len(started)}", env=env, preexec_fn=preexec_fn).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server for the header, path and health checks (default settings)."""
    proc = ServerProcess(tmp_path_factory.mktemp("hardening") / "data").start()
    yield proc
    proc.stop()


# --------------------------------------------------------------------------- descriptors


def _low_descriptor_limit():
    # The server raises soft to hard at start, so the hard limit is what bounds it.
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def test_accept_backs_off_at_the_descriptor_limit(make_server):
    # A cap far above the descriptor limit, so accept() itself runs out (EMFILE).
    server = make_server(env={"CHGRID_NETWORK_MAX_CONNECTIONS": "100000",
                              "CHGRID_NETWORK_MAX_CONNECTIONS_PER_IP": "0"},
                         preexec_fn=_low_descriptor_limit)
    pid = server.proc.pid
    lines_before = len(server.log_path.read_text(errors="replace").splitlines())
    sockets = []
    try:
        for _ in range(300):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", server.port))
            sockets.append(sock)
        wait_until(lambda: "Too many open files" in server.log(), 10, "the server to hit its descriptor limit")
        cpu_start, wall_start = cpu_seconds(pid), time.monotonic()
        time.sleep(3)  # measuring CPU use over an interval: nothing to wait on instead
        cpu_share = (cpu_seconds(pid) - cpu_start) / (time.monotonic() - wall_start)
        log_lines = server.log_path.read_text(errors="replace").splitlines()[lines_before:]
        assert cpu_share < 0.5, f"server used {cpu_share:.0%} CPU while out of descriptors"
        assert len(log_lines) < 20, "\n".join(log_lines[:40])
        assert not any("Traceback" in line for line in log_lines)
    finally:
        for sock in sockets:
            sock.close()
    client, result, _ = register(server, "after_the_storm")  # accepts resumed
    assert result["ok"]
    client.close()


def test_per_ip_and_total_caps_refuse_politely(make_server):
    server = make_server(env={"CHGRID_NETWORK_MAX_CONNECTIONS": "8",
                              "CHGRID_NETWORK_MAX_CONNECTIONS_PER_IP": "5"})
    port = server.port
    # Websockets count too, after their upgrade: three of them plus two HTTP keep-alives.
    players = [register(server, f"capped{i}")[0] for i in range(3)]
    held = [keep_alive(port), keep_alive(port)]
    try:
        status, headers, body = get(port, "/")
        assert status == 503, body
        assert headers["retry-after"].isdigit() and headers["connection"].lower() == "close"
        assert headers["x-content-type-options"] == "nosniff"
        # Another address still gets in until the total cap (8) is reached.
        held += [keep_alive(port, "127.0.0.2") for _ in range(3)]
        assert get_from(port, "127.0.0.3")[0] == 503
        # Closing one frees its place once the server sees the close.
        players.pop().close()
        wait_until(lambda: get_from(port, "127.0.0.1")[0] == 200, 10, "a freed place")
        server_log = server.log()
        assert "refused 1 connection(s) over the per-IP (5) cap" in server_log
        assert "refused 1 connection(s) over the total (8) cap" in server_log
    finally:
        for sock in held:
            sock.close()
        for player in players:
            player.close()


def get_from(port: int, source: str) -> tuple[int, dict[str, str], bytes]:
    head = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    return parse_response(raw_request(port, head, source=source))


# --------------------------------------------------------------------------- timeouts


def test_slow_heads_and_bodies_are_dropped(make_server):
    server = make_server(env={"CHGRID_NETWORK_HTTP_HEADER_TIMEOUT_S": "1",
                              "CHGRID_NETWORK_HTTP_BODY_TIMEOUT_S": "1"})
    slow = []
    for _ in range(100):  # slowloris: a partial head, then one byte at a time
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        slow.append(sock)
    body = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    body.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nab")
    slow.append(body)
    open_ = set(slow)
    deadline = time.monotonic() + 8
    try:
        while open_ and time.monotonic() < deadline:
            for sock in list(open_):
                try:
                    sock.send(b"a")
                except OSError:
                    open_.discard(sock)  # reset by the server: dropped
            readable, _, _ = select.select(list(open_), [], [], 0.2)
            for sock in readable:
                try:
                    if not sock.recv(4096):
                        open_.discard(sock)
                except OSError:
                    open_.discard(sock)
        assert not open_, f"{len(open_)} of {len(slow)} slow requests still open after 8 s"
    finally:
        for sock in slow:
            sock.close()
    assert "Traceback" not in server.log()


# --------------------------------------------------------------------------- static paths


BAD_PATHS = ["/..%00/etc/passwd", "/%00", "/index.html%00.js", "/a%0ab", "/%ff", "/%c0%ae%c0%ae/",
             "/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/js/../../pyproject.toml",
             "/..%2f..%2fetc/passwd", "/" + "a" * 5000]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_bad_static_paths_are_400_or_404(server, path):
    status, headers, body = get(server.port, path)
    assert status in (400, 404), (status, body[:300])
    assert b"root:" not in body
    assert headers["x-content-type-options"] == "nosniff"


def test_bad_static_paths_leave_no_traceback(server):
    for path in BAD_PATHS:
        get(server.port, path)
    log = server.log()
    assert "Traceback" not in log and " 500 " not in log, log[-3000:]


# --------------------------------------------------------------------------- headers


def assert_security_headers(headers: dict[str, str], what: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name) == value, (what, name, headers)
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, (what, csp)
    assert "'unsafe-inline'" not in csp
    assert "server" not in headers, (what, headers.get("server"))
    assert "strict-transport-security" not in headers, what  # plain HTTP: no HSTS


def websocket_handshake(port: int) -> tuple[int, dict[str, str]]:
    key = base64.b64encode(os.urandom(16)).decode()
    head = (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            assert chunk
            data += chunk
    status, headers, _ = parse_response(data)
    return status, headers


def test_security_headers_on_every_kind_of_answer(server):
    answers = {
        "static file": get(server.port, "/"),
        "script": get(server.port, "/js/main.js"),
        "404": get(server.port, "/no-such-file"),
        "400": get(server.port, "/%00"),
        "cookie endpoint": get(server.port, "/auth/session/check", "X-Chgrid-Auth-Client: 1"),
        "healthz": get(server.port, "/healthz"),
    }
    assert answers["static file"][0] == 200 and answers["404"][0] == 404
    assert answers["cookie endpoint"][0] in (401, 403)
    for what, (_, headers, _) in answers.items():
        assert_security_headers(headers, what)
    status, headers = websocket_handshake(server.port)
    assert status == 101
    assert_security_headers(headers, "websocket 101")


def test_csp_is_configurable_and_can_be_turned_off(make_server):
    custom = "default-src 'self'; frame-ancestors 'none'"
    server = make_server(env={"CHGRID_WEB_CONTENT_SECURITY_POLICY": custom})
    assert get(server.port, "/")[1]["content-security-policy"] == custom
    off = make_server(env={"CHGRID_WEB_CONTENT_SECURITY_POLICY": "none"})
    _, headers, _ = get(off.port, "/")
    assert "content-security-policy" not in headers and headers["x-frame-options"] == "DENY"


# --------------------------------------------------------------------------- /healthz


def test_healthz_tells_figures_only_to_the_operator_token(server):
    import json

    status, _, body = get(server.port, "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    _, _, body = get(server.port, "/healthz", "Authorization: Bearer wrong-token")
    assert json.loads(body) == {"status": "ok"}
    _, _, body = get(server.port, "/healthz", f"Authorization: Bearer {TEST_HEALTH_TOKEN}")
    figures = json.loads(body)
    assert figures["status"] == "ok" and figures["connectedUsers"] == 0
    assert {"version", "clientVersion", "instanceId", "uptimeSeconds"} <= set(figures)
    assert TEST_HEALTH_TOKEN not in server.log()


def test_healthz_without_a_configured_token_is_always_minimal(make_server):
    import json

    server = make_server(env={"CHGRID_HEALTH_TOKEN": ""})
    for header in ((), ("Authorization: Bearer ",), (f"Authorization: Bearer {TEST_HEALTH_TOKEN}",)):
        assert json.loads(get(server.port, "/healthz", *header)[2]) == {"status": "ok"}


# --------------------------------------------------------------------------- TLS


class TlsServer(ServerProcess):
    """The server under TLS; its start-up poll speaks https to the self-signed cert."""

    @property
    def http_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "TlsServer":
        import ssl
        import urllib.request

        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        urllib.request.install_opener(urllib.request.build_opener(urllib.request.HTTPSHandler(context=unverified)))
        try:
            super().start(timeout)
        finally:
            urllib.request.install_opener(None)
        return self


def test_tls_adds_hsts_and_refuses_over_the_cap_by_closing(tmp_path):
    import ssl

    cert, key = self_signed_cert(tmp_path)
    server = TlsServer(tmp_path / "data", extra_args=["--ssl-cert", cert, "--ssl-key", key],
                       env={"CHGRID_NETWORK_MAX_CONNECTIONS_PER_IP": "1"}).start()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        def tls_get(sock: socket.socket) -> bytes:
            with context.wrap_socket(sock) as tls:
                tls.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n".encode())
                data = b""
                while chunk := tls.recv(65536):
                    data += chunk
                return data

        def first_answer() -> bytes | None:
            try:  # the start-up poll's connection may not be seen closed yet (cap 1)
                return tls_get(socket.create_connection(("127.0.0.1", server.port), timeout=10))
            except OSError:
                return None

        status, headers, _ = parse_response(wait_until(first_answer, 10, "an answer over TLS"))
        assert status == 200 and headers["strict-transport-security"].startswith("max-age=")
        assert_security_headers({k: v for k, v in headers.items() if k != "strict-transport-security"}, "tls")

        # The one allowed connection is held open; the next gets no plaintext 503, just a close.
        held = context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        held.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n\r\n".encode())
        assert held.recv(65536).startswith(b"HTTP/1.1 200")
        refused = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        with pytest.raises((ssl.SSLError, OSError)):
            tls_get(refused)
        held.close()
    finally:
        server.stop()


# --------------------------------------------------------------------------- client address


def ws_login_replies(port: int, forwarded_for: str, usernames: list[str]) -> list[str]:
    """Wrong-password logins over one real websocket from ``forwarded_for``; the message
    of each auth_result."""
    ws = websocket.create_connection(f"ws://127.0.0.1:{port}/ws", timeout=10,
                                     header=[f"X-Forwarded-For: {forwarded_for}"])
    messages = []
    try:
        while json.loads(ws.recv())["type"] != "auth_required":
            pass
        for username in usernames:
            ws.send(json.dumps({"type": "auth_login", "username": username, "password": "wrong-password"}))
            while (packet := json.loads(ws.recv()))["type"] != "auth_result":
                pass
            messages.append(packet["message"])
    finally:
        ws.close()
    return messages


def test_cookie_check_and_websocket_throttle_the_same_client_address(make_server):
    """Behind a trusted proxy, failed cookie checks count against the forwarded client
    address, the same per-address budget (auth.md §10) the websocket's logins use."""
    server = make_server(env={"CHGRID_NETWORK_TRUST_FORWARDED_FOR": "1"})
    for attempt in range(IDENTITY_LIMIT):  # all the cookie checks one address gets
        # The part before the proxy's own entry comes from the client: varying it must not
        # give a fresh budget.
        status, _, body = get(server.port, "/auth/session/check", "X-Chgrid-Auth-Client: 1",
                              "Cookie: chgrid_session_token=not-a-token",
                              f"X-Forwarded-For: 10.0.0.{attempt}, 198.51.100.7")
        assert (status, body) == (401, b"invalid session")
    left = IP_LIMIT - IDENTITY_LIMIT  # what the address has left for logins
    names = [f"user{n}" for n in range(left + 1)]
    assert ws_login_replies(server.port, "198.51.100.7", names) == [LOGIN_FAILED] * left + [RATE_LIMITED]
    assert ws_login_replies(server.port, "203.0.113.9", names[:1]) == [LOGIN_FAILED]


def test_client_address_takes_the_proxys_entry_only_when_trusted():
    request = types.SimpleNamespace(remote_ip="127.0.0.1", headers=HTTPHeaders(
        {"X-Forwarded-For": "6.6.6.6, 198.51.100.7", "X-Real-IP": "192.0.2.1"}))
    trusting, direct = (types.SimpleNamespace(trust_forwarded_for=value) for value in (True, False))
    assert client_address(request, trusting) == "198.51.100.7"
    assert client_address(request, direct) == "127.0.0.1"
    request.headers = HTTPHeaders({"X-Real-IP": " 192.0.2.1 "})
    assert client_address(request, trusting) == "192.0.2.1"
    request.headers = HTTPHeaders()
    assert client_address(request, trusting) == "127.0.0.1"
