"""Kill -9 soak: is every acknowledged change still there after a crash?

Starts a real server on 127.0.0.1 and runs ROUNDS rounds. In each, CLIENTS clients loop
over acknowledged changes, one request at a time, recording every acknowledgement:
teleport (echo ``update_position``), item add / update (title) / pickup / drop / delete
(``item_action_result ok``), and nickname (``nickname_result accepted``). The server is
killed with SIGKILL at a random moment, restarted, and each client logs in again: its
``auth_result.nickname``, its ``welcome`` position and the ``welcome`` items must show
the last acknowledged state (or, for the one request in flight at the kill, its new
state: committed but not yet answered is allowed). Prints acknowledged vs lost per kind.

Flood limits are lifted for the run (it measures durability, not flood control).

    python bench/kill9_acks.py --rounds 10 --clients 3
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import Client, ServerProcess  # noqa: E402

GRID = 41
PASSWORD = "password123"
UNLIMITED = {f"CHGRID_LIMITS_{k}": "1000000" for k in ("ACTIONS_BURST", "ACTIONS_PER_SECOND",
                                                       "CHAT_BURST", "CHAT_PER_SECOND")}


@dataclass
class Model:
    """What one client's account and items must look like after a crash."""

    nickname: str
    pos: tuple[int, int] | None = None
    items: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # id -> (title, x, y)
    deleted: set[str] = field(default_factory=set)  # acknowledged deletes
    # The request in flight at the kill, as the state it would leave if it committed.
    pending_nickname: str | None = None
    pending_pos: tuple[int, int] | None = None
    pending_items: dict[str, tuple[str, int, int] | None] = field(default_factory=dict)
    carrying: str | None = None
    acked: Counter = field(default_factory=Counter)

    def clear_pending(self) -> None:
        self.pending_nickname, self.pending_pos, self.pending_items = None, None, {}


class Session:
    """One logged-in client doing acknowledged changes until the connection dies."""

    def __init__(self, client: Client, me: str, model: Model, rng: random.Random, tag: str):
        self.c, self.me, self.m, self.rng, self.tag = client, me, model, rng, tag
        self.seq = 0

    def _result(self, action: str) -> dict:
        return self.c.expect("item_action_result", action=action, timeout=15)

    def teleport(self) -> None:
        m = self.m
        target = (self.rng.randrange(GRID), self.rng.randrange(GRID))
        m.pending_pos = target
        if m.carrying:  # the carried item is saved at the new tile in the same step
            title, _, _ = m.items[m.carrying]
            m.pending_items[m.carrying] = (title, *target)
        self.c.send({"type": "teleport_complete", "x": target[0], "y": target[1]})
        got = self.c.expect("update_position", id=self.me, timeout=15)
        if (got["x"], got["y"]) != target:
            raise RuntimeError(f"teleport refused: {got}")
        m.pos = target
        if m.carrying:
            m.items[m.carrying] = m.pending_items[m.carrying]
        m.acked["teleport"] += 1

    def add(self) -> None:
        m = self.m
        self.c.send({"type": "item_add", "itemType": "dice"})
        got = self._result("add")
        if not got["ok"]:
            raise RuntimeError(f"add refused: {got}")
        # Unknown id until answered: an unanswered add may or may not exist (not checked).
        m.items[got["itemId"]] = ("Dice", *m.pos)
        m.acked["item add"] += 1
        return got["itemId"]

    def update(self, item_id: str) -> None:
        m = self.m
        self.seq += 1
        title = f"{self.tag}-{self.seq}"
        _, x, y = m.items[item_id]
        m.pending_items[item_id] = (title, x, y)
        self.c.send({"type": "item_update", "itemId": item_id, "title": title})
        if not self._result("update")["ok"]:
            raise RuntimeError("update refused")
        m.items[item_id] = (title, x, y)
        m.acked["item update"] += 1

    def pickup(self, item_id: str) -> None:
        m = self.m
        self.c.send({"type": "item_pickup", "itemId": item_id})
        if not self._result("pickup")["ok"]:
            raise RuntimeError("pickup refused")
        m.carrying = item_id
        m.acked["item pickup"] += 1

    def drop(self) -> None:
        m = self.m
        item_id = m.carrying
        title, _, _ = m.items[item_id]
        m.pending_items[item_id] = (title, *m.pos)
        self.c.send({"type": "item_drop", "itemId": item_id, "x": m.pos[0], "y": m.pos[1]})
        if not self._result("drop")["ok"]:
            raise RuntimeError("drop refused")
        m.items[item_id] = (title, *m.pos)
        m.carrying = None
        m.acked["item drop"] += 1

    def delete(self, item_id: str) -> None:
        m = self.m
        m.pending_items[item_id] = None
        self.c.send({"type": "item_delete", "itemId": item_id})
        if not self._result("delete")["ok"]:
            raise RuntimeError("delete refused")
        del m.items[item_id]
        m.deleted.add(item_id)
        m.acked["item delete"] += 1

    def nickname(self) -> None:
        m = self.m
        self.seq += 1
        name = f"{self.tag}n{self.seq}"
        m.pending_nickname = name
        self.c.send({"type": "update_nickname", "nickname": name})
        got = self.c.expect("nickname_result", timeout=15)
        if not got["accepted"]:
            raise RuntimeError(f"nickname refused: {got}")
        m.nickname = name
        m.acked["nickname"] += 1

    def run(self) -> None:
        """Loop until the server dies; each step clears what it left pending."""
        while True:
            self.m.clear_pending()
            self.teleport()
            self.m.clear_pending()
            item_id = self.add()
            self.update(item_id)
            self.m.clear_pending()
            self.pickup(item_id)
            self.teleport()
            self.m.clear_pending()
            self.drop()
            self.m.clear_pending()
            if self.rng.random() < 0.3:
                self.delete(item_id)
                self.m.clear_pending()
            self.nickname()


def connect(server: ServerProcess, username: str, register: bool) -> tuple[Client, dict, dict]:
    client = Client(server.ws_url, timeout=15)
    client.expect("auth_required")
    kind = "auth_register" if register else "auth_login"
    client.send({"type": kind, "username": username, "password": PASSWORD})
    auth = client.expect("auth_result")
    if not auth["ok"]:
        raise RuntimeError(auth)
    return client, auth, client.expect("welcome")


def check(model: Model, auth: dict, welcome: dict, lost: Counter) -> None:
    """Compare the restarted server with the model; then adopt what the server shows."""
    if auth["nickname"] not in {model.nickname, model.pending_nickname}:
        lost["nickname"] += 1
        print(f"  LOST nickname: {auth['nickname']!r}, acknowledged {model.nickname!r}")
    pos = (welcome["player"]["x"], welcome["player"]["y"])
    if model.pos is not None and pos not in {model.pos, model.pending_pos}:
        lost["teleport"] += 1
        print(f"  LOST teleport: at {pos}, acknowledged {model.pos}")
    shown = {i["id"]: (i["title"], i["x"], i["y"]) for i in welcome["items"]}
    for item_id, state in model.items.items():
        allowed = {state}
        if item_id in model.pending_items:
            allowed.add(model.pending_items[item_id])
        if shown.get(item_id) not in allowed:
            lost["item"] += 1
            print(f"  LOST item {item_id}: {shown.get(item_id)}, acknowledged {state}")
    for item_id in model.deleted & set(shown):
        lost["item"] += 1
        print(f"  LOST delete of item {item_id}: it is back")
    # Adopt the server's view (it is one of the allowed states).
    model.nickname, model.pos = auth["nickname"], pos
    model.items = {i: shown[i] for i in model.items if i in shown}
    model.carrying = None
    model.clear_pending()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--min-run", type=float, default=0.3, help="shortest time before a kill (s)")
    parser.add_argument("--max-run", type=float, default=2.0, help="longest time before a kill (s)")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    names = [f"soak{i}" for i in range(args.clients)]
    models = {name: Model(nickname=name) for name in names}
    lost: Counter = Counter()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", env=UNLIMITED)
        server.start()
        try:
            for round_no in range(args.rounds):
                sessions = []
                for name in names:
                    client, auth, welcome = connect(server, name, register=round_no == 0)
                    model = models[name]
                    if round_no == 0:
                        model.nickname = auth["nickname"]
                        model.pos = (welcome["player"]["x"], welcome["player"]["y"])
                    sessions.append(Session(client, welcome["id"], model, random.Random(rng.random()), name))
                errors: list[str] = []

                def drive(session: Session) -> None:
                    try:
                        session.run()
                    except RuntimeError as err:  # a refusal: the bench itself is wrong
                        errors.append(str(err))
                    except Exception:
                        pass  # the kill: the connection died mid-request

                threads = [threading.Thread(target=drive, args=(s,), daemon=True) for s in sessions]
                for thread in threads:
                    thread.start()
                time.sleep(rng.uniform(args.min_run, args.max_run))
                server.kill()
                for thread in threads:
                    thread.join(30)
                for session in sessions:
                    session.c.close()
                if errors:
                    print("  unexpected refusals:", errors[:3])
                server.start()
                for name in names:
                    client, auth, welcome = connect(server, name, register=False)
                    check(models[name], auth, welcome, lost)
                    client.close()
                total = sum(sum(m.acked.values()) for m in models.values())
                print(f"round {round_no + 1}/{args.rounds}: {total} acknowledged so far, "
                      f"{sum(lost.values())} lost")
        finally:
            server.stop()
    acked: Counter = Counter()
    for model in models.values():
        acked.update(model.acked)
    item_kinds = ("item add", "item update", "item pickup", "item drop", "item delete")
    print(f"\n{args.rounds} kill -9 rounds, {args.clients} clients, {time.monotonic() - started:.0f} s")
    print(f"{'kind':<10}{'acknowledged':>13}{'lost':>6}")
    print(f"{'nickname':<10}{acked['nickname']:>13}{lost['nickname']:>6}")
    print(f"{'teleport':<10}{acked['teleport']:>13}{lost['teleport']:>6}")
    print(f"{'item':<10}{sum(acked[k] for k in item_kinds):>13}{lost['item']:>6}  ("
          + ", ".join(f"{k[5:]} {acked[k]}" for k in item_kinds) + ")")
    print(f"total acknowledged {sum(acked.values())}, lost {sum(lost.values())}")


if __name__ == "__main__":
    main()
