"""A throw-away PostgreSQL server for tests and benchmarks.

``PostgresServer(tmpdir).start()`` runs Debian's PostgreSQL (``/usr/lib/postgresql/*/bin``)
from a fresh ``initdb`` in a folder of its own under ``tmpdir``, listening on a free
loopback port (its unix socket stays inside that folder), and ``stop()`` shuts it down
and removes the folder. ``create_database(name)`` makes an empty database and returns
its URL, ``postgresql://USER:PASSWORD@127.0.0.1:PORT/NAME``.

PostgreSQL refuses to run as root: when we are root, the server runs as the
``postgres`` system user, so its folder is owned by that user and must lie where that
user can reach it (a ``tmpdir`` it cannot traverse, such as pytest's 0700 base folder,
is replaced by the system temporary folder). Clients connect over TCP with a
password (scram), as a deployment would.

The server dies with us: it is asked to stop at interpreter exit, and the kernel
sends it SIGINT (PostgreSQL's "fast shutdown") if our process dies first, e.g. a test
process killed with SIGKILL.

:func:`shared_server` is the one server of a test process, started on first use.
Durability settings are off (``fsync``, ``full_page_writes``): the tests kill chgrid,
never PostgreSQL, and a committed row is visible to every later connection anyway.
"""
from __future__ import annotations

import atexit
import ctypes
import hashlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
from pathlib import Path

PG_ROOTS = ("/usr/lib/postgresql",)
SUPERUSER = "chgrid"
SYSTEM_USER = "postgres"
START_TIMEOUT_S = 60.0
_PR_SET_PDEATHSIG = 1


def find_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/N/bin`` that has ``postgres`` and ``initdb``."""
    found = []
    for root in PG_ROOTS:
        for child in Path(root).glob("*/bin"):
            if (child / "postgres").is_file() and (child / "initdb").is_file():
                try:
                    found.append((int(child.parent.name), child))
                except ValueError:
                    continue
    if not found:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    return max(found)[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _reachable_by(path: Path, uid: int, gids: set[int]) -> bool:
    """Whether user ``uid`` (groups ``gids``) may traverse every folder down to ``path``."""
    for folder in [path, *path.parents]:
        mode = folder.stat()
        if mode.st_uid == uid:
            bit = stat.S_IXUSR
        elif mode.st_gid in gids:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not mode.st_mode & bit:
            return False
    return True


def _die_with_parent() -> None:
    # Runs in the child after it switched user (a change of user clears the setting).
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT, 0, 0, 0)


class PostgresServer:
    """One PostgreSQL server in a temporary folder; see the module docstring."""

    def __init__(self, tmpdir: str | os.PathLike | None = None, port: int | None = None) -> None:
        self._tmpdir = Path(tmpdir) if tmpdir is not None else None
        self.port = port or _free_port()
        self.user = SUPERUSER
        self.password = secrets.token_hex(12)
        self.root: Path | None = None
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._as_root = os.geteuid() == 0
        self._bin = find_bin_dir()

    # --- life cycle -----------------------------------------------------------------------
    def start(self) -> "PostgresServer":
        """initdb, start, and return once the server accepts connections."""
        run_as = self._run_as()
        self.root = Path(tempfile.mkdtemp(prefix="chgrid-pg-", dir=self._base_dir(run_as)))
        atexit.register(self.stop)
        try:
            self._init_cluster(run_as)
            data, sockets = self.root / "data", self.root / "socket"
            command = [str(self._bin / "postgres"), "-D", str(data), "-p", str(self.port),
                       "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={sockets}",
                       "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off",
                       "-c", "max_connections=400", "-c", "shared_buffers=64MB",
                       "-c", "log_min_messages=warning", "-c", "logging_collector=off"]
            self._proc = self._spawn_keeper(command, run_as)
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _init_cluster(self, run_as: pwd.struct_passwd | None) -> None:
        """initdb into ``root/data``: superuser :data:`SUPERUSER` with our password, password
        logins over TCP, trust on the unix socket (which only we and postgres can reach)."""
        sockets, pwfile = self.root / "socket", self.root / "pwfile"
        sockets.mkdir()
        pwfile.write_text(self.password + "\n")
        if run_as is not None:
            for path in (self.root, sockets, pwfile):
                os.chown(path, run_as.pw_uid, run_as.pw_gid)
        try:
            self._run([str(self._bin / "initdb"), "-D", str(self.root / "data"), "-U", self.user,
                       "--pwfile", str(pwfile), "--auth-host=scram-sha-256", "--auth-local=trust",
                       "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], run_as)
        finally:
            pwfile.unlink()

    def stop(self) -> None:
        """Fast shutdown (clients are disconnected), then remove the folder. Idempotent."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log(self) -> str:
        try:
            return (self.root / "postgres.log").read_text(errors="replace")[-5000:]
        except (OSError, TypeError):
            return ""

    # --- databases ----------------------------------------------------------------------------
    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres"):
        """A psycopg2 connection (autocommit) to ``dbname``."""
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user=self.user, password=self.password,
                                dbname=dbname, connect_timeout=10)
        conn.autocommit = True
        return conn

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create the database ``name`` unless it exists (empty, or a copy of the
        database ``template``); returns its URL."""
        for word in (name, template or "x"):
            if not word.replace("_", "").isalnum() or len(word) > 63:
                raise ValueError(f"database names here are letters, digits and _: {word!r}")
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if cur.fetchone() is None:
                    copy = f' TEMPLATE "{template}"' if template else ""
                    cur.execute(f'CREATE DATABASE "{name}"{copy}')
        finally:
            conn.close()
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, disconnecting whoever is still connected to it."""
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            conn.close()

    # --- helpers --------------------------------------------------------------------------------
    def _run_as(self) -> pwd.struct_passwd | None:
        if not self._as_root:
            return None
        try:
            return pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            raise RuntimeError(f"running as root needs the {SYSTEM_USER!r} system user") from None

    def _base_dir(self, run_as: pwd.struct_passwd | None) -> str | None:
        if self._tmpdir is None:
            return None
        self._tmpdir.mkdir(parents=True, exist_ok=True)
        if run_as is None:
            return str(self._tmpdir)
        gids = {run_as.pw_gid, *os.getgrouplist(run_as.pw_name, run_as.pw_gid)}
        return str(self._tmpdir) if _reachable_by(self._tmpdir.resolve(), run_as.pw_uid, gids) else None

    def _run(self, command: list[str], run_as: pwd.struct_passwd | None) -> None:
        user = {"user": run_as.pw_uid, "group": run_as.pw_gid, "extra_groups": []} if run_as else {}
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root, **user)
        if done.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def _spawn_keeper(self, command: list[str], run_as: pwd.struct_passwd | None) -> subprocess.Popen:
        """Start ``command`` from a thread that lives as long as it runs: the kernel's
        parent-death signal goes with the thread that forked, so a test thread that
        started the server and ended must not take the server with it."""
        user = {"user": run_as.pw_uid, "group": run_as.pw_gid, "extra_groups": []} if run_as else {}
        started: list = []
        ready = threading.Event()

        def keep() -> None:
            try:
                with open(self.root / "postgres.log", "ab") as log:
                    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent, **user)
                started.append(proc)
            except BaseException as err:  # handed to start()
                started.append(err)
                return
            finally:
                ready.set()
            proc.wait()

        threading.Thread(target=keep, name=f"postgres-{self.port}", daemon=True).start()
        ready.wait()
        if isinstance(started[0], BaseException):
            raise started[0]
        return started[0]

    def _wait_until_ready(self) -> None:
        """Poll until a connection succeeds; the deadline only bounds a failure."""
        import psycopg2

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"postgres exited with {self._proc.returncode}:\n{self.log()}")
            try:
                self.connect().close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"postgres did not start:\n{self.log()}") from None
                time.sleep(0.05)


_shared: PostgresServer | None = None
_shared_lock = threading.Lock()


def shared_server() -> PostgresServer:
    """The test process's PostgreSQL server, started on first use, stopped at exit."""
    global _shared
    with _shared_lock:
        if _shared is None or not _shared.running:
            _shared = PostgresServer().start()
        return _shared


def stop_shared_server() -> None:
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.stop()
            _shared = None


_db_numbers = iter(range(1, 1 << 62))


def fresh_database(server: PostgresServer | None = None) -> str:
    """The URL of a new empty database on ``server`` (default: the shared one)."""
    server = server or shared_server()
    return server.create_database(f"t{os.getpid()}_{next(_db_numbers)}")


def _key_name(key: str) -> str:
    return "k_" + hashlib.sha1(key.encode()).hexdigest()[:20]


def database_for_key(key: str, server: PostgresServer | None = None) -> str:
    """The URL of the database named after ``key`` (created on first use): the same key,
    e.g. a server's data dir, gets the same database again after a restart."""
    server = server or shared_server()
    return server.create_database(_key_name(key))


def clone_database_for_key(source_key: str, target_key: str, server: PostgresServer | None = None) -> str:
    """Make the database of ``target_key`` a copy of the one of ``source_key`` (nobody
    may be connected to that one); returns its URL."""
    server = server or shared_server()
    server.create_database(_key_name(source_key))
    return server.create_database(_key_name(target_key), template=_key_name(source_key))
