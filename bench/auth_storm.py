"""Login storm benchmark at the default PBKDF2 cost (600,000 iterations).

Registers N accounts, then logs them all in concurrently while a separate, already
connected client (in its own process) sends ``ping`` every 50 ms. Prints logins per second and the p50/p99
ping round trip during the storm: the IOLoop must stay responsive while hashing runs at
full speed in the bounded pool.

    python bench/auth_storm.py --logins 64
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import ServerProcess  # noqa: E402

PASSWORD = "stormpass1"


async def _auth(url: str, packet: dict) -> float:
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(url)
    await ws.read_message()  # auth_required
    start = time.perf_counter()
    ws.write_message(json.dumps(packet))
    while True:
        msg = await ws.read_message()
        if msg is None:
            raise RuntimeError("closed")
        reply = json.loads(msg)
        if reply["type"] == "auth_result":
            if not reply["ok"]:
                raise RuntimeError(reply["message"])
            break
    elapsed = time.perf_counter() - start
    ws.close()
    return elapsed


def _pinger_process(url: str, stop, started, queue) -> None:
    """The separate client: its own process, so the storm's clients cannot delay it."""
    rtts: list[float] = []

    async def main():
        await _pinger(url, stop, rtts, started)

    asyncio.run(main())
    queue.put(rtts)


async def _pinger(url: str, stop, rtts: list[float], started) -> None:
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(url)
    await ws.read_message()
    ws.write_message(json.dumps({"type": "auth_login", "username": "pinger", "password": PASSWORD}))
    while json.loads(await ws.read_message())["type"] != "welcome":
        pass
    started.set()
    seq = 0
    while not stop.is_set():
        seq += 1
        sent = time.perf_counter()
        ws.write_message(json.dumps({"type": "ping", "clientSentAt": seq}))
        while True:
            packet = json.loads(await ws.read_message())
            if packet["type"] == "pong" and packet["clientSentAt"] == seq:
                rtts.append(time.perf_counter() - sent)
                break
        await asyncio.sleep(max(0.0, 0.05 - (time.perf_counter() - sent)))
    ws.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def storm(url: str, logins: int) -> None:
    names = [f"storm{i:04d}" for i in range(logins)]
    t0 = time.perf_counter()
    await asyncio.gather(*(_auth(url, {"type": "auth_register", "username": n, "password": PASSWORD})
                           for n in names + ["pinger"]))
    print(f"registered {logins + 1} accounts in {time.perf_counter() - t0:.1f} s", flush=True)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    loop = asyncio.get_running_loop()
    # One second of pings with nothing else happening, then a fresh pinger for the storm.
    rtts_by_phase = []
    for phase in ("idle", "storm"):
        stop, started = ctx.Event(), ctx.Event()
        proc = ctx.Process(target=_pinger_process, args=(url, stop, started, queue))
        proc.start()
        await loop.run_in_executor(None, started.wait)
        if phase == "idle":
            await asyncio.sleep(1.0)
        else:
            start = time.perf_counter()
            latencies = await asyncio.gather(
                *(_auth(url, {"type": "auth_login", "username": n, "password": PASSWORD}) for n in names))
            duration = time.perf_counter() - start
        stop.set()
        rtts_by_phase.append(await loop.run_in_executor(None, queue.get))
        proc.join()
    idle, rtts = rtts_by_phase
    print(f"logins: {logins} in {duration:.2f} s = {logins / duration:.1f} logins/s "
          f"(login latency p50 {pct(latencies, 0.5):.0f} ms, max {max(latencies) * 1000:.0f} ms)")
    print(f"ping RTT idle:        p50 {pct(idle, 0.5):.1f} ms  p99 {pct(idle, 0.99):.1f} ms  ({len(idle)} pings)")
    print(f"ping RTT during storm: p50 {pct(rtts, 0.5):.1f} ms  p99 {pct(rtts, 0.99):.1f} ms  "
          f"max {max(rtts) * 1000:.1f} ms  ({len(rtts)} pings)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logins", type=int, default=64)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # The default hashing cost: the test-only low iteration count is removed.
        # Every client is on loopback: no per-IP connection cap.
        env = {"CHGRID_AUTH_PBKDF2_ITERATIONS": "600000", "CHGRID_NETWORK_MAX_CONNECTIONS_PER_IP": "0"}
        server = ServerProcess(Path(tmp) / "data", env=env).start()
        try:
            asyncio.run(storm(server.ws_url, args.logins))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
