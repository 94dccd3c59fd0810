"""Per-connection websocket bounds (issue 11), against a real server over real sockets:
queued outbound bytes (replies too, tighter before login), queued inbound bytes, the
authentication deadline, and the 1007 close for invalid UTF-8.

Each test has a server of its own: most configure it (bounds, deadline, hash cost) and
fill it with floods; the 1007 test is the only one on a default server, so there is
nothing to share. Each flood test takes at least 5 s: Tornado waits that long (a
constant of its own) for the close frame of a peer that never reads before it drops it.
"""
from __future__ import annotations

import inspect
import json
import socket
import time

import pytest

from tests import rawws
from tests.support import Client, ConnectionClosed, ServerProcess, register

RSS_GROWTH_BOUND_MIB = 40
FLOOD_SECONDS = 20  # the old server never dropped a flooder; the new one does within ~6 s


def start(tmp_path, **env) -> ServerProcess:
    return ServerProcess(tmp_path / "data", env={k: str(v) for k, v in env.items()}).start()


def rss_mib(server: ServerProcess) -> float:
    with open(f"/proc/{server.proc.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def raw_register(server: ServerProcess, username: str) -> socket.socket:
    """A raw websocket, registered and past its ``welcome``; then never read again."""
    sock = rawws.connect(server.port, rcvbuf=4096)
    packet = {"type": "auth_register", "username": username, "password": "password123"}
    sock.sendall(rawws.frame(json.dumps(packet).encode()))
    buf = b""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        frames, buf = rawws.split_frames(buf + sock.recv(65536))
        if any(b'"type":"welcome"' in payload for _, payload in frames):
            return sock
    raise AssertionError("no welcome")


CLOSE_LOGGED = "bytes waiting to be sent"  # chgrid.web.ws logs each connection it closes so


def closes_logged(server: ServerProcess) -> int:
    return server.log_count(CLOSE_LOGGED)


def flood(server: ServerProcess, sock: socket.socket, frame: bytes, stop=lambda: False) -> tuple[str, float]:
    """Send ``frame`` in bursts, never reading, until the server drops the socket (a send
    fails: "dropped"), ``stop()`` is true ("stopped"), memory grows past the bound
    ("memory") or FLOOD_SECONDS pass ("timeout"). Returns (outcome, peak RSS growth, MiB)."""
    burst = frame * 200
    start = peak = rss_mib(server)
    sock.settimeout(5)
    deadline = time.monotonic() + FLOOD_SECONDS
    next_sample = 0.0
    outcome = "timeout"
    while time.monotonic() < deadline:
        try:
            sock.sendall(burst)
        except OSError:  # reset / broken pipe: the server let go of the connection
            outcome = "dropped"
            break
        if time.monotonic() >= next_sample:
            peak = max(peak, rss_mib(server))
            next_sample = time.monotonic() + 0.1
            if peak - start > RSS_GROWTH_BOUND_MIB:
                outcome = "memory"
                break
            if stop():
                outcome = "stopped"
                break
    return outcome, max(peak, rss_mib(server)) - start


def assert_unread_flood_bounded(server: ServerProcess, connect, frame: bytes) -> None:
    # The server closes (1008) the moment the unread bytes pass the bound; the close frame
    # waits behind them, so a client that starts reading then still gets it.
    before = closes_logged(server)
    sock = connect()
    outcome, growth = flood(server, sock, frame, stop=lambda: closes_logged(server) > before)
    assert outcome == "stopped", f"no close logged: {outcome}, RSS +{growth:.0f} MiB"
    how, code, _ = rawws.read_to_end(sock, timeout=10)
    assert (how, code) == ("close", 1008)
    # A flooder that never reads is dropped after the close handshake's wait (its queue
    # goes with the stream), and memory stays bounded meanwhile.
    outcome, growth = flood(server, connect(), frame)
    assert outcome == "dropped", f"server kept an unread flooder: {outcome}, RSS +{growth:.0f} MiB"
    assert growth < RSS_GROWTH_BOUND_MIB


UNKNOWN = rawws.frame(json.dumps({"type": "z" * 64}).encode())
# The largest pong a ping can ask for: 1e300 comes back as its 301 digits, so the unread
# replies pile up in a tenth of the frames (and time) small pings would need.
PING = rawws.frame(b'{"type":"ping","clientSentAt":1e300}')


def test_unread_replies_before_login_are_bounded(tmp_path):
    server = start(tmp_path)
    try:
        assert_unread_flood_bounded(server, lambda: rawws.connect(server.port, rcvbuf=4096), UNKNOWN)
        client = Client(server.ws_url)  # and everyone else is still served
        client.expect("auth_required")
    finally:
        server.stop()


def test_unread_replies_after_login_are_bounded(tmp_path):
    # A smaller outbound bound than the default only keeps the run short.
    server = start(tmp_path, CHGRID_NETWORK_OUTBOUND_BUFFER_BYTES=250_000)
    try:
        names = iter(("pinger1", "pinger2"))
        assert_unread_flood_bounded(server, lambda: raw_register(server, next(names)), PING)
    finally:
        server.stop()


def test_unauthenticated_connection_closed_at_the_deadline(tmp_path):
    # A real second must pass: the deadline runs on the server's own clock.
    server = start(tmp_path, CHGRID_NETWORK_AUTH_TIMEOUT_S=1)
    try:
        member, _, _ = register(server, "member")
        trying = Client(server.ws_url)
        trying.expect("auth_required")
        idle = Client(server.ws_url)
        idle.expect("auth_required")
        # Failed logins do not extend the deadline: this one keeps trying, all the while
        # refused (wrong password, then rate limited), and is closed at the deadline.
        with pytest.raises(ConnectionClosed) as trying_closed:
            deadline = time.monotonic() + 15  # bounds a failure only
            while time.monotonic() < deadline:
                trying.send({"type": "auth_login", "username": "member", "password": "wrong-password"})
                assert trying.expect("auth_result")["ok"] is False
        assert (trying_closed.value.code, trying_closed.value.reason) == (1008, "Authentication timed out.")
        assert len(trying.received) > 2  # it did try
        # The one that only waited, opened with it, is closed too.
        with pytest.raises(ConnectionClosed) as idle_closed:
            idle.expect("nothing-ever", timeout=15)
        assert (idle_closed.value.code, idle_closed.value.reason) == (1008, "Authentication timed out.")
        # The member, connected for longer than the deadline, is still served.
        member.send({"type": "ping", "clientSentAt": 5})
        assert member.expect("pong")["clientSentAt"] == 5
    finally:
        server.stop()


def test_invalid_utf8_text_frame_closes_with_1007(server):
    sock = rawws.connect(server.port)
    sock.sendall(rawws.frame(b'{"type":"chat","message":"\xff\xfe"}'))
    how, code, _ = rawws.read_to_end(sock, timeout=10)
    assert (how, code) == ("close", 1007)
    # Valid non-ASCII text still passes (the check is on the bytes, not on ASCII).
    client = Client(server.ws_url)
    client.expect("auth_required")
    client.send('{"type":"zé"}')
    assert client.expect("protocol_error")["packetType"] == "zé"


def test_tornado_internals_behind_the_1007_close():
    """chgrid.web.wsprotocol subclasses Tornado's protocol; fail loudly if a Tornado upgrade
    moves what it relies on, rather than silently going back to dropping the socket."""
    from tornado.websocket import WebSocketHandler, WebSocketProtocol13, _WebSocketParams

    from chgrid.web.ws import GridSocket
    from chgrid.web.wsprotocol import StrictTextProtocol

    def params(fn):
        return list(inspect.signature(fn).parameters)

    assert params(WebSocketProtocol13.__init__) == ["self", "handler", "mask_outgoing", "params"]
    assert params(WebSocketProtocol13._handle_message) == ["self", "opcode", "data"]
    assert params(_WebSocketParams.__init__) == [
        "self", "ping_interval", "ping_timeout", "max_message_size", "compression_options"]
    tornado_builder = inspect.getsource(WebSocketHandler.get_websocket_protocol)
    assert "WebSocketProtocol13(self, False, params)" in tornado_builder
    assert "self._frame_compressed" in inspect.getsource(WebSocketProtocol13.__init__)
    assert GridSocket.get_websocket_protocol is not WebSocketHandler.get_websocket_protocol
    assert issubclass(StrictTextProtocol, WebSocketProtocol13)


def test_inbound_bytes_waiting_behind_a_slow_login_are_bounded(tmp_path):
    # A costly hash keeps the registration (and every frame behind it) waiting: about a
    # second here (the server also makes one such hash as it starts), where sending the
    # frames takes under a tenth of that.
    server = start(tmp_path, CHGRID_AUTH_PBKDF2_ITERATIONS=8_000_000)
    try:
        sock = rawws.connect(server.port)
        packet = {"type": "auth_register", "username": "slowpoke", "password": "password123"}
        sock.sendall(rawws.frame(json.dumps(packet).encode()))
        big = rawws.frame(json.dumps({"type": "chat", "message": "x" * 1_900_000}).encode())
        for _ in range(6):  # ~11.4 MB, beyond the 8 MB default, far below 256 frames
            sock.sendall(big)
        how, code, _ = rawws.read_to_end(sock, timeout=10)
        assert (how, code) == ("close", 1008)
    finally:
        server.kill()  # a clean stop would wait out the costly hash still running
