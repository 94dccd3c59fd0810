"""The thread-safe path from an actor to the sockets.

An actor queues operations while it handles one message; ``flush`` at the end of the
step hands the whole batch to the IOLoop in a single ``add_callback``. Frames are
already-encoded strings, so a broadcast is serialised once and shared by every
recipient.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Send:
    """Write ``frame`` to each of ``client_ids``."""

    client_ids: tuple[str, ...]
    frame: str


@dataclass(frozen=True)
class Close:
    """Close a connection after everything queued before it was written."""

    client_id: str
    code: int
    reason: str


Op = Send | Close
Deliver = Callable[[list[Op]], None]


class Outbox:
    """Per-actor queue of socket operations; only the owning actor's thread writes to it.

    ``sink`` receives each step's batch; it must be thread-safe (in the server it is
    ``ConnectionRegistry.submit``, which hands batches to the IOLoop).
    """

    def __init__(self, sink: Deliver) -> None:
        self._sink = sink
        self._ops: list[Op] = []

    def send(self, client_id: str, frame: str) -> None:
        self._ops.append(Send((client_id,), frame))

    def send_many(self, client_ids: Iterable[str], frame: str) -> None:
        ids = tuple(client_ids)
        if ids:
            self._ops.append(Send(ids, frame))

    def close(self, client_id: str, code: int = 1000, reason: str = "") -> None:
        self._ops.append(Close(client_id, code, reason))

    def mark(self) -> int:
        """A position in this step's queue, for :meth:`discard_to`."""
        return len(self._ops)

    def discard_to(self, mark: int) -> None:
        """Drop what was queued after ``mark`` (a step that failed sends none of it)."""
        del self._ops[mark:]

    def flush(self) -> None:
        if not self._ops:
            return
        ops, self._ops = self._ops, []
        self._sink(ops)
