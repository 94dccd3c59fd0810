"""Login failure timing at the production hashing cost (600,000 PBKDF2 iterations).

Starts a server on 127.0.0.1, registers an active and a to-be-banned account, bans one
with ``chgrid admin ban``, then times ``auth_login`` → ``auth_result`` for each kind of
attempt, one at a time and interleaved so drift hits every kind alike. Prints the median
and p90 per kind in milliseconds. Failed replies include the 20-80 ms failure jitter
(auth.md §11). Each attempt carries its own ``X-Forwarded-For`` (the server trusts it
for this run) so the per-IP rate limit, a separate protection, never answers instead.

    python bench/login_timing.py --rounds 20
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websocket

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import ROOT, ServerProcess  # noqa: E402

PASSWORD = "timingpass1"
LOGIN_FAILED = "We couldn't log you in. Check your details and try again."
KINDS = {
    "success (reference)": ("active1", PASSWORD),
    "unknown user": ("nobody", PASSWORD),
    "wrong password": ("active1", "wrongpass1"),
    "disabled, wrong password": ("banned1", "wrongpass1"),
    "disabled, right password": ("banned1", PASSWORD),
}


def attempt(url: str, packet: dict, address: str) -> tuple[float, dict]:
    ws = websocket.create_connection(url, timeout=30, header=[f"X-Forwarded-For: {address}"])
    try:
        assert json.loads(ws.recv())["type"] == "auth_required"
        start = time.perf_counter()
        ws.send(json.dumps(packet))
        while True:
            reply = json.loads(ws.recv())
            if reply["type"] == "auth_result":
                return (time.perf_counter() - start) * 1000, reply
    finally:
        ws.close()


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="attempts per kind (max 200)")
    args = parser.parse_args()
    rounds = max(1, min(args.rounds, 200))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        server = ServerProcess(data, env={"CHGRID_AUTH_PBKDF2_ITERATIONS": "600000",
                                          "CHGRID_NETWORK_TRUST_FORWARDED_FOR": "true"}).start()
        try:
            for name in ("active1", "banned1"):
                _, reply = attempt(server.ws_url, {"type": "auth_register", "username": name,
                                                   "password": PASSWORD}, "10.9.9.9")
                assert reply["ok"], reply
            subprocess.run([sys.executable, "-m", "chgrid", "admin", "ban", "banned1", "--data-dir", str(data)],
                           cwd=ROOT, env=server.env, check=True, capture_output=True, timeout=120)
            times: dict[str, list[float]] = {kind: [] for kind in KINDS}
            unexpected = 0
            for i in range(rounds):
                for k, (kind, (username, password)) in enumerate(KINDS.items()):
                    elapsed, reply = attempt(server.ws_url, {"type": "auth_login", "username": username,
                                                             "password": password}, f"10.{k}.{i // 250}.{i % 250 + 1}")
                    expected_ok = kind.startswith("success")
                    if reply["ok"] != expected_ok or (not expected_ok and reply["message"] != LOGIN_FAILED):
                        unexpected += 1
                    times[kind].append(elapsed)
        finally:
            server.stop()
    print(f"auth_login -> auth_result at 600,000 iterations, {rounds} attempts per kind, cpus={os.cpu_count()}")
    for kind, values in times.items():
        print(f"  {kind:26s} median {statistics.median(values):7.1f} ms   p90 {p90(values):7.1f} ms")
    print(f"  unexpected replies (not the generic failure / not ok): {unexpected}")


if __name__ == "__main__":
    main()
