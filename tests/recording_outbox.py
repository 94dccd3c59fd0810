"""An outbox for actor tests that records what a step flushed."""
from __future__ import annotations

from chgrid.web.outbox import Op, Outbox, Send


class RecordingOutbox(Outbox):
    """An outbox for actor tests: flushes synchronously into ``self.sent``."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.closed: list[tuple[str, int, str]] = []
        super().__init__(self._record)

    def _record(self, ops: list[Op]) -> None:
        for op in ops:
            if isinstance(op, Send):
                self.sent.extend((cid, op.frame) for cid in op.client_ids)
            else:
                self.closed.append((op.client_id, op.code, op.reason))
