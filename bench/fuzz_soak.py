"""Fuzz soak: ≥ 100,000 hypothesis-drawn frames over websockets against a real server.

Draws a pool of frames over every inbound schema (tests/fuzz_frames.py: valid, boundary,
wrong-typed and hostile values, extra fields, broken JSON, binary frames, hostile
``signal`` relays to live clients), then sends them from several fuzzing connections,
authenticated and anonymous, at full speed (each waits for the server every 25 frames
so its inbound queue limit is not what is being measured).  When the server closes a
connection (flooding, rate limits, outbound bounds) it is recorded and reopened.

Meanwhile a well-behaved client in its own process pings every 100 ms: its round trip
is measured before the fuzzing (baseline) and during it.  Prints frames sent, replies,
connections closed by close code, replies that break the wire rules, tracebacks and
ERROR lines in the server log, and the ping p50/p99.  Only talks to 127.0.0.1; bounded
by --frames and --seconds.

    python bench/fuzz_soak.py                    # 100,000 frames, at most 240 s of fuzzing
    python bench/fuzz_soak.py --frames 20000 --pool 3000
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import json
import multiprocessing as mp
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import ServerProcess  # noqa: E402

PASSWORD = "fuzzsoak-pass1"
SYNC_EVERY = 25
# Placeholders drawn into frames as targetId/itemId, replaced by live client ids.
PINGER_ID, FUZZER_ID = "@@pinger@@", "@@fuzzer@@"


# --- the frame pool ---------------------------------------------------------------------

def draw_pool(count: int) -> list:
    from hypothesis import HealthCheck, Phase, given, settings

    from tests.fuzz_frames import frames

    pool: list = []

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(frames((PINGER_ID, FUZZER_ID, "nobody")))
    def collect(frame):
        pool.append(frame)

    collect()
    return pool


def changes_identity(frame) -> bool:
    """A valid auth command: it would log an authenticated fuzzer out or switch it."""
    from chgrid.protocol import ProtocolError, parse_frame

    try:
        return parse_frame(frame).type.startswith("auth_")
    except ProtocolError:
        return False


def wire(frame, ids: dict) -> tuple[bytes | str, bool]:
    """(payload, binary): live ids filled in; text that is not UTF-8 goes as binary."""
    if isinstance(frame, bytes):
        return frame, True
    if "@@" in frame:
        frame = frame.replace(PINGER_ID, ids.get("pinger", "nobody")).replace(
            FUZZER_ID, ids.get("fuzzer", "nobody"))
    try:
        frame.encode("utf-8")
        return frame, False
    except UnicodeEncodeError:
        return frame.encode("utf-8", "surrogatepass"), True


# --- the well-behaved client (own process) ------------------------------------------------

def pinger_process(url: str, stop, ready, queue) -> None:
    samples: list[tuple[float, float | None]] = []

    async def run() -> None:
        from tornado.websocket import websocket_connect

        ws = await websocket_connect(url, max_message_size=16 << 20)
        await ws.read_message()
        ws.write_message(json.dumps({"type": "auth_register", "username": "pinger",
                                     "password": PASSWORD}))
        while True:
            packet = json.loads(await ws.read_message())
            if packet["type"] == "welcome":
                queue.put(("id", packet["id"]))
                break
        ready.set()
        seq = 0
        while not stop.is_set():
            seq += 1
            sent = time.monotonic()
            ws.write_message(json.dumps({"type": "ping", "clientSentAt": seq}))
            rtt = None
            try:
                while True:
                    msg = await asyncio.wait_for(ws.read_message(), 10)
                    if msg is None:
                        raise ConnectionError("pinger closed")
                    packet = json.loads(msg)  # relayed signals, chat lines: skipped
                    if packet["type"] == "pong" and packet["clientSentAt"] == seq:
                        rtt = time.monotonic() - sent
                        break
            except asyncio.TimeoutError:
                pass
            samples.append((sent, rtt))
            await asyncio.sleep(max(0.0, 0.1 - (time.monotonic() - sent)))
        ws.close()

    try:
        asyncio.run(run())
    finally:
        queue.put(("samples", samples))


# --- the fuzzing connections ----------------------------------------------------------------

class Stats:
    def __init__(self) -> None:
        self.sent = 0
        self.sent_binary = 0
        self.replies: collections.Counter = collections.Counter()
        self.closes: collections.Counter = collections.Counter()
        self.opened = 0
        self.sync_timeouts = 0
        self.bad_packets: list[str] = []


async def _open(url: str, username: str | None, stats: Stats, ids: dict):
    from tornado.websocket import websocket_connect

    ws = await websocket_connect(url, max_message_size=16 << 20)
    stats.opened += 1
    await ws.read_message()  # auth_required
    if username:
        for kind in ("auth_register", "auth_login"):
            ws.write_message(json.dumps({"type": kind, "username": username, "password": PASSWORD}))
            while True:
                msg = await ws.read_message()
                if msg is None:
                    raise ConnectionError("closed during login")
                packet = json.loads(msg)
                if packet["type"] == "auth_result":
                    break
            if packet["ok"]:
                break
        else:
            raise ConnectionError(f"cannot log in: {packet}")
        while True:
            packet = json.loads(await ws.read_message())
            if packet["type"] == "welcome":
                if username == "fuzzer0":  # the relay target among the fuzzers
                    ids["fuzzer"] = packet["id"]
                break
    return ws


async def _reader(ws, stats: Stats, synced: dict, wake: asyncio.Event) -> None:
    from chgrid.protocol import validate_outbound

    while True:
        msg = await ws.read_message()
        if msg is None:
            if not getattr(ws, "closed_by_us", False):
                key = f"{ws.close_code} {ws.close_reason or ''}".strip() if ws.close_code else "dropped"
                stats.closes[key] += 1
            wake.set()
            return
        packet = json.loads(msg)
        stats.replies[packet.get("type")] += 1
        problems = validate_outbound(packet)
        if problems and len(stats.bad_packets) < 20:
            stats.bad_packets.append(f"{str(packet)[:200]}: {problems}")
        marker = packet.get("packetType") or ""
        if packet.get("type") == "protocol_error" and marker.startswith("sync_"):
            synced["n"] = int(marker[5:])
            wake.set()


async def fuzzer(url: str, name: str, authenticated: bool, pool: list, offset: int, budget: dict,
                 deadline: float, stats: Stats, ids: dict) -> None:
    from tornado.websocket import WebSocketClosedError

    index = offset
    while budget["left"] > 0 and time.monotonic() < deadline:
        try:
            ws = await _open(url, name if authenticated else None, stats, ids)
        except (ConnectionError, OSError, WebSocketClosedError) as exc:
            stats.closes[f"open failed: {type(exc).__name__}"] += 1
            await asyncio.sleep(0.5)
            continue
        synced, wake = {"n": -1}, asyncio.Event()
        reader = asyncio.ensure_future(_reader(ws, stats, synced, wake))
        count = 0
        try:
            while budget["left"] > 0 and time.monotonic() < deadline and not reader.done():
                if budget["interval"]:  # --rate: each connection keeps its share of the pace
                    budget["next"][name] = max(budget["next"].get(name, 0.0), time.monotonic() - 1.0) \
                        + budget["interval"]
                    await asyncio.sleep(max(0.0, budget["next"][name] - time.monotonic()))
                payload, binary = wire(pool[index % len(pool)], ids)
                index += 1
                count += 1
                budget["left"] -= 1
                stats.sent += 1
                stats.sent_binary += binary
                await ws.write_message(payload, binary=binary)
                if count % SYNC_EVERY == 0:
                    wake.clear()
                    await ws.write_message(json.dumps({"type": f"sync_{count}"}))
                    try:
                        while synced["n"] < count and not reader.done():
                            await asyncio.wait_for(wake.wait(), 30)
                            wake.clear()
                    except asyncio.TimeoutError:
                        stats.sync_timeouts += 1
                        break
        except (WebSocketClosedError, OSError):
            pass
        ws.closed_by_us = not reader.done()
        ws.close()
        try:
            await asyncio.wait_for(reader, 10)
        except asyncio.TimeoutError:
            reader.cancel()


# --- the run ----------------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


async def soak(server: ServerProcess, args) -> None:
    t0 = time.monotonic()
    pool = draw_pool(args.pool)
    auth_pool = [f for f in pool if not changes_identity(f)]
    print(f"pool: {len(pool)} distinct frames drawn in {time.monotonic() - t0:.1f} s "
          f"({sum(isinstance(f, bytes) for f in pool)} binary; {len(auth_pool)} usable while logged in)",
          flush=True)

    ctx = mp.get_context("spawn")
    stop, ready, queue = ctx.Event(), ctx.Event(), ctx.Queue()
    pinger = ctx.Process(target=pinger_process, args=(server.ws_url, stop, ready, queue))
    pinger.start()
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, ready.wait, 60)
    ids = {"pinger": (await loop.run_in_executor(None, queue.get, True, 30))[1]}

    base_start = time.monotonic()
    await asyncio.sleep(args.baseline)
    fuzz_start = time.monotonic()
    stats = Stats()
    budget = {"left": args.frames, "next": {},
              "interval": args.connections / args.rate if args.rate else 0.0}
    deadline = fuzz_start + args.seconds
    n_auth = args.connections // 2
    tasks = [
        fuzzer(server.ws_url, f"fuzzer{i}", i < n_auth, auth_pool if i < n_auth else pool,
               i * len(pool) // args.connections, budget, deadline, stats, ids)
        for i in range(args.connections)
    ]
    await asyncio.gather(*tasks)
    fuzz_end = time.monotonic()
    await asyncio.sleep(1.0)
    stop.set()
    kind, samples = await loop.run_in_executor(None, queue.get, True, 60)
    pinger.join(30)

    baseline = [r for t, r in samples if base_start <= t < fuzz_start and r is not None]
    during = [r for t, r in samples if fuzz_start <= t < fuzz_end and r is not None]
    lost = sum(1 for t, r in samples if r is None)
    log = server.log_path.read_text(errors="replace")
    elapsed = fuzz_end - fuzz_start
    alive = server.proc is not None and server.proc.poll() is None
    print(f"fuzzing: {stats.sent} frames ({stats.sent_binary} binary) in {elapsed:.1f} s "
          f"= {stats.sent / elapsed:.0f} frames/s over {args.connections} connections "
          f"({n_auth} authenticated), {stats.opened} opened")
    print(f"replies: {sum(stats.replies.values())} " + ", ".join(
        f"{k} {v}" for k, v in stats.replies.most_common(8)))
    print("connections closed by the server: " + (", ".join(
        f"{k}: {v}" for k, v in sorted(stats.closes.items(), key=str)) or "none")
          + f"; sync timeouts {stats.sync_timeouts}")
    print(f"replies breaking the wire rules: {len(stats.bad_packets)}")
    for line in stats.bad_packets[:5]:
        print("   ", line)
    print(f"server log: {log.count('Traceback')} tracebacks, {log.count(' ERROR ')} ERROR lines; "
          f"server {'alive' if alive else 'DEAD'}")
    print(f"well-behaved ping (every 100 ms): baseline p50 {pct(baseline, 0.5):.1f} ms "
          f"p99 {pct(baseline, 0.99):.1f} ms ({len(baseline)} pings); during fuzzing p50 "
          f"{pct(during, 0.5):.1f} ms p99 {pct(during, 0.99):.1f} ms max "
          f"{max(during, default=float('nan')) * 1000:.1f} ms ({len(during)} pings); "
          f"unanswered within 10 s: {lost}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=100_000)
    parser.add_argument("--pool", type=int, default=12_000, help="distinct frames to draw")
    parser.add_argument("--connections", type=int, default=6, help="fuzzing connections (half logged in)")
    parser.add_argument("--seconds", type=float, default=240.0, help="bound on the fuzzing phase")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="frames per second over all connections (0: as fast as possible)")
    parser.add_argument("--baseline", type=float, default=10.0, help="seconds of pings before fuzzing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data").start()
        try:
            asyncio.run(soak(server, args))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
