"""Frame building and the registry's delivery: order, coalescing, isolation, bounds."""
from __future__ import annotations

import struct

from chgrid.web.connections import SLOW_CONSUMER_CODE, ConnectionRegistry
from chgrid.web.frames import text_frame
from chgrid.web.outbox import Close, Outbox, Send


class FakeConn:
    def __init__(self, client_id, fail=False, pending=0):
        self.client_id = client_id
        self.authenticated = True
        self.fail = fail
        self.pending = pending
        self.writes: list[bytes] = []
        self.closed = None

    def write_raw(self, data):
        if self.fail:
            raise RuntimeError("socket gone")
        self.writes.append(data)
        self.pending += len(data)
        return self.pending

    def close_with(self, code, reason):
        self.closed = (code, reason)


def parse_frames(data: bytes) -> list[str]:
    out = []
    while data:
        assert data[0] == 0x81  # FIN + text, unmasked
        n = data[1]
        offset = 2
        if n == 126:
            (n,) = struct.unpack("!H", data[2:4])
            offset = 4
        elif n == 127:
            (n,) = struct.unpack("!Q", data[2:10])
            offset = 10
        out.append(data[offset:offset + n].decode())
        data = data[offset + n:]
    return out


def test_text_frame_lengths():
    for size in (0, 125, 126, 65535, 65536):
        text = "é" * (size // 2) + "a" * (size % 2)
        assert parse_frames(text_frame(text)) == [text]


def test_batches_merge_per_recipient_in_order_and_close_after_its_frames():
    scheduled = []
    reg = ConnectionRegistry(10_000, scheduled.append)
    a, b = FakeConn("a"), FakeConn("b")
    reg.add(a)
    reg.add(b)
    reg.submit([Send(("a", "b"), "one")])
    reg.submit([Send(("a",), "two"), Close("a", 1000, "bye"), Send(("b",), "three")])
    assert len(scheduled) == 1  # one drain for both batches
    scheduled[0]()
    assert [parse_frames(w) for w in a.writes] == [["one", "two"]]
    assert a.closed == (1000, "bye")
    assert [parse_frames(w) for w in b.writes] == [["one", "three"]]


def test_one_failing_recipient_does_not_stop_others():
    reg = ConnectionRegistry(10_000, lambda fn: fn())
    bad, good = FakeConn("bad", fail=True), FakeConn("good")
    reg.add(bad)
    reg.add(good)
    reg.submit([Send(("bad", "good", "gone"), "hello")])
    assert parse_frames(good.writes[0]) == ["hello"]


def test_slow_consumer_closed_past_the_bound():
    reg = ConnectionRegistry(100, lambda fn: fn())
    slow = FakeConn("slow", pending=90)
    reg.add(slow)
    reg.submit([Send(("slow",), "x" * 20)])
    assert slow.closed[0] == SLOW_CONSUMER_CODE


def test_outbox_hands_one_batch_per_flush():
    batches = []
    box = Outbox(batches.append)
    box.send("a", "1")
    box.send_many(["a", "b"], "2")
    box.send_many([], "ignored")
    box.flush()
    box.flush()
    assert batches == [[Send(("a",), "1"), Send(("a", "b"), "2")]]


def test_an_outbox_discards_what_was_queued_after_a_mark():
    batches = []
    outbox = Outbox(batches.append)
    outbox.send("a", "kept")
    mark = outbox.mark()
    outbox.send_many(("a", "b"), "dropped")
    outbox.close("b", 1000, "dropped too")
    outbox.discard_to(mark)
    outbox.flush()
    assert batches == [[Send(("a",), "kept")]]
