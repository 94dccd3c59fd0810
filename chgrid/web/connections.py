"""Loop-side registry of open websocket connections and frame delivery.

Actors ``submit`` batches of socket operations from their own threads; the registry
queues them and drains the queue on the IOLoop in one callback, however many batches
arrived meanwhile. Under load this merges the frames bound for one client into a single
socket write. Each broadcast is framed once (``chgrid.web.frames``) and the same bytes go
to every recipient, each write with its own error handling, so one broken or slow
socket never stops a broadcast. Each connection has a bounded outbound buffer: a client
that cannot keep up is closed with a clear reason instead of growing server memory.
The bound itself is enforced by the connection's ``write_raw`` (``GridSocket``), the one
path for every byte it is sent, direct replies included; the registry's own check after
each write only backs up a writable that does not enforce one.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from chgrid.web.frames import text_frame
from chgrid.web.outbox import Close, Op, Send

log = logging.getLogger(__name__)

SLOW_CONSUMER_CODE = 1008
SLOW_CONSUMER_REASON = "Client too slow: outbound buffer limit exceeded."


class Writable(Protocol):
    """What the registry needs from a websocket handler."""

    client_id: str
    authenticated: bool

    def write_raw(self, data: bytes) -> int: ...  # returns bytes now pending
    def close_with(self, code: int, reason: str) -> None: ...


class ConnectionRegistry:
    """client id → handler for every open websocket (authenticated or not).

    Everything but ``submit`` runs on the IOLoop thread.
    """

    def __init__(self, buffer_limit_bytes: int, schedule: Callable[[Callable[[], None]], None] | None = None) -> None:
        self.buffer_limit = buffer_limit_bytes
        self._schedule = schedule
        self._by_id: dict[str, Writable] = {}
        self._lock = threading.Lock()
        self._pending: list[Op] = []
        self._drain_scheduled = False

    def add(self, conn: Writable) -> None:
        self._by_id[conn.client_id] = conn

    def remove(self, client_id: str) -> None:
        self._by_id.pop(client_id, None)

    def get(self, client_id: str) -> Writable | None:
        return self._by_id.get(client_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def authenticated_count(self) -> int:
        return sum(1 for c in self._by_id.values() if c.authenticated)

    def all(self) -> list[Writable]:
        return list(self._by_id.values())

    # -- from any thread -----------------------------------------------------------------

    def submit(self, ops: list[Op]) -> None:
        """Queue a batch; schedules one drain on the loop unless one is pending."""
        with self._lock:
            self._pending.extend(ops)
            if self._drain_scheduled:
                return
            self._drain_scheduled = True
        self._schedule(self._drain)

    def _drain(self) -> None:
        with self._lock:
            ops, self._pending = self._pending, []
            self._drain_scheduled = False
        self.deliver(ops)

    # -- on the loop ---------------------------------------------------------------------

    def deliver(self, ops: list[Op]) -> None:
        """Write ``ops`` in order: per recipient, frames are concatenated into one write."""
        chunks: dict[str, list[bytes]] = {}
        for op in ops:
            if isinstance(op, Send):
                data = text_frame(op.frame)
                for cid in op.client_ids:
                    queue = chunks.get(cid)
                    if queue is None:
                        chunks[cid] = [data]
                    else:
                        queue.append(data)
            elif isinstance(op, Close):
                queued = chunks.pop(op.client_id, None)
                if queued:
                    self._write(op.client_id, queued)
                conn = self._by_id.get(op.client_id)
                if conn is not None:
                    conn.close_with(op.code, op.reason)
        for cid, queued in chunks.items():
            self._write(cid, queued)

    def _write(self, client_id: str, queued: list[bytes]) -> None:
        conn = self._by_id.get(client_id)
        if conn is None:
            return
        try:
            pending = conn.write_raw(queued[0] if len(queued) == 1 else b"".join(queued))
        except Exception:  # one recipient's failure must not stop the others
            log.debug("write to %s failed", client_id, exc_info=True)
            return
        if pending > self.buffer_limit:
            log.warning("closing slow client %s (%d bytes pending)", client_id, pending)
            conn.close_with(SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON)
