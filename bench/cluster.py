"""Cluster fan-out benchmark: one node beside a cluster of nodes, in the same run.

Runs ``bench/fanout.py``'s walkers (N clients, each moving R times a second, latency
measured at the receivers) against (a) a single node with default storage, like
fanout.py, and (b) a cluster of real ``chgrid serve`` nodes sharing one fresh PostgreSQL
database and one Redis (``tests/cluster_support.py``; node 0 owns the room, the others
are gateways), with the clients split evenly across the nodes. A gateway client's move
crosses Redis to the owner, and every broadcast to a gateway's clients crosses Redis
back, once per gateway.

Each worker process holds clients of every node, so the latency sample covers every
path (owner→owner, gateway→owner, owner→gateway, gateway→gateway). Printed per run:
p50/p95/p99/max, lost broadcasts, deliveries/s, each process's CPU % over the measured
window (nodes, Redis, PostgreSQL, the load generator), the owner's CPU seconds per
delivered broadcast, each gateway's CPU per delivery to its own clients, and Redis's
traffic. Clients the nodes close or never welcome are counted as failed, and the nodes'
warnings are shown.

Logins are spread (``--login-gap-ms``, 10 ms apart by default) because the run measures
steady fan-out, not a login storm; ``--login-gap-ms 0`` logs everyone in at once, as
fanout.py does. ``--gateways-only`` puts no client on the owner, so its CPU is the
room's and the Redis fan-out's alone.

    python bench/cluster.py --clients 100 --seconds 8
    python bench/cluster.py --capacity --start 50 --step 50 --max 400 --seconds 8
    python bench/cluster.py --only cluster --nodes 3 --gateways-only --clients 200
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout import _client, percentile, proc_stats  # noqa: E402
from tests.support import ServerProcess  # noqa: E402

# Every client comes from 127.0.0.1: lift the per-IP connection cap, as fanout.py does.
NODE_ENV = {"CHGRID_NETWORK_MAX_CONNECTIONS_PER_IP": "0"}
CLIENT_GRACE_S = 60.0


# -- load generator ------------------------------------------------------------------------

def _worker(clients: list[tuple[str, str, int]], groups: int, start_at: float, seconds: float,
            rate: float, login_gap_s: float, queue) -> None:
    """Run ``(url, name, node index)`` clients, the i-th logging in ``i * login_gap_s``
    after the first; report results per node of the receiver."""
    results = [{"latencies": [], "sent": 0, "received": 0, "ready": 0, "failed": 0} for _ in range(groups)]

    async def one(index, url, name, node, shared):
        await asyncio.sleep(index * login_gap_s)
        # A client the server closes (e.g. during a slow login) is counted, not fatal:
        # the other clients' figures still come back.
        # A client that hangs (no welcome ever) is given up well after the run's end.
        limit = max(0.0, start_at - time.time()) + seconds + 2 + CLIENT_GRACE_S
        try:
            await asyncio.wait_for(_client(url, name, start_at, seconds, rate, shared, results[node]), limit)
        except Exception:
            results[node]["failed"] += 1

    async def main():
        shared: dict = {}  # one send-time table for the whole worker: cross-node samples
        await asyncio.gather(*(one(i, url, name, node, shared) for i, (url, name, node) in enumerate(clients)))

    asyncio.run(main())
    queue.put(results)


# -- CPU of the processes around the nodes -------------------------------------------------

def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return out


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its live children and its reaped children (PostgreSQL:
    the postmaster and its backends)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += sum(int(v) for v in fields[11:15]) / ticks  # utime stime cutime cstime
    except OSError:
        return 0.0
    for child in _children(pid):
        try:
            total += proc_stats(child)[0]
        except OSError:
            continue
    return total


class Meter:
    """CPU seconds of named processes between ``start()`` and ``stop()``."""

    def __init__(self, readers: dict[str, Callable[[], float]]) -> None:
        self._readers = readers
        self._t0 = 0.0
        self._before: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.elapsed = 0.0

    def start(self) -> None:
        self._before = {name: read() for name, read in self._readers.items()}
        self._t0 = time.time()

    def stop(self) -> None:
        after = {name: read() for name, read in self._readers.items()}
        self.elapsed = time.time() - self._t0
        self.seconds = {name: after[name] - self._before[name] for name in after}

    def pct(self, name: str) -> float:
        return 100 * self.seconds[name] / self.elapsed


def _cpu_of(pid: int):
    return lambda: proc_stats(pid)[0]


def machine_busy() -> float:
    """CPU seconds all cores spent not idle (whoever ran: other work on the machine too)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# -- one run ---------------------------------------------------------------------------------

def drive(urls: list[str], clients: int, rate: float, seconds: float, workers: int,
          readers: dict[str, Callable[[], float]], on: list[int] | None = None,
          login_gap_s: float = 0.0) -> tuple[list[dict], Meter]:
    """Run the walkers against ``urls``, spread evenly over the nodes ``on`` (default: all);
    results per node."""
    on = on or list(range(len(urls)))
    names = [f"bench{i:04d}" for i in range(clients)]
    plan = [(urls[on[i % len(on)]], name, on[i % len(on)]) for i, name in enumerate(names)]
    start_at = time.time() + 3 + clients * (0.03 + login_gap_s)
    queue: mp.Queue = mp.Queue()
    procs = [mp.Process(target=_worker, args=(plan[i::workers], len(urls), start_at, seconds, rate,
                                              login_gap_s * workers, queue))
             for i in range(workers)]
    for p in procs:
        p.start()
    readers = dict(readers, machine=machine_busy)
    for i, p in enumerate(procs):
        readers[f"client{i}"] = _cpu_of(p.pid)
    meter = Meter(readers)
    time.sleep(max(0.0, start_at - time.time()))
    meter.start()
    time.sleep(seconds)
    meter.stop()
    per_node = [{"latencies": [], "sent": 0, "received": 0, "failed": 0} for _ in urls]
    for _ in procs:
        for node, r in enumerate(queue.get(timeout=seconds + 180)):
            for key in per_node[node]:
                per_node[node][key] += r[key]
    for p in procs:
        p.join()
    return per_node, meter


def summarise(kind: str, clients: int, rate: float, seconds: float, per_node: list[dict],
              meter: Meter, node_names: list[str]) -> dict:
    lat_ms = [v * 1000 for n in per_node for v in n["latencies"]]
    sent = sum(n["sent"] for n in per_node)
    received = sum(n["received"] for n in per_node)
    return {
        "kind": kind, "clients": clients, "rate": rate,
        "p50_ms": percentile(lat_ms, 0.50), "p95_ms": percentile(lat_ms, 0.95),
        "p99_ms": percentile(lat_ms, 0.99), "max_ms": max(lat_ms) if lat_ms else float("nan"),
        "deliveries_per_s": received / seconds,
        "lost": max(0, sent * (clients - 1) - received),
        "failed": sum(n["failed"] for n in per_node),
        "by_receiver": [(name, percentile([v * 1000 for v in n["latencies"]], 0.50),
                         percentile([v * 1000 for v in n["latencies"]], 0.99), n["received"])
                        for name, n in zip(node_names, per_node)],
        "deliveries": received,
        "meter": meter,
    }


def run_single(clients: int, rate: float, seconds: float, workers: int, login_gap_s: float = 0.0) -> dict:
    """One node, SQLite in its data dir, like fanout.py."""
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", env=NODE_ENV).start()
        try:
            per_node, meter = drive([server.ws_url], clients, rate, seconds, workers,
                                    {"node": _cpu_of(server.proc.pid)}, login_gap_s=login_gap_s)
        finally:
            server.stop()
    r = summarise("single", clients, rate, seconds, per_node, meter, ["node"])
    r["owner_us_per_delivery"] = 1e6 * meter.seconds["node"] / max(1, r["deliveries"])
    return r


def run_cluster(clients: int, rate: float, seconds: float, workers: int, size: int, lease_s: float,
                gateways_only: bool = False, login_gap_s: float = 0.0) -> dict:
    """``size`` nodes on a fresh PostgreSQL database and a fresh Redis; with
    ``gateways_only`` the owner holds no sockets (it only runs the room)."""
    import redis

    from tests.cluster_support import Cluster, owner_of
    from tests.pg_server import shared_server
    from tests.redis_server import RedisServer

    postmaster = shared_server()._proc.pid
    with tempfile.TemporaryDirectory() as tmp:
        redis_server = RedisServer(Path(tmp) / "redis").start()
        cluster = Cluster(Path(tmp) / "cluster", redis_server, size=size, lease_s=lease_s)
        for node in cluster.nodes:
            node.env.update(NODE_ENV)
        try:
            cluster.start()
            names = ["owner"] + [f"gateway{i}" for i in range(1, size)]
            readers = {name: _cpu_of(node.proc.pid) for name, node in zip(names, cluster.nodes)}
            readers["redis"] = _cpu_of(redis_server.proc.pid)
            readers["postgres"] = lambda: tree_cpu(postmaster)
            info = redis.Redis.from_url(redis_server.url)
            stats0 = info.info("stats")
            on = list(range(1, size)) if gateways_only else None
            per_node, meter = drive([n.ws_url for n in cluster.nodes], clients, rate, seconds, workers, readers, on,
                                    login_gap_s)
            stats1 = info.info("stats")
            info.close()
            sent = sum(n["sent"] for n in per_node)
            if sum(n["failed"] for n in per_node) or sum(n["received"] for n in per_node) < sent * (clients - 1):
                _print_trouble(names, cluster.nodes, redis_server)
            owners = owner_of(cluster)
            losses = sum(n.log_count("giving up the room") + n.log_count("is gone") for n in cluster.nodes)
        finally:
            cluster.stop()
            redis_server.stop()
    r = summarise("cluster", clients, rate, seconds, per_node, meter, names)
    r["owner_us_per_delivery"] = 1e6 * meter.seconds["owner"] / max(1, r["deliveries"])
    r["gateway_us_per_delivery"] = [1e6 * meter.seconds[name] / max(1, n[3])
                                    for name, n in zip(names[1:], r["by_receiver"][1:])]
    r["redis_cmds_per_s"] = (stats1["total_commands_processed"] - stats0["total_commands_processed"]) / meter.elapsed
    r["redis_out_mb_s"] = (stats1["total_net_output_bytes"] - stats0["total_net_output_bytes"]) / meter.elapsed / 1e6
    r["redis_in_mb_s"] = (stats1["total_net_input_bytes"] - stats0["total_net_input_bytes"]) / meter.elapsed / 1e6
    r["ownership_ok"] = owners == [0] and losses == 0
    return r


# -- output ----------------------------------------------------------------------------------

TROUBLE = ("closing", "ERROR", "WARNING", "Traceback")
REDIS_TROUBLE = ("closed", "output buffer")  # a subscriber cut off for falling behind


def _print_trouble(names: list[str], nodes: list, redis_server) -> None:
    """Clients failed or broadcasts were lost: show what the nodes and Redis logged about
    it (first lines only)."""
    logs = [(name, node.log()) for name, node in zip(names, nodes)] + [("redis", redis_server.log())]
    for name, text in logs:
        marks = REDIS_TROUBLE if name == "redis" else TROUBLE
        lines = [line.rstrip() for line in text.splitlines() if any(t in line for t in marks)]
        for line in lines[:8]:
            print(f"        {name}: {line[:200]}", flush=True)

def show(r: dict) -> None:
    m: Meter = r["meter"]
    client_pct = sum(m.pct(n) for n in m.seconds if n.startswith("client"))
    print(f"{r['kind']:7s} N={r['clients']:4d} R={r['rate']:.1f}  p50={r['p50_ms']:.1f} ms  "
          f"p95={r['p95_ms']:.1f} ms  p99={r['p99_ms']:.1f} ms  max={r['max_ms']:.1f} ms  "
          f"deliveries/s={r['deliveries_per_s']:.0f}  lost={r['lost']}"
          + (f"  FAILED clients={r['failed']}" if r["failed"] else ""), flush=True)
    cpu = "  ".join(f"{n}={m.pct(n):.0f}%" for n in m.seconds if n != "machine" and not n.startswith("client"))
    print(f"        CPU: {cpu}  load generator={client_pct:.0f}%  machine={m.pct('machine'):.0f}% "
          f"of {os.cpu_count() * 100}%  load average={os.getloadavg()[0]:.1f}  "
          f"owner CPU/delivery={r['owner_us_per_delivery']:.1f} µs", flush=True)
    if r["kind"] != "cluster":
        return
    gw = "  ".join(f"{name}={us:.1f} µs" for (name, *_), us in zip(r["by_receiver"][1:], r["gateway_us_per_delivery"]))
    print(f"        gateway CPU/delivery to its clients: {gw}  redis: {r['redis_cmds_per_s']:.0f} cmds/s "
          f"in {r['redis_in_mb_s']:.1f} MB/s out {r['redis_out_mb_s']:.1f} MB/s", flush=True)
    recv = "  ".join(f"on {name}: p50={p50:.1f} p99={p99:.1f} ms ({count} deliveries)"
                     for name, p50, p99, count in r["by_receiver"])
    print(f"        receivers {recv}", flush=True)
    if not r["ownership_ok"]:
        print("        WARNING: the room changed owner or a gateway was dropped during the run", flush=True)


def fits(r: dict) -> bool:
    return r["p99_ms"] < 100 and r["lost"] == 0 and r["failed"] == 0 and r.get("ownership_ok", True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rate", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--nodes", type=int, default=2, help="cluster size (node 0 owns the room)")
    parser.add_argument("--lease-s", type=float, default=10.0,
                        help="room lease; long, so a loaded owner keeps the room")
    parser.add_argument("--gateways-only", action="store_true",
                        help="cluster clients on the gateways only: the owner just runs the room")
    parser.add_argument("--login-gap-ms", type=float, default=10.0,
                        help="spread the logins (0: all at once, as fanout.py does)")
    parser.add_argument("--only", choices=("single", "cluster"), help="run one set-up only")
    parser.add_argument("--capacity", action="store_true", help="step N up at R=2 until p99 >= 100 ms")
    parser.add_argument("--start", type=int, default=50)
    parser.add_argument("--step", type=int, default=50)
    parser.add_argument("--max", type=int, default=400)
    args = parser.parse_args()

    def both(n: int, rate: float, which: tuple[str, ...]) -> dict[str, dict]:
        out = {}
        if "single" in which:
            out["single"] = run_single(n, rate, args.seconds, args.workers, args.login_gap_ms / 1000)
            show(out["single"])
        if "cluster" in which:
            out["cluster"] = run_cluster(n, rate, args.seconds, args.workers, args.nodes, args.lease_s,
                                         args.gateways_only, args.login_gap_ms / 1000)
            show(out["cluster"])
        return out

    kinds = (args.only,) if args.only else ("single", "cluster")
    if not args.capacity:
        both(args.clients, args.rate, kinds)
        return
    # Both set-ups at each N, one after the other, so they see the same machine.
    best = {"single": 0, "cluster": 0}
    going = kinds
    n = args.start
    while n <= args.max and going:
        results = both(n, 2.0, going)
        for kind, r in results.items():
            if fits(r):
                best[kind] = n
        going = tuple(kind for kind, r in results.items() if fits(r))
        n += args.step
    for kind in kinds:
        where = "1 node" if kind == "single" else f"{args.nodes} nodes"
        print(f"capacity ({where}): {best[kind]} clients at R=2 with p99 < 100 ms and no lost broadcasts")


if __name__ == "__main__":
    main()
