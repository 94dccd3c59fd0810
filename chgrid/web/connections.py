"""Loop-side registry of open websocket connections and frame delivery.

Lives on the IOLoop thread only. ``deliver`` is the Outbox target: it writes each frame
to each recipient with its own error handling, so one broken or slow socket never stops
a broadcast. Each connection has a bounded outbound buffer: a client that cannot keep up
is closed with a clear reason instead of growing server memory.
"""
from __future__ import annotations

import logging
from typing import Protocol

from chgrid.web.outbox import Close, Op, Send

log = logging.getLogger(__name__)

SLOW_CONSUMER_CODE = 1008
SLOW_CONSUMER_REASON = "Client too slow: outbound buffer limit exceeded."


class Writable(Protocol):
    """What the registry needs from a websocket handler."""

    client_id: str
    authenticated: bool

    def write_frame(self, frame: str) -> int: ...  # returns bytes now pending
    def close_with(self, code: int, reason: str) -> None: ...


class ConnectionRegistry:
    """client id → handler for every open websocket (authenticated or not)."""

    def __init__(self, buffer_limit_bytes: int) -> None:
        self.buffer_limit = buffer_limit_bytes
        self._by_id: dict[str, Writable] = {}

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

    def deliver(self, ops: list[Op]) -> None:
        for op in ops:
            if isinstance(op, Send):
                for cid in op.client_ids:
                    self._write(cid, op.frame)
            elif isinstance(op, Close):
                conn = self._by_id.get(op.client_id)
                if conn is not None:
                    conn.close_with(op.code, op.reason)

    def _write(self, client_id: str, frame: str) -> None:
        conn = self._by_id.get(client_id)
        if conn is None:
            return
        try:
            pending = conn.write_frame(frame)
        except Exception:  # one recipient's failure must not stop the others
            log.debug("write to %s failed", client_id, exc_info=True)
            return
        if pending > self.buffer_limit:
            log.warning("closing slow client %s (%d bytes pending)", client_id, pending)
            conn.close_with(SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON)
