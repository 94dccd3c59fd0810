"""A real ``redis-server`` for tests, on a free loopback port in a temporary directory.

Nothing is persisted (``--save '' --appendonly no``): a killed or stopped server comes
back empty, as a Redis restart without persistence does in production. Start-up waits on
the server's own "Ready to accept connections" line, not a clock. Usable outside pytest::

    server = RedisServer(tmpdir).start()
    ... server.url ...
    server.kill(); server.start()   # a crash and a restart on the same port
    server.stop()

The pytest fixtures ``redis_server`` (one per session) and ``redis_url`` (FLUSHALL
first) live in ``tests/conftest.py``.
"""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import threading
from pathlib import Path

from tests.support import free_port

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
READY_LINE = "Ready to accept connections"


class RedisServer:
    """One ``redis-server`` process; restartable on the same port (``kill`` then ``start``)."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = Path(folder)
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = self.folder / "redis.log"
        self._lines: list[str] = []
        self._output = threading.Condition()
        self._output_open = False
        self._pump: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 30.0) -> "RedisServer":
        """Start the server; return once it logs that it accepts connections."""
        self.folder.mkdir(parents=True, exist_ok=True)
        first_line = len(self._lines)
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.folder),
             "--daemonize", "no", "--logfile", "", "--loglevel", "notice"],
            cwd=self.folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        with self._output:
            self._output_open = True
        self._pump = threading.Thread(target=self._copy_output, args=(self.proc.stdout,),
                                      name=f"redis-output-{self.port}", daemon=True)
        self._pump.start()
        try:
            self._wait_ready(first_line, timeout)
        except RuntimeError:
            self.kill()
            raise
        return self

    def _copy_output(self, stream) -> None:
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

    def _wait_ready(self, first_line: int, timeout: float) -> None:
        def ready_or_gone() -> bool:
            return any(READY_LINE in line for line in self._lines[first_line:]) or not self._output_open

        with self._output:
            self._output.wait_for(ready_or_gone, timeout)
            ready = any(READY_LINE in line for line in self._lines[first_line:])
        if not ready:
            raise RuntimeError(f"redis-server did not start on port {self.port}:\n{self.log()}")

    def log(self) -> str:
        with self._output:
            return "".join(self._lines)[-5000:]

    def command(self, *args: str, timeout: float = 10.0) -> str:
        """Send one command over a plain socket; the first line of the reply (``+OK``,
        ``:1``...). Enough for FLUSHALL and DBSIZE without a client library."""
        request = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as sock:
            sock.sendall(request.encode())
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
        return reply.decode(errors="replace").split("\r\n", 1)[0]

    def flushall(self) -> None:
        reply = self.command("FLUSHALL")
        if reply != "+OK":
            raise RuntimeError(f"FLUSHALL answered {reply!r}")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _end_output(self) -> None:
        if self._pump is not None:
            self._pump.join(timeout=10)

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM (a clean shutdown; nothing is saved) and wait."""
        if self.running:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._end_output()

    def kill(self) -> None:
        """SIGKILL: the crash a restart test needs."""
        if self.running:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self._end_output()

