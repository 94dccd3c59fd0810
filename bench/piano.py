"""Piano note benchmark: one player playing 20 notes a second to N listeners in range.

Starts a real server, registers one player and N listeners over real websockets (the
listeners spread over worker processes so the measuring side is not the bottleneck),
puts everyone on the piano's tile, and has the player send a note-on every 50 ms with
its note-off 25 ms later (20 notes/s = 40 ``item_piano_note`` packets/s). Each packet's
delay from the player's send to its rebroadcast's arrival at every listener is
measured with ``time.monotonic_ns`` (CLOCK_MONOTONIC is shared by all processes of the
machine, so sender and receivers can live in different processes). Prints p50/p95/p99/
max delay, lost rebroadcasts and the server's CPU use.

    python bench/piano.py --listeners 50 --seconds 10
    python bench/piano.py --sweep 1,10,50,100,200
    python bench/piano.py --inproc --sweep 1,10,50,100,200   # the room step alone

``--inproc`` drives a RoomActor directly (no sockets, fake transport) and times each
note's room step — from the room's inbox to its frames handed to the outbox — which
isolates the server's own work from the network and from the measuring clients.
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

from bench.fanout import percentile, proc_stats  # noqa: E402
from tests.support import ServerProcess  # noqa: E402

NOTE_PREFIX = '{"type":"item_piano_note"'
TILE = (20, 20)
NOTES_PER_SECOND = 20
NOTE_LENGTH_S = 0.025


async def _login(url: str, name: str):
    """Register ``name``, move to the tile; returns (websocket, client id)."""
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(url, max_message_size=10_000_000)
    # Measure the server, not Nagle's algorithm on the bench's own small writes.
    stream = getattr(ws, "stream", None)
    if stream is not None:
        stream.set_nodelay(True)
    await ws.read_message()  # auth_required
    ws.write_message(json.dumps({"type": "auth_register", "username": name, "password": "benchpass1"}))
    me = None
    while me is None:
        msg = await ws.read_message()
        if msg is None:
            raise RuntimeError(f"{name}: closed during login")
        packet = json.loads(msg)
        if packet["type"] == "welcome":
            me = packet["id"]
    ws.write_message(json.dumps({"type": "teleport_complete", "x": TILE[0], "y": TILE[1]}))
    return ws, me


async def _listen(url, name, stop_at, results):
    ws, _me = await _login(url, name)
    results["ready"] += 1
    arrivals = results["arrivals"]
    while True:
        timeout = stop_at - time.time()
        if timeout <= 0:
            break
        try:
            msg = await asyncio.wait_for(ws.read_message(), timeout)
        except asyncio.TimeoutError:
            break
        if msg is None:
            break
        if msg.startswith(NOTE_PREFIX):
            now = time.monotonic_ns()
            packet = json.loads(msg)
            arrivals.append((packet["keyId"], packet["on"], now))
    ws.close()


def _listener_worker(url, names, stop_at, queue):
    results = {"arrivals": [], "ready": 0}

    async def main():
        await asyncio.gather(*(_listen(url, n, stop_at, results) for n in names))

    asyncio.run(main())
    queue.put(("listeners", results))


def _player_worker(url, start_at, seconds, queue):
    async def main():
        ws, _me = await _login(url, "player")
        ws.write_message(json.dumps({"type": "item_add", "itemType": "piano"}))
        item_id = None
        while item_id is None:
            packet = json.loads(await ws.read_message())
            if packet["type"] == "item_upsert":
                item_id = packet["item"]["id"]

        async def drain():
            while await ws.read_message() is not None:
                pass

        draining = asyncio.ensure_future(drain())
        sends = []
        await asyncio.sleep(max(0.0, start_at - time.time()))
        interval = 1.0 / NOTES_PER_SECOND
        begin = time.monotonic()
        seq = 0
        while time.monotonic() - begin < seconds:
            key = f"k{seq}"
            for on in (True, False):
                note = {"type": "item_piano_note", "itemId": item_id, "keyId": key,
                        "midi": 48 + seq % 24, "on": on}
                sends.append((key, on, time.monotonic_ns()))
                ws.write_message(json.dumps(note))
                await asyncio.sleep(NOTE_LENGTH_S if on else 0)
            seq += 1
            # Hold the 20/s pace against the schedule, not the previous note.
            await asyncio.sleep(max(0.0, begin + seq * interval - time.monotonic()))
        draining.cancel()
        ws.close()
        return sends

    queue.put(("player", asyncio.run(main())))


def run_once(listeners: int, seconds: float, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data").start()
        try:
            names = [f"listener{i:04d}" for i in range(listeners)]
            start_at = time.time() + 3 + listeners * 0.03
            stop_at = start_at + seconds + 2.0
            queue: mp.Queue = mp.Queue()
            workers = max(1, min(workers, listeners))
            procs = [mp.Process(target=_listener_worker, args=(server.ws_url, names[i::workers], stop_at, queue))
                     for i in range(workers)]
            procs.append(mp.Process(target=_player_worker, args=(server.ws_url, start_at, seconds, queue)))
            for proc in procs:
                proc.start()
            time.sleep(max(0.0, start_at - time.time()))
            cpu0, _ = proc_stats(server.proc.pid)
            t0 = time.time()
            time.sleep(seconds)
            cpu1, rss = proc_stats(server.proc.pid)
            elapsed = time.time() - t0
            sends, arrivals = [], []
            for _ in procs:
                kind, data = queue.get(timeout=seconds + 120)
                if kind == "player":
                    sends = data
                else:
                    arrivals += data["arrivals"]
            for proc in procs:
                proc.join()
        finally:
            server.stop()
    sent_at = {(key, on): t for key, on, t in sends}
    delays = [(t - sent_at[(key, on)]) / 1e6 for key, on, t in arrivals if (key, on) in sent_at]
    return {
        "listeners": listeners,
        "packets": len(sends),
        "p50_ms": percentile(delays, 0.50),
        "p95_ms": percentile(delays, 0.95),
        "p99_ms": percentile(delays, 0.99),
        "max_ms": max(delays) if delays else float("nan"),
        "lost": max(0, len(sends) * listeners - len(delays)),
        "server_cpu_pct": 100 * (cpu1 - cpu0) / elapsed,
        "rss_mb": rss / 1024 / 1024,
    }


def run_inproc(listeners: int, notes: int = 2000) -> dict:
    """Time the room step of ``notes`` live notes with ``listeners`` players in range."""
    from tests.stateful_support import StatefulRoom

    with tempfile.TemporaryDirectory() as tmp:
        room = StatefulRoom(Path(tmp) / "data")
        try:
            for i in range(listeners + 1):
                room.join(f"c{i}", i + 1, f"user{i}", last_x=TILE[0], last_y=TILE[1])
            item_id = room.add("c0", "piano")["id"]
            steps = []
            for seq in range(notes):
                data = {"itemId": item_id, "keyId": f"k{seq // 2}", "midi": 60, "on": seq % 2 == 0}
                began = time.perf_counter()
                room.proxy.handle("c0", "item_piano_note", data).get(timeout=10)
                steps.append((time.perf_counter() - began) * 1000)
                room.outbox.sent.clear()
        finally:
            room.close()
    return {"listeners": listeners, "notes": notes, "p50_ms": percentile(steps, 0.5),
            "p99_ms": percentile(steps, 0.99), "max_ms": max(steps)}


def show(r: dict) -> None:
    print(
        f"N={r['listeners']:4d} listeners  {NOTES_PER_SECOND} notes/s ({r['packets']} packets)  "
        f"p50={r['p50_ms']:.1f} ms  p95={r['p95_ms']:.1f} ms  p99={r['p99_ms']:.1f} ms  "
        f"max={r['max_ms']:.1f} ms  lost={r['lost']}  server CPU={r['server_cpu_pct']:.0f}%  "
        f"RSS={r['rss_mb']:.1f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sweep", default="", help="comma-separated listener counts, e.g. 1,10,50,100")
    parser.add_argument("--inproc", action="store_true", help="time the room step alone (no sockets)")
    args = parser.parse_args()
    counts = [int(n) for n in args.sweep.split(",") if n.strip()] or [args.listeners]
    for n in counts:
        if args.inproc:
            r = run_inproc(n)
            print(f"N={n:4d} listeners  room step per note (ask round trip): p50={r['p50_ms']:.3f} ms  "
                  f"p99={r['p99_ms']:.3f} ms  max={r['max_ms']:.1f} ms  ({r['notes']} notes)", flush=True)
        else:
            show(run_once(n, args.seconds, args.workers))


if __name__ == "__main__":
    main()
