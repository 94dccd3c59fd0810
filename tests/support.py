"""Test support: a real chgrid server process and a real websocket client.

``ServerProcess`` runs ``python -m chgrid serve`` on a free port with a temporary data
dir (restartable on the same port and data, killable with SIGKILL). Its output is copied
line by line into ``server.log`` by a thread that wakes whoever waits for a line, so
start-up and ``wait_for_log`` wait on the output itself instead of polling. ``Client``
talks to it over a real websocket and checks every packet it receives against the wire
rules.

With ``CHGRID_TEST_DATABASE=postgresql`` in the environment, a ``ServerProcess`` not given
a database runs on PostgreSQL instead of SQLite: a database of its own, named after its
data dir (so a restart finds its data again), on the test process's PostgreSQL server
(``tests.pg_server.shared_server``), given in its environment
(``CHGRID_STORAGE_DATABASE_URL``), so ``chgrid admin`` run with ``server.env`` works on
it too. ``database_url`` says which one (None: SQLite in the data dir), ``sql()`` reads
it behind the server's back and ``copy_data_dir`` copies a data dir with its database.

A server shared by the tests of a module hands each test its own turn (``own_peer``):
the test's connections come from a loopback address of their own, so the per-address
rate limits and caps see a new client machine, and they are closed when the test ends.
"""
from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websocket

from chgrid.protocol import validate_outbound

ROOT = Path(__file__).resolve().parents[1]
TEST_ITERATIONS = "1000"
TEST_SECRET = "test-secret-not-for-production-0123456789abcdef"
TEST_HEALTH_TOKEN = "test-health-token-0123456789"
TEST_DATABASE_ENV = "CHGRID_TEST_DATABASE"


def self_signed_cert(folder: Path) -> tuple[str, str]:
    """A one-day self-signed EC certificate for ``localhost``: (cert path, key path)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = Path(folder) / "cert.pem", Path(folder) / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def test_database_is_postgres() -> bool:
    """Whether servers without a database of their own run on PostgreSQL in this run."""
    return os.environ.get(TEST_DATABASE_ENV, "").lower() in ("postgresql", "postgres")


def copy_data_dir(source: Path, target: Path) -> None:
    """Copy a (stopped) server's data dir, and on PostgreSQL its database: a server on
    ``target`` starts with the data a server on ``source`` had."""
    shutil.copytree(source, target)
    if test_database_is_postgres():
        from tests.pg_server import clone_database_for_key

        clone_database_for_key(str(Path(source).resolve()), str(Path(target).resolve()))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A chgrid server subprocess."""

    def __init__(self, data_dir: Path, port: int | None = None, extra_args=(), env=None, preexec_fn=None):
        self.data_dir = Path(data_dir)
        self.preexec_fn = preexec_fn  # e.g. lower resource limits in the child
        self.port = port or free_port()
        self.extra_args = list(extra_args)
        self.env = dict(os.environ)
        self.env.update(
            {
                "CHGRID_AUTH_PBKDF2_ITERATIONS": TEST_ITERATIONS,
                "CHGRID_AUTH_SECRET": TEST_SECRET,
                "CHGRID_HEALTH_TOKEN": TEST_HEALTH_TOKEN,
                "PYTHONUNBUFFERED": "1",
            }
        )
        self.env.update(env or {})
        self.database_url = self._database_choice()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir / "server.log"
        # Every output line of every run of this object, and a condition that is
        # notified for each new line and when the output ends.
        self._lines: list[str] = []
        self._output = threading.Condition()
        self._output_open = False
        self._pump: threading.Thread | None = None

    def _database_choice(self) -> str | None:
        """The database URL this server runs on; None: SQLite in the data dir."""
        if "--database-url" in self.extra_args:
            return self.extra_args[self.extra_args.index("--database-url") + 1]
        if self.env.get("CHGRID_STORAGE_DATABASE_URL"):
            return self.env["CHGRID_STORAGE_DATABASE_URL"]
        if not test_database_is_postgres():
            return None
        from tests.pg_server import database_for_key

        url = database_for_key(str(self.data_dir.resolve()))
        self.env["CHGRID_STORAGE_DATABASE_URL"] = url
        return url

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        """Run one statement (``?`` placeholders) on the server's database; its rows."""
        from tests.db_access import run_sql

        return run_sql(self.database_url or f"sqlite:///{self.data_dir.resolve() / 'chgrid.db'}",
                       statement, params)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 30.0) -> "ServerProcess":
        """Start the server and return once it answers ``/healthz``.

        The health check is made when a line naming the port appears (the server logs
        its address once it listens); until then this waits on the output, not a clock.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        first_line = len(self._lines)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chgrid", "serve", "--port", str(self.port),
             "--data-dir", str(self.data_dir), *self.extra_args],
            cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            preexec_fn=self.preexec_fn,
        )
        with self._output:
            self._output_open = True
        self._pump = threading.Thread(target=self._copy_output, args=(self.proc.stdout,),
                                      name=f"server-output-{self.port}", daemon=True)
        self._pump.start()
        try:
            self._wait_until_serving(first_line, timeout)
        except RuntimeError:
            self.kill()
            raise
        return self

    def _copy_output(self, stream) -> None:
        """The output pump: server output to ``server.log`` (flushed per line) and to the
        waiters. Runs until the process closes its output (exit or kill)."""
        with stream, open(self.log_path, "ab") as log:
            for raw in iter(stream.readline, b""):
                log.write(raw)
                log.flush()
                with self._output:
                    self._lines.append(raw.decode(errors="replace"))
                    self._output.notify_all()
        with self._output:
            self._output_open = False
            self._output.notify_all()

    def _wait_until_serving(self, first_line: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        port_mark = f":{self.port}"
        read = first_line
        port_seen = False
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"server did not start:\n{self.log()}")
            # Normally the line naming the port comes after the socket listens and the
            # first check answers. Should a future banner come first, re-check shortly
            # after it instead of waiting for a line that may never come.
            wait = min(remaining, 0.1) if port_seen else remaining
            with self._output:
                self._output.wait_for(lambda: len(self._lines) > read or not self._output_open, wait)
                new, read, still_open = self._lines[read:], len(self._lines), self._output_open
            port_seen = port_seen or any(port_mark in line for line in new)
            if port_seen and self._answers_health_check():
                return
            if not still_open:
                self.proc.wait()
                raise RuntimeError(f"server exited early:\n{self.log()}")

    def _answers_health_check(self) -> bool:
        try:
            with urllib.request.urlopen(self.http_url + "/healthz", timeout=5) as resp:
                return resp.status == 200
        except OSError:
            return False

    def log_count(self, text: str) -> int:
        """How many output lines of this server (all runs) contain ``text``."""
        with self._output:
            return sum(text in line for line in self._lines)

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 30.0) -> None:
        """Wait until ``count`` output lines contain ``text``; the timeout only bounds a
        failure (the wait ends at the line itself)."""
        with self._output:
            self._output.wait_for(
                lambda: sum(text in line for line in self._lines) >= count or not self._output_open, timeout)
        if self.log_count(text) < count:
            raise AssertionError(f"{text!r} logged {self.log_count(text)} of {count} time(s):\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def _end_output(self) -> None:
        # The process is gone: let the pump copy its last lines before anyone reads them.
        if self._pump is not None:
            self._pump.join(timeout=10)

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            self._end_output()
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._end_output()
        return code

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self._end_output()

    def health(self) -> dict:
        """The full /healthz figures (asked with the operator token)."""
        request = urllib.request.Request(self.http_url + "/healthz",
                                         headers={"Authorization": f"Bearer {TEST_HEALTH_TOKEN}"})
        with urllib.request.urlopen(request, timeout=5) as resp:
            return json.loads(resp.read())


@dataclass
class _Peer:
    """One test's turn on a shared server: its source address and its clients."""

    address: str
    clients: list = field(default_factory=list)


_peer: _Peer | None = None  # tests run one at a time in a process
_peer_numbers = itertools.count(1)


@contextlib.contextmanager
def own_peer(server: ServerProcess):
    """Run one test on a server shared with other tests, as a client machine of its own.

    Its websockets (``Client``) and ``http_get`` requests come from a loopback address
    of their own (127.1.x.y), so the server's per-address state (the auth rate limits'
    20-failure window, the per-address connection cap) starts fresh for it. At the end
    every ``Client`` it opened is closed with the close handshake; the server has then
    let go of them before it reads anything from the next test, which checks here that
    as many users are online as when the test began.
    """
    global _peer
    online = server.health()["connectedUsers"]
    number = next(_peer_numbers)
    peer = _Peer(f"127.1.{number // 250}.{number % 250 + 1}")
    _peer = peer
    try:
        yield peer.address
    finally:
        _peer = None
        for client in peer.clients:
            client.close()
    left_online = server.health()["connectedUsers"]
    assert left_online == online, f"{left_online - online} user(s) of this test still online"


def _socket_from_peer(url: str, timeout: float) -> socket.socket | None:
    """A TCP connection to ``url``'s host from the current peer's address (None: the
    default address, and websocket-client connects by itself)."""
    if _peer is None:
        return None
    parts = urllib.parse.urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout,
                                    source_address=(_peer.address, 0))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as websocket-client does
    return sock


def http_get(server: ServerProcess, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
    """``GET path`` over plain HTTP (from the current peer's address): (status, headers, body)."""
    source = (_peer.address, 0) if _peer is not None else None
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10, source_address=source)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.headers), resp.read().decode()
    finally:
        conn.close()


class Client:
    """A websocket client that validates every packet it receives. ``options`` go to
    ``websocket.create_connection`` (``origin``, ``suppress_origin``, ...)."""

    def __init__(self, url: str, cookie: str | None = None, timeout: float = 10.0, **options):
        headers = [f"Cookie: chgrid_session_token={cookie}"] if cookie else None
        self.ws = websocket.create_connection(url, timeout=timeout, header=headers,
                                              socket=_socket_from_peer(url, timeout), **options)
        self.timeout = timeout
        self.received: list[dict] = []
        self.closed_code: int | None = None
        if _peer is not None:
            _peer.clients.append(self)

    def send(self, packet: dict | str | bytes) -> None:
        if isinstance(packet, dict):
            self.ws.send(json.dumps(packet))
        elif isinstance(packet, bytes):
            self.ws.send_binary(packet)
        else:
            self.ws.send(packet)

    def recv(self, timeout: float | None = None) -> dict:
        self.ws.settimeout(timeout or self.timeout)
        opcode, data = self.ws.recv_data()
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            self.closed_code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            raise ConnectionClosed(self.closed_code, data[2:].decode(errors="replace"))
        packet = json.loads(data)
        problems = validate_outbound(packet)
        assert not problems, f"bad packet from server: {packet}: {problems}"
        self.received.append(packet)
        return packet

    def expect(self, packet_type: str, timeout: float | None = None, where=None, **fields) -> dict:
        """Read until a packet of ``packet_type`` (matching ``fields`` and the optional
        ``where`` predicate) arrives; packets read on the way are skipped."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {packet_type} {fields}; got {self.received[-10:]}")
            packet = self.recv(remaining)
            if packet["type"] == packet_type and all(packet.get(k) == v for k, v in fields.items()):
                if where is None or where(packet):
                    return packet

    def next(self, timeout: float | None = None) -> dict:
        return self.recv(timeout)

    def nothing(self, wait: float = 0.3) -> None:
        """Assert that no packet arrives within ``wait`` seconds. Prefer ``settle``, which
        waits for an answer instead of for time to pass, wherever the room is involved."""
        try:
            packet = self.recv(wait)
        except websocket.WebSocketTimeoutException:
            return
        raise AssertionError(f"unexpected packet: {packet}")

    def close(self) -> None:
        """Close with the closing handshake: once the server's close frame is read, the
        server has let go of the connection (its ``on_close`` runs next on its loop)."""
        try:
            self.ws.close()
        except Exception:
            pass


class ConnectionClosed(Exception):
    def __init__(self, code, reason):
        super().__init__(f"closed {code} {reason}")
        self.code = code
        self.reason = reason


def register(server: ServerProcess, username: str, password: str = "password123", **kw) -> tuple[Client, dict, dict]:
    """Connect, register, and return (client, auth_result, welcome)."""
    client = Client(server.ws_url, **kw)
    client.expect("auth_required")
    client.send({"type": "auth_register", "username": username, "password": password})
    result = client.expect("auth_result")
    assert result["ok"], result
    welcome = client.expect("welcome")
    return client, result, welcome


def login(server: ServerProcess, username: str, password: str = "password123") -> tuple[Client, dict, dict]:
    client = Client(server.ws_url)
    client.expect("auth_required")
    client.send({"type": "auth_login", "username": username, "password": password})
    result = client.expect("auth_result")
    assert result["ok"], result
    welcome = client.expect("welcome")
    return client, result, welcome


def settle(client: Client) -> list[dict]:
    """A round trip through the room: the packets that reached ``client`` before the
    room answered a request sent now.

    The request is a blank nickname, which the room refuses at once (or its action limit
    does) and which changes nothing. One connection's packets reach the room in order and
    the room's frames leave in the order of its steps, so anything the room had already
    decided to send this client arrives first: ``settle(c) == []`` means nothing was on
    its way, with no waiting for time to pass. Settle the sender of an earlier packet
    first when another client's packets are in question.
    """
    start = len(client.received)
    client.send({"type": "update_nickname", "nickname": "   "})
    client.expect("nickname_result", accepted=False)
    return client.received[start:-1]


_name_numbers = itertools.count(1)


def unique(name: str) -> str:
    """``name`` with a number no other call in this process got: a username (or email
    part) of its own for a test on a shared server."""
    return f"{name}{next(_name_numbers)}"
