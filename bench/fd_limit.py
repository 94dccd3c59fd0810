"""Soak at the descriptor limit: a server whose RLIMIT_NOFILE is 256 (soft and hard) faces
300 client sockets held open for about 10 s.

Two runs: with the default caps (the connection cap derived from the limit refuses the
excess with a 503), and with the cap lifted above the limit so ``accept()`` itself hits
EMFILE and the listener has to back off. Each prints the server's CPU share and log lines
per second while the sockets are held, how many sockets were answered 200, refused 503 or
left waiting in the backlog, and whether a websocket login worked during and after.

    python bench/fd_limit.py [--sockets 300] [--hold 10]
"""
from __future__ import annotations

import argparse
import resource
import selectors
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout import proc_stats  # noqa: E402
from tests.support import ServerProcess, register  # noqa: E402

FD_LIMIT = 256


def _limit_descriptors() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


def _open_and_ask(port: int, count: int, wait_s: float) -> tuple[list[socket.socket], dict[str, int]]:
    """Open ``count`` sockets, send one request on each, classify the first answers."""
    sel = selectors.DefaultSelector()
    socks = []
    request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        socks.append(sock)
        sel.register(sock, selectors.EVENT_WRITE)
    answers: dict[socket.socket, bytes] = {}
    sent: set[socket.socket] = set()
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and len(answers) < count:
        for key, events in sel.select(0.1):
            sock = key.fileobj
            if events & selectors.EVENT_WRITE and sock not in sent:
                try:
                    sock.send(request)
                except OSError:
                    answers[sock] = b"error"
                    sel.unregister(sock)
                    continue
                sent.add(sock)
                sel.modify(sock, selectors.EVENT_READ)
            elif events & selectors.EVENT_READ:
                try:
                    data = sock.recv(4096)
                except OSError:
                    data = b""
                answers[sock] = data or b"closed"
                sel.unregister(sock)
    sel.close()
    tally = {"answered 200": 0, "refused 503": 0, "closed/reset": 0, "waiting (backlog)": 0}
    for sock in socks:
        data = answers.get(sock)
        if data is None:
            tally["waiting (backlog)"] += 1
        elif data.startswith(b"HTTP/1.1 200"):
            tally["answered 200"] += 1
        elif data.startswith(b"HTTP/1.1 503"):
            tally["refused 503"] += 1
        else:
            tally["closed/reset"] += 1
    return socks, tally


def _try_login(server: ServerProcess, name: str) -> str:
    try:
        client, result, _ = register(server, name)
    except Exception as err:  # noqa: BLE001 (reported, not raised: this is a soak)
        return f"failed ({type(err).__name__})"
    client.close()
    return "ok" if result.get("ok") else "refused"


def run(label: str, env: dict[str, str], sockets: int, hold: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", env=env, preexec_fn=_limit_descriptors).start()
        try:
            pid = server.proc.pid
            log_before = len(server.log_path.read_text(errors="replace").splitlines())
            cpu0, t0 = proc_stats(pid)[0], time.monotonic()
            socks, tally = _open_and_ask(server.port, sockets, wait_s=3.0)
            during = _try_login(server, "during")
            remaining = hold - (time.monotonic() - t0)
            if remaining > 0:
                time.sleep(remaining)  # holding the sockets is the point of the soak
            cpu1, t1 = proc_stats(pid)[0], time.monotonic()
            lines = server.log_path.read_text(errors="replace").splitlines()[log_before:]
            for sock in socks:
                sock.close()
            after = "failed"
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                after = _try_login(server, "after")
                if after == "ok":
                    break
                time.sleep(0.5)
            recovered = time.monotonic() - t1
        finally:
            server.stop()
    print(f"{label}")
    print(f"  RLIMIT_NOFILE {FD_LIMIT}/{FD_LIMIT}, {sockets} sockets held {t1 - t0:.1f} s")
    print(f"  server CPU {100 * (cpu1 - cpu0) / (t1 - t0):.1f} %, log {len(lines) / (t1 - t0):.2f} lines/s "
          f"({len(lines)} lines, {sum('Traceback' in line for line in lines)} tracebacks)")
    print("  sockets: " + ", ".join(f"{k} {v}" for k, v in tally.items()))
    print(f"  login during: {during}; login after release: {after} ({recovered:.1f} s after closing)")
    for line in lines[:6]:
        print(f"    | {line[:160]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=300)
    parser.add_argument("--hold", type=float, default=10.0)
    args = parser.parse_args()
    run("default caps (connection cap derived from the descriptor limit)", {}, args.sockets, args.hold)
    run("cap lifted above the limit (accept() hits EMFILE and backs off)",
        {"CHGRID_NETWORK_MAX_CONNECTIONS": "100000", "CHGRID_NETWORK_MAX_CONNECTIONS_PER_IP": "0"},
        args.sockets, args.hold)


if __name__ == "__main__":
    main()
