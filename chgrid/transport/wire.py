"""What nodes say to each other through Redis: channel names and message codecs.

Every message is one JSON text. Outbound frames travel as the strings the room
encoded once; a gateway turns them into websocket frames itself. Session tokens never
leave their node: a join carries what the room needs of the account and nothing more.
Decoders return None for anything malformed (a bad message is dropped, never raised).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from chgrid.auth.records import AuthGrant
from chgrid.web.outbox import Close, Op, Send

log = logging.getLogger(__name__)

OWNERS_CHANNEL = "chgrid:owners"


def room_channel(grid: str) -> str:
    """Where gateways send a grid's inbound traffic; its owner listens."""
    return f"chgrid:room:{grid}"


def gateway_channel(node_id: str) -> str:
    """Where room owners send the frames for one node's sockets."""
    return f"chgrid:gw:{node_id}"


def grant_fields(grant: Any) -> list:
    return [grant.user_id, grant.username, grant.role, list(grant.permissions), grant.nickname,
            grant.last_x, grant.last_y]


# -- gateway → owner ---------------------------------------------------------------------

def encode_join(client_id: str, gateway: str, grant: Any, quiet: bool) -> str:
    return json.dumps(["j", client_id, gateway, grant_fields(grant), quiet], separators=(",", ":"))


def encode_leave(client_id: str) -> str:
    return json.dumps(["l", client_id], separators=(",", ":"))


def encode_handle(client_id: str, packet_type: str, data: dict[str, Any]) -> str:
    return json.dumps(["h", client_id, packet_type, data], separators=(",", ":"))


@dataclass(frozen=True)
class Join:
    client_id: str
    gateway: str
    grant: AuthGrant  # with an empty token: tokens never leave their node
    quiet: bool


@dataclass(frozen=True)
class Leave:
    client_id: str


@dataclass(frozen=True)
class Handle:
    client_id: str
    packet_type: str
    data: dict[str, Any]


def decode_inbound(payload: bytes | str) -> Join | Leave | Handle | None:
    try:
        msg = json.loads(payload)
        kind = msg[0]
        if kind == "h":
            _, cid, ptype, data = msg
            if isinstance(cid, str) and isinstance(ptype, str) and isinstance(data, dict):
                return Handle(cid, ptype, data)
        elif kind == "l":
            if isinstance(msg[1], str):
                return Leave(msg[1])
        elif kind == "j":
            _, cid, gateway, fields, quiet = msg
            uid, username, role, perms, nickname, last_x, last_y = fields
            grant = AuthGrant(int(uid), str(username), str(role), tuple(str(p) for p in perms),
                              str(nickname), _opt_int(last_x), _opt_int(last_y), token="")
            if isinstance(cid, str) and isinstance(gateway, str):
                return Join(cid, gateway, grant, bool(quiet))
    except (ValueError, TypeError, IndexError, KeyError):
        pass
    log.warning("dropped a malformed room message")
    return None


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


# -- owner → gateway ---------------------------------------------------------------------

def encode_ops(grid: str, ops: list[Op]) -> str:
    """A batch of socket operations for one gateway, in order."""
    out: list[list] = []
    for op in ops:
        if isinstance(op, Send):
            out.append([list(op.client_ids), op.frame])
        else:
            out.append([op.client_id, op.code, op.reason])
    return json.dumps({"g": grid, "o": out}, separators=(",", ":"), ensure_ascii=False)


def encode_presence(grid: str, presence: dict[str, tuple[int, int, str]]) -> str:
    """Where a gateway's players stand and what they are called, for re-seating them."""
    return json.dumps({"g": grid, "p": {cid: list(v) for cid, v in presence.items()}},
                      separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class GatewayBatch:
    grid: str
    ops: list[Op]
    presence: dict[str, tuple[int, int, str]] | None


def decode_gateway(payload: bytes | str) -> GatewayBatch | None:
    try:
        msg = json.loads(payload)
        grid = msg["g"]
        if "p" in msg:
            presence = {str(cid): (int(v[0]), int(v[1]), str(v[2])) for cid, v in msg["p"].items()}
            return GatewayBatch(str(grid), [], presence)
        ops: list[Op] = []
        for entry in msg["o"]:
            if isinstance(entry[0], list):
                ops.append(Send(tuple(entry[0]), entry[1]))
            else:
                ops.append(Close(entry[0], int(entry[1]), str(entry[2])))
        return GatewayBatch(str(grid), ops, None)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        log.warning("dropped a malformed gateway batch")
        return None


# -- ownership ----------------------------------------------------------------------------

def encode_owner(grid: str, node_id: str, epoch: int) -> str:
    return json.dumps({"g": grid, "n": node_id, "e": epoch}, separators=(",", ":"))


def decode_owner(payload: bytes | str) -> tuple[str, str, int] | None:
    try:
        msg = json.loads(payload)
        return str(msg["g"]), str(msg["n"]), int(msg["e"])
    except (ValueError, TypeError, KeyError):
        return None
