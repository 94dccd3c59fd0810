"""Fuzzing every inbound schema: parse_frame, what is derived from it, and a live server.

In process: for thousands of frames drawn from tests/fuzz_frames.py (every type of
``INBOUND_SCHEMAS``: valid, boundary, wrong-typed and hostile field values, extra fields,
broken JSON, binary frames), ``parse_frame`` raises nothing but ``ProtocolError``; a
rejection's ``protocol_error`` always encodes, and so does every packet the server
builds from a frame it accepted (relayed signal, pong, chat line, nickname result,
item params).  Over real sockets: a few thousand such frames from an authenticated and
an unauthenticated connection leave no traceback in the server log, every reply obeys
the wire rules, and another client is still served.
"""
from __future__ import annotations

import json
import threading

import pytest
import websocket
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from chgrid.protocol import INBOUND_TYPES, ProtocolError, encode, parse_frame, validate_outbound
from chgrid.protocol.fields import check_json_value
from chgrid.protocol.inbound import INBOUND_SCHEMAS
from tests.fuzz_frames import field_values, frames, schema_frame
from tests.support import Client, login, register

FUZZ = settings(max_examples=2500, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


def _strings(value):
    """Every string inside a loaded value, keys included (iterative)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def assert_derived_packets_encode(packet) -> None:
    """Build what the server sends out from an accepted frame; none of it may raise."""
    data = packet.data
    who = {"senderId": "c1", "senderNickname": "n"}
    if packet.type == "signal":
        encode("signal", {**who, "x": 0, "y": 0, "sdp": data["sdp"], "ice": data["ice"]})
    elif packet.type == "ping":
        encode("pong", {"clientSentAt": data["clientSentAt"]})
    elif packet.type == "chat_message":
        encode("chat_message", {**who, "message": data["message"]})
    elif packet.type == "update_nickname":
        encode("nickname_result", {"accepted": False, "requestedNickname": data["nickname"],
                                   "effectiveNickname": "n", "reason": "taken"})
    elif packet.type == "item_update" and data["params"] is not None:
        # Outbound item params follow the same rule (items.py: JsonObject deep=True).
        assert check_json_value(data["params"]) is None
    # Any string a handler may echo back (unknown item type, usernames in replies).
    for text in _strings(data):
        encode("chat_message", {"message": text, "system": True})
    json.dumps(data, allow_nan=False, ensure_ascii=False).encode("utf-8")


def check_frame(frame) -> None:
    try:
        packet = parse_frame(frame)
    except ProtocolError as err:
        payload = {"message": err.message}
        if err.packet_type:
            payload["packetType"] = err.packet_type
        encode("protocol_error", payload)
        return
    assert packet.type in INBOUND_TYPES
    assert_derived_packets_encode(packet)


def test_every_schema_field_has_strategies():
    """A schema field of a new kind must get a strategy before it can go unfuzzed."""
    for packet_type, schema in INBOUND_SCHEMAS.items():
        for name, field in schema.fields.items():
            for mode in ("valid", "boundary", "wrong", "hostile"):
                assert field_values(field, mode) is not None, (packet_type, name, mode)


@FUZZ
@given(frames())
def test_parse_frame_raises_only_protocol_error(frame):
    check_frame(frame)


@pytest.mark.parametrize("packet_type", sorted(INBOUND_SCHEMAS))
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_each_schema_fuzzed(packet_type, data):
    check_frame(data.draw(schema_frame(packet_type)))


# --- over real sockets ----------------------------------------------------------------

def _draw_frames(count: int, ids: tuple[str, ...]) -> list:
    """``count`` frames drawn by hypothesis (generation only, no shrinking)."""
    out: list = []

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(frames(ids))
    def collect(frame):
        out.append(frame)

    collect()
    return out


def _wire(frame) -> tuple[int, bytes | str]:
    """(opcode, payload): a str that is not valid UTF-8 text goes as a binary frame."""
    if isinstance(frame, bytes):
        return websocket.ABNF.OPCODE_BINARY, frame
    try:
        frame.encode("utf-8")
        return websocket.ABNF.OPCODE_TEXT, frame
    except UnicodeEncodeError:
        return websocket.ABNF.OPCODE_BINARY, frame.encode("utf-8", "surrogatepass")


class _Drain(threading.Thread):
    """Reads one connection until it closes, checking every packet against the wire rules.

    ``sync(n)`` waits until the reply to a ``{"type":"sync_<n>"}`` marker arrived (a
    ``protocol_error`` naming it, for authenticated and anonymous connections alike), so
    the sender never runs so far ahead that the server's inbound queue limit cuts it off.
    """

    def __init__(self, ws) -> None:
        super().__init__(daemon=True)
        self.ws = ws
        self.problems: list[str] = []
        self.close_code: int | None = None
        self.synced = -1
        self.changed = threading.Condition()

    def run(self) -> None:
        try:
            while True:
                opcode, data = self.ws.recv_data(control_frame=False)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    self.close_code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                    return
                packet = json.loads(data)
                problems = validate_outbound(packet)
                if problems:
                    self.problems.append(f"{packet}: {problems}")
                marker = packet.get("packetType", "")
                if packet["type"] == "protocol_error" and marker.startswith("sync_"):
                    with self.changed:
                        self.synced = int(marker[5:])
                        self.changed.notify_all()
        except (websocket.WebSocketException, OSError):
            return
        finally:
            with self.changed:
                self.synced = 1 << 62  # closed: nobody waits any longer
                self.changed.notify_all()

    def sync(self, client, number: int, timeout: float = 20) -> None:
        client.ws.send(json.dumps({"type": f"sync_{number}"}))
        with self.changed:
            assert self.changed.wait_for(lambda: self.synced >= number, timeout), "no sync reply"


SYNC_EVERY = 25


def _fuzz_connection(server, frames_to_send, username: str | None) -> tuple[list[str], list]:
    """Send frames from one connection (re-opened if the server closes it)."""
    problems: list[str] = []
    closes: list = []
    index = 0
    round_ = 0
    while index < len(frames_to_send):
        round_ += 1
        if username:
            # Logging in again (not registering anew) after a close: registrations
            # from one address may be rate limited.
            client, _, _ = (register if round_ == 1 else login)(server, username)
        else:
            client = Client(server.ws_url)
            client.expect("auth_required")
        drain = _Drain(client.ws)
        drain.start()
        try:
            while index < len(frames_to_send):
                opcode, payload = _wire(frames_to_send[index])
                index += 1
                client.ws.send(payload, opcode)
                if index % SYNC_EVERY == 0:
                    drain.sync(client, index)
        except (websocket.WebSocketException, OSError):
            pass  # closed by the server (flood, bound): reconnect and go on
        client.close()
        drain.join(10)
        problems.extend(drain.problems)
        closes.append(drain.close_code)
    return problems, closes


def _changes_identity(frame) -> bool:
    """A valid auth command (it would log the authenticated fuzzer out or switch it)."""
    try:
        return parse_frame(frame).type.startswith("auth_")
    except ProtocolError:
        return False


def test_live_server_survives_fuzzing(server):
    watcher, _, welcome = register(server, "watcher")
    bystander, _, _ = register(server, "bystander")
    ids = (welcome["id"], "nobody")
    batch = _draw_frames(3000, ids)
    # The authenticated connection keeps its login; auth commands go the anonymous way.
    batch = [f for f in batch[:1500] if not _changes_identity(f)] + batch[1500:]
    half = len(batch) - 1500
    results: dict[str, tuple] = {}

    def run(key: str, part: list, username: str | None) -> None:
        results[key] = _fuzz_connection(server, part, username)

    threads = [threading.Thread(target=run, args=("auth", batch[:half], "fz")),
               threading.Thread(target=run, args=("anon", batch[half:], None))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert set(results) == {"auth", "anon"}
    for problems, _closes in results.values():
        assert problems == []
    # The watcher is still served (it may have been relayed signals and chat lines).
    watcher.send({"type": "ping", "clientSentAt": 424242})
    assert watcher.expect("pong", timeout=20, clientSentAt=424242)
    bystander.send({"type": "ping", "clientSentAt": 7})
    assert bystander.expect("pong", timeout=20, clientSentAt=7)
    # New connections are still welcomed (registration itself may now be rate limited
    # for this address, after the fuzzers' many valid auth_register frames).
    Client(server.ws_url).expect("auth_required")
    # The whole log: ServerProcess.log() keeps only the tail.
    log = server.log_path.read_text(errors="replace")
    assert "Traceback" not in log and " ERROR " not in log
