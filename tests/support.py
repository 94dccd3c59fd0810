"""Test support: a real chgrid server process and a real websocket client.

``ServerProcess`` runs ``python -m chgrid serve`` on a free port with a temporary data
dir (restartable on the same port and data, killable with SIGKILL). ``Client`` talks to
it over a real websocket and checks every packet it receives against the wire rules.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import websocket

from chgrid.protocol import validate_outbound

ROOT = Path(__file__).resolve().parents[1]
TEST_ITERATIONS = "1000"
TEST_SECRET = "test-secret-not-for-production-0123456789abcdef"
TEST_HEALTH_TOKEN = "test-health-token-0123456789"


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
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir / "server.log"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self, timeout: float = 30.0) -> "ServerProcess":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chgrid", "serve", "--port", str(self.port),
             "--data-dir", str(self.data_dir), *self.extra_args],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=self.preexec_fn,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.http_url + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"server did not start:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-5000:]
        except OSError:
            return ""

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def health(self) -> dict:
        """The full /healthz figures (asked with the operator token)."""
        request = urllib.request.Request(self.http_url + "/healthz",
                                         headers={"Authorization": f"Bearer {TEST_HEALTH_TOKEN}"})
        with urllib.request.urlopen(request, timeout=5) as resp:
            return json.loads(resp.read())


class Client:
    """A websocket client that validates every packet it receives."""

    def __init__(self, url: str, cookie: str | None = None, timeout: float = 10.0):
        headers = [f"Cookie: chgrid_session_token={cookie}"] if cookie else None
        self.ws = websocket.create_connection(url, timeout=timeout, header=headers)
        self.timeout = timeout
        self.received: list[dict] = []
        self.closed_code: int | None = None

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
        """Assert that no packet arrives within ``wait`` seconds."""
        try:
            packet = self.recv(wait)
        except websocket.WebSocketTimeoutException:
            return
        raise AssertionError(f"unexpected packet: {packet}")

    def close(self) -> None:
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
