"""Broadcast fan-out benchmark: N clients each moving R times a second.

Starts a real server, logs in N clients over real websockets (spread over worker
processes so the measuring side is not the bottleneck), and measures at the receivers
the delay from a move's send to its ``update_position`` arrival. Prints p50/p95/p99/max
latency, deliveries per second, lost broadcasts, and server CPU and RSS per client.

    python bench/fanout.py --clients 100 --rate 2 --seconds 10
    python bench/fanout.py --capacity            # largest N with p99 < 100 ms at R=2
"""
from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.wsclient import BenchSocket  # noqa: E402
from tests.support import ServerProcess  # noqa: E402

MOVE_PREFIX = b'{"type":"update_position"'


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def proc_stats(pid: int) -> tuple[float, int]:
    """(user+system CPU seconds, RSS bytes) of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    with open(f"/proc/{pid}/statm") as f:
        rss_pages = int(f.read().split()[1])
    return cpu, rss_pages * os.sysconf("SC_PAGE_SIZE")


async def _client(url, name, start_at, seconds, rate, shared, results):
    ws = await BenchSocket.connect(url)
    stream = ws.batches()  # one parser for the whole connection: no bytes lost between uses
    ws.send_text(json.dumps({"type": "auth_register", "username": name, "password": "benchpass1"}))
    me = None
    x = y = 0
    async for batch in stream:
        for raw in batch:
            packet = json.loads(raw)
            if packet["type"] == "welcome":
                me = packet["id"]
                x, y = packet["player"]["x"], packet["player"]["y"]
        if me is not None:
            break
    if me is None:
        raise RuntimeError("closed during login")
    results["ready"] += 1
    latencies = results["latencies"]
    sent_at = shared  # client id -> (send time, x, y), in this worker only

    async def reader():
        async for batch in stream:
            now = time.perf_counter()
            for raw in batch:
                if not raw.startswith(MOVE_PREFIX):
                    continue
                packet = json.loads(raw)
                sender = packet["id"]
                if sender == me:
                    continue
                results["received"] += 1
                sent = sent_at.get(sender)
                if sent and sent[1] == packet["x"] and sent[2] == packet["y"]:
                    latencies.append(now - sent[0])

    reading = asyncio.ensure_future(reader())
    interval = 1.0 / rate
    # Real players are not synchronised: spread each client's phase over one interval
    # so the run measures steady load, not an artificial burst every interval.
    phase = random.Random(name).random() * interval
    await asyncio.sleep(max(0.0, start_at - time.time()) + phase)
    end = time.time() + seconds
    step = 1 if x < 40 else -1
    while time.time() < end:
        x += step
        step = -step
        sent_at[me] = (time.perf_counter(), x, y)
        ws.send_text(json.dumps({"type": "update_position", "x": x, "y": y}))
        results["sent"] += 1
        await asyncio.sleep(interval)
    await asyncio.sleep(2.0)  # let the last broadcasts arrive
    reading.cancel()
    ws.close()


def _worker(url, names, start_at, seconds, rate, queue):
    results = {"latencies": [], "sent": 0, "received": 0, "ready": 0}

    async def main():
        shared: dict = {}
        await asyncio.gather(*(_client(url, n, start_at, seconds, rate, shared, results) for n in names))

    asyncio.run(main())
    queue.put(results)


def run_once(clients: int, rate: float, seconds: float, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        # Every client comes from 127.0.0.1: lift the per-IP connection cap.
        server = ServerProcess(Path(tmp) / "data", env={"CHGRID_NETWORK_MAX_CONNECTIONS_PER_IP": "0"}).start()
        try:
            names = [f"bench{i:04d}" for i in range(clients)]
            # Send times are shared only inside a worker process, so latency is sampled
            # between clients of the same worker; deliveries are counted for everyone.
            start_at = time.time() + 3 + clients * 0.02
            queue: mp.Queue = mp.Queue()
            procs = [
                mp.Process(target=_worker, args=(server.ws_url, names[i::workers], start_at, seconds, rate, queue))
                for i in range(workers)
            ]
            for p in procs:
                p.start()
            time.sleep(max(0.0, start_at - time.time()))
            cpu0, _ = proc_stats(server.proc.pid)
            t0 = time.time()
            time.sleep(seconds)
            cpu1, rss = proc_stats(server.proc.pid)
            elapsed = time.time() - t0
            merged = {"latencies": [], "sent": 0, "received": 0}
            for _ in procs:
                r = queue.get(timeout=seconds + 120)
                merged["latencies"] += r["latencies"]
                merged["sent"] += r["sent"]
                merged["received"] += r["received"]
            for p in procs:
                p.join()
        finally:
            server.stop()
    lat_ms = [v * 1000 for v in merged["latencies"]]
    expected = merged["sent"] * (clients - 1)
    return {
        "clients": clients,
        "rate": rate,
        "p50_ms": percentile(lat_ms, 0.50),
        "p95_ms": percentile(lat_ms, 0.95),
        "p99_ms": percentile(lat_ms, 0.99),
        "max_ms": max(lat_ms) if lat_ms else float("nan"),
        "deliveries_per_s": merged["received"] / seconds,
        "lost": max(0, expected - merged["received"]),
        "server_cpu_pct": 100 * (cpu1 - cpu0) / elapsed,
        "rss_per_client_kb": rss / 1024 / clients,
        "rss_mb": rss / 1024 / 1024,
    }


def show(r: dict) -> None:
    print(
        f"N={r['clients']:4d} R={r['rate']:.1f}  p50={r['p50_ms']:.1f} ms  p95={r['p95_ms']:.1f} ms  "
        f"p99={r['p99_ms']:.1f} ms  max={r['max_ms']:.1f} ms  deliveries/s={r['deliveries_per_s']:.0f}  "
        f"lost={r['lost']}  server CPU={r['server_cpu_pct']:.0f}%  RSS={r['rss_mb']:.1f} MB "
        f"({r['rss_per_client_kb']:.0f} KB/client)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--capacity", action="store_true", help="step N up at R=2 until p99 >= 100 ms")
    parser.add_argument("--start", type=int, default=50)
    parser.add_argument("--step", type=int, default=25)
    parser.add_argument("--max", type=int, default=400)
    args = parser.parse_args()
    if not args.capacity:
        show(run_once(args.clients, args.rate, args.seconds, args.workers))
        return
    best = 0
    n = args.start
    while n <= args.max:
        r = run_once(n, 2.0, args.seconds, args.workers)
        show(r)
        if r["p99_ms"] >= 100 or r["lost"] > 0:
            break
        best = n
        n += args.step
    print(f"capacity: {best} clients at R=2 with p99 < 100 ms and no lost broadcasts")


if __name__ == "__main__":
    main()
