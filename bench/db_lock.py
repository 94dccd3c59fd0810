"""Database-lock benchmark: does a locked SQLite database freeze the room?

Starts a real server on 127.0.0.1, connects WALKERS clients that each move R times a
second and CHANGERS clients that loop over acknowledged changes (nickname, teleport,
item add, item delete), one request at a time. After OUTSIDE seconds another
connection takes ``BEGIN EXCLUSIVE`` on the server's database (what an operator's
``sqlite3`` shell, a backup tool or ``chgrid admin`` can do) and holds it for LOCK
seconds, then OUTSIDE seconds more run unlocked. Prints, split by whether a request
was sent while the lock was held:

- move broadcast latency at the other walkers (p50 / p99 / max): a room thread that
  waits on the lock stalls every walker's broadcast;
- acknowledged changes: answered saved / answered "not saved" (failed fast) / no
  answer, and the slowest answer;
- whether the account actor still answers a login after the lock.

    python bench/db_lock.py --walkers 20 --lock-s 4
    python bench/db_lock.py --commit-wait-s 5     # the old default wait
    python bench/db_lock.py --login-during-lock   # the AccountActor busy meanwhile
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.fanout import percentile  # noqa: E402
from bench.wsclient import BenchSocket  # noqa: E402
from tests.support import ServerProcess  # noqa: E402

PASSWORD = "benchpass1"
GRID = 41
LOOP_SIDE = 10  # a 40-step loop: at 2 moves/s a square comes back after 20 s
MOVE_PREFIX = b'{"type":"update_position"'
ANSWER_TIMEOUT_S = 30.0
# Acknowledged changes are measured, not flood control: lift the action limits.
UNLIMITED = {f"CHGRID_LIMITS_{k}": "1000000" for k in ("ACTIONS_BURST", "ACTIONS_PER_SECOND",
                                                       "CHAT_BURST", "CHAT_PER_SECOND")}


@dataclass
class Timeline:
    """When the lock was really held (perf_counter seconds); set by the lock thread."""

    measure_from: float = 0.0
    measure_to: float = 0.0
    lock_from: float | None = None
    lock_to: float | None = None

    def phase(self, sent: float) -> str | None:
        if not self.measure_from <= sent < self.measure_to:
            return None
        if self.lock_from is not None and sent >= self.lock_from and (self.lock_to is None or sent < self.lock_to):
            return "lock"
        return "outside"


@dataclass
class Figures:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"lock": [], "outside": []})
    # phase -> list of (kind, outcome, seconds): outcome "saved" / "failed" / "no answer"
    changes: dict[str, list[tuple[str, str, float]]] = field(default_factory=lambda: {"lock": [], "outside": []})
    login_during: str | None = None


async def _login(url: str, name: str):
    ws = await BenchSocket.connect(url)
    stream = ws.batches()
    ws.send_text(json.dumps({"type": "auth_register", "username": name, "password": PASSWORD}))
    async for batch in stream:
        for raw in batch:
            packet = json.loads(raw)
            if packet["type"] == "auth_result" and not packet["ok"]:
                raise RuntimeError(f"{name}: {packet['message']}")
            if packet["type"] == "welcome":
                return ws, stream, packet["id"], packet["player"]["x"], packet["player"]["y"]
    raise RuntimeError(f"{name}: closed during login")


def _loop_path(x: int, y: int, side: int = LOOP_SIDE) -> list[tuple[int, int]]:
    """A square walk starting next to (x, y), one step at a time, no square twice: each
    broadcast names a square its sender last left a whole loop ago, so an arrival is
    matched to the move that caused it even when the room held moves back."""
    dx = 1 if x + side < GRID else -1
    dy = 1 if y + side < GRID else -1
    path = [(x + dx * i, y) for i in range(1, side + 1)]
    path += [(x + dx * side, y + dy * i) for i in range(1, side + 1)]
    path += [(x + dx * (side - i), y + dy * side) for i in range(1, side + 1)]
    path += [(x, y + dy * (side - i)) for i in range(1, side + 1)]
    return path


async def _walker(url, name, rate, tl: Timeline, sent_at: dict, figures: Figures, ready, go, stop):
    ws, stream, me, x, y = await _login(url, name)
    ready()
    last_sent = [None]
    corrected: list[tuple[int, int]] = []  # where the server put us back, newest last

    async def reader():
        async for batch in stream:
            now = time.perf_counter()
            for raw in batch:
                if not raw.startswith(MOVE_PREFIX):
                    continue
                packet = json.loads(raw)
                sender = packet["id"]
                if sender == me:
                    # A step the room refused (too many at once after a stall) comes back
                    # as a correction: walk on from there, as a real client does.
                    if (packet["x"], packet["y"]) != last_sent[0]:
                        corrected.append((packet["x"], packet["y"]))
                    continue
                sent = sent_at.get((sender, packet["x"], packet["y"]))
                if sent is not None:
                    phase = tl.phase(sent)
                    if phase:
                        figures.latencies[phase].append(now - sent)

    reading = asyncio.ensure_future(reader())
    await go.wait()
    interval = 1.0 / rate
    await asyncio.sleep((hash(name) % 1000) / 1000 * interval)  # spread the phases
    path, step = _loop_path(x, y), 0
    while not stop.is_set():
        if corrected:
            path, step = _loop_path(*corrected[-1]), 0
            corrected.clear()
        x, y = path[step % len(path)]
        step += 1
        last_sent[0] = (x, y)
        sent_at[(me, x, y)] = time.perf_counter()
        ws.send_text(json.dumps({"type": "update_position", "x": x, "y": y}))
        await asyncio.sleep(interval)
    await asyncio.sleep(1.0)  # let the last broadcasts arrive
    reading.cancel()
    ws.close()


async def _changer(url, name, pause, tl: Timeline, figures: Figures, ready, go, stop):
    ws, stream, me, x, y = await _login(url, name)
    ready()
    waiting: dict = {}

    async def reader():
        async for batch in stream:
            for raw in batch:
                packet = json.loads(raw)
                match = waiting.get("match")
                if match is not None and match(packet) and not waiting["future"].done():
                    waiting["future"].set_result(packet)

    reading = asyncio.ensure_future(reader())
    await go.wait()
    item_id = None
    counter = itertools.count()
    kinds = itertools.cycle(("nickname", "teleport", "item_add", "item_delete"))
    while not stop.is_set():
        kind = next(kinds)
        n = next(counter)
        if kind == "nickname":
            packet = {"type": "update_nickname", "nickname": f"{name}-{n}"}
            match = lambda p: p["type"] == "nickname_result"  # noqa: E731
            saved = lambda p: p["accepted"]  # noqa: E731
        elif kind == "teleport":
            tx, ty = (x + 3 + n) % 41, (y + 5 + n) % 41
            packet = {"type": "teleport_complete", "x": tx, "y": ty}
            match = lambda p: p["type"] == "update_position" and p["id"] == me  # noqa: E731
            saved = lambda p, tx=tx, ty=ty: (p["x"], p["y"]) == (tx, ty)  # noqa: E731
        elif kind == "item_add":
            packet = {"type": "item_add", "itemType": "dice"}
            match = lambda p: p["type"] == "item_action_result" and p["action"] == "add"  # noqa: E731
            saved = lambda p: p["ok"]  # noqa: E731
        else:
            if item_id is None:
                continue
            packet = {"type": "item_delete", "itemId": item_id}
            match = lambda p: p["type"] == "item_action_result" and p["action"] == "delete"  # noqa: E731
            saved = lambda p: p["ok"]  # noqa: E731
        future = asyncio.get_running_loop().create_future()
        waiting.update(match=match, future=future)
        sent = time.perf_counter()
        ws.send_text(json.dumps(packet))
        try:
            answer = await asyncio.wait_for(future, ANSWER_TIMEOUT_S)
            outcome = "saved" if saved(answer) else "failed"
        except asyncio.TimeoutError:
            answer, outcome = None, "no answer"
        took = time.perf_counter() - sent
        waiting.clear()
        if kind == "teleport" and outcome == "saved":
            x, y = answer["x"], answer["y"]
        if kind == "item_add":
            item_id = answer.get("itemId") if outcome == "saved" else None
        elif kind == "item_delete" and outcome == "saved":
            item_id = None
        phase = tl.phase(sent)
        if phase:
            figures.changes[phase].append((kind, outcome, took))
        await asyncio.sleep(pause)
    reading.cancel()
    ws.close()


def _hold_lock(db_path: Path, tl: Timeline, start_in: float, hold: float, mode: str, done: threading.Event):
    """Take the database lock ``start_in`` seconds from now and hold it ``hold`` seconds."""
    conn = sqlite3.connect(db_path, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        time.sleep(start_in)
        conn.execute(f"BEGIN {mode}")
        tl.lock_from = time.perf_counter()
        time.sleep(hold)
        conn.execute("ROLLBACK")
        tl.lock_to = time.perf_counter()
    finally:
        conn.close()
        done.set()


async def _run(url: str, db_path: Path, args) -> tuple[Figures, Timeline, float | None]:
    figures, tl = Figures(), Timeline()
    sent_at: dict = {}
    go, stop = asyncio.Event(), asyncio.Event()
    count = {"ready": 0}

    def ready():
        count["ready"] += 1

    tasks = [asyncio.ensure_future(_walker(url, f"walk{i:03d}", args.rate, tl, sent_at, figures, ready, go, stop))
             for i in range(args.walkers)]
    tasks += [asyncio.ensure_future(_changer(url, f"chg{i:02d}", args.pause, tl, figures, ready, go, stop))
              for i in range(args.changers)]
    while count["ready"] < len(tasks):
        for task in tasks:
            if task.done() and task.exception():
                raise task.exception()
        await asyncio.sleep(0.05)
    go.set()
    await asyncio.sleep(args.warmup_s)
    tl.measure_from = time.perf_counter()
    tl.measure_to = tl.measure_from + 2 * args.outside_s + args.lock_s + 60  # closed below
    locked = threading.Event()
    threading.Thread(target=_hold_lock, args=(db_path, tl, args.outside_s, args.lock_s, args.mode, locked),
                     daemon=True).start()
    during = asyncio.ensure_future(_login_during_lock(url, tl)) if args.login_during_lock else None
    await asyncio.to_thread(locked.wait)
    await asyncio.sleep(args.outside_s)
    tl.measure_to = time.perf_counter()
    stop.set()
    await asyncio.gather(*tasks)
    # Does the account actor still answer promptly once the lock is gone?
    login_s = None
    try:
        started = time.perf_counter()
        ws, *_ = await asyncio.wait_for(_login(url, "afterlock"), 15)
        login_s = time.perf_counter() - started
        ws.close()
    except Exception:
        pass
    figures.login_during = await during if during is not None else None
    return figures, tl, login_s


async def _login_during_lock(url: str, tl: Timeline) -> str:
    """Register one account half a second into the lock: the AccountActor waits for the
    lock meanwhile, and the room's acknowledged account saves wait for the actor."""
    while tl.lock_from is None:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    try:
        ws, *_ = await asyncio.wait_for(_login(url, "duringlock"), ANSWER_TIMEOUT_S)
        ws.close()
        outcome = "ok"
    except Exception as err:
        outcome = f"failed ({err or type(err).__name__})"
    return f"{outcome} in {(time.perf_counter() - started) * 1000:.0f} ms"


def _show(figures: Figures, tl: Timeline, login_s: float | None, args) -> None:
    held = (tl.lock_to or 0) - (tl.lock_from or 0)
    print(f"lock: BEGIN {args.mode} held {held:.2f} s; walkers={args.walkers} at {args.rate}/s, "
          f"changers={args.changers}; storage.commit_wait_s="
          f"{args.commit_wait_s if args.commit_wait_s is not None else 'default'}")
    print("move broadcast latency   samples      p50 ms      p99 ms      max ms")
    for phase in ("outside", "lock"):
        ms = [v * 1000 for v in figures.latencies[phase]]
        print(f"  {phase:<21} {len(ms):8d} {percentile(ms, 0.5):11.1f} {percentile(ms, 0.99):11.1f} "
              f"{(max(ms) if ms else float('nan')):11.1f}")
    print("acknowledged changes        sent   saved  failed  no answer   slowest answer ms")
    for phase in ("outside", "lock"):
        rows = figures.changes[phase]
        outcomes = [o for _, o, _ in rows]
        slowest = max((t for _, _, t in rows), default=float("nan")) * 1000
        print(f"  {phase:<21} {len(rows):8d} {outcomes.count('saved'):7d} {outcomes.count('failed'):7d} "
              f"{outcomes.count('no answer'):10d} {slowest:19.1f}")
    if figures.login_during is not None:
        print("registration during the lock:", figures.login_during)
    print("login after the lock:", f"ok in {login_s * 1000:.0f} ms" if login_s is not None else "FAILED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walkers", type=int, default=20)
    parser.add_argument("--rate", type=float, default=2.0, help="moves per second per walker")
    parser.add_argument("--changers", type=int, default=3)
    parser.add_argument("--pause", type=float, default=0.2, help="seconds between a changer's requests")
    parser.add_argument("--lock-s", type=float, default=4.0)
    parser.add_argument("--outside-s", type=float, default=4.0, help="measured seconds before and after")
    parser.add_argument("--warmup-s", type=float, default=2.0)
    parser.add_argument("--mode", choices=("EXCLUSIVE", "IMMEDIATE"), default="EXCLUSIVE")
    parser.add_argument("--login-during-lock", action="store_true",
                        help="also register an account while the lock is held")
    parser.add_argument("--commit-wait-s", type=float, default=None,
                        help="set storage.commit_wait_s (default: the server's default)")
    args = parser.parse_args()
    env = {"CHGRID_NETWORK_MAX_CONNECTIONS_PER_IP": "0", **UNLIMITED}
    if args.commit_wait_s is not None:
        env["CHGRID_STORAGE_COMMIT_WAIT_S"] = str(args.commit_wait_s)
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", env=env).start()
        try:
            figures, tl, login_s = asyncio.run(_run(server.ws_url, server.data_dir / "chgrid.db", args))
        finally:
            server.stop()
    _show(figures, tl, login_s, args)


if __name__ == "__main__":
    main()
