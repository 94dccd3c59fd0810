"""Soak: the unread-replies attack (issue 11, defect 1) against a real server.

Several unauthenticated connections each send small frames of an unknown packet type as
fast as they can and never read, so every ``protocol_error`` reply queues up on the
server. An attacker keeps flooding until the server drops its connection (a send fails)
or ``--give-up`` seconds pass, then reconnects; this goes on for ``--seconds``. The
server's RSS is sampled every second.

Prints start / peak / end RSS (MiB; the target is to stay under 100 MiB), how the
attackers' connections ended and after how long, and the close codes the server logged
for them: the close frame itself queues behind the unread replies, so an attacker that
never reads never sees it (tests/test_ws_limits.py reads it).

    python bench/unread_replies.py [--connections 6] [--seconds 30]
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import rawws  # noqa: E402
from tests.support import ServerProcess  # noqa: E402

FRAME = rawws.frame(json.dumps({"type": "z" * 64}).encode())
BURST = FRAME * 200
CLOSE_LOGGED = re.compile(r"with (\d+): \d+ bytes waiting to be sent")  # chgrid.web.ws's log line


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def attacker(port: int, stop: threading.Event, give_up_s: float, outcomes: collections.Counter,
             lifetimes: list[float], lock: threading.Lock) -> None:
    while not stop.is_set():
        try:
            sock = rawws.connect(port, rcvbuf=4096, timeout=5)
        except OSError as err:
            with lock:
                outcomes[f"connect failed ({type(err).__name__})"] += 1
            time.sleep(0.1)
            continue
        opened = time.monotonic()
        outcome = None
        while outcome is None and not stop.is_set():
            if time.monotonic() - opened > give_up_s:
                outcome = f"still open after {give_up_s:g} s"
                break
            try:
                sock.sendall(BURST)
            except OSError:
                outcome = "dropped by the server"
        sock.close()
        if outcome is None:
            continue  # cut short by the end of the run: not counted
        with lock:
            outcomes[outcome] += 1
            lifetimes.append(time.monotonic() - opened)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--give-up", type=float, default=15.0,
                        help="seconds an attacker floods one connection before reconnecting anyway")
    parser.add_argument("--rss-cap-mib", type=float, default=1024.0,
                        help="stop the attack early if the server grows past this (a safety bound)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data").start()
        pid = server.proc.pid
        try:
            start = peak = rss_mib(pid)
            stop = threading.Event()
            outcomes: collections.Counter = collections.Counter()
            lifetimes: list[float] = []
            lock = threading.Lock()
            threads = [threading.Thread(target=attacker, daemon=True,
                                        args=(server.port, stop, args.give_up, outcomes, lifetimes, lock))
                       for _ in range(args.connections)]
            for t in threads:
                t.start()
            began = time.monotonic()
            samples = []
            while time.monotonic() - began < args.seconds:
                time.sleep(1.0)
                rss = rss_mib(pid)
                samples.append(rss)
                peak = max(peak, rss)
                if rss > args.rss_cap_mib:
                    print(f"stopping early: RSS {rss:.0f} MiB passed the {args.rss_cap_mib:.0f} MiB cap")
                    break
            attack_s = time.monotonic() - began
            stop.set()
            for t in threads:
                t.join(timeout=15)
            end = rss_mib(pid)
            time.sleep(6)  # past the 5 s close handshake wait of the last closed connections
            settled = rss_mib(pid)
            logged = collections.Counter(CLOSE_LOGGED.findall(server.log_path.read_text(errors="replace")))
        finally:
            server.stop()

    print(f"unread-replies attack: {args.connections} connections flooding unread, {attack_s:.0f} s")
    print(f"server RSS MiB: start {start:.1f}  peak {peak:.1f}  end {end:.1f}  "
          f"6 s later {settled:.1f}  (target: under 100)")
    print("RSS per second: " + " ".join(f"{s:.0f}" for s in samples))
    print(f"attacker connections ended: {sum(outcomes.values())}")
    for outcome, count in outcomes.most_common():
        print(f"  {count:6d}  {outcome}")
    if lifetimes:
        lifetimes.sort()
        print(f"connection lifetime s: min {lifetimes[0]:.1f}  median {lifetimes[len(lifetimes) // 2]:.1f}  "
              f"max {lifetimes[-1]:.1f}")
    closes = ", ".join(f"{n} with code {code}" for code, n in sorted(logged.items())) or "none"
    print(f"server log, connections closed for unread bytes: {closes}")


if __name__ == "__main__":
    main()
