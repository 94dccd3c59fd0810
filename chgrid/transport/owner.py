"""The owner's side of a grid: the room this node holds the lease of.

Members are the connections seated in the room, each with the node (gateway) holding
its socket. The room's outbound batches are split by gateway: this node's own sockets
get them directly, every other gateway gets one Redis message per batch, the frames in
it encoded once by the room.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from chgrid.transport import wire
from chgrid.transport.factory import RunningRoom
from chgrid.web.bridge import ask
from chgrid.web.outbox import Close, Op, Send

log = logging.getLogger(__name__)


class OwnedRoom:
    """One grid's running room on its owner node, with its members' gateways.

    ``deliver_local`` takes this node's share of each batch (thread-safe);
    ``publish`` sends a text to a Redis channel from any thread, in call order.
    """

    def __init__(self, grid: str, epoch: int, node_id: str,
                 deliver_local: Callable[[list[Op]], None],
                 publish: Callable[[str, str], None]) -> None:
        self.grid = grid
        self.epoch = epoch
        self.node_id = node_id
        self._deliver_local = deliver_local
        self._publish = publish
        self.members: dict[str, str] = {}  # client id → gateway node id (loop thread writes)
        self.running: RunningRoom | None = None
        self.renewed_at = 0.0  # monotonic time of the last renewal of the lease

    @property
    def proxy(self) -> Any:
        return self.running.proxy

    # -- inbound (loop thread) -----------------------------------------------------------

    def join(self, client_id: str, gateway: str, grant: Any, quiet: bool) -> None:
        if client_id in self.members:
            return  # a repeated join (re-seating after an ownership change): already here
        self.members[client_id] = gateway
        self.proxy.join(client_id, grant, quiet)

    def leave(self, client_id: str) -> None:
        if client_id not in self.members:
            return
        # The member stays known until the room has sent the leave's last frames.
        asyncio.ensure_future(self._forget_after(client_id, self.proxy.leave(client_id)))

    async def _forget_after(self, client_id: str, future: Any) -> None:
        try:
            await ask(future)
        except Exception:
            log.debug("leave of %s in %s", client_id, self.grid, exc_info=True)
        self.members.pop(client_id, None)

    def handle(self, client_id: str, packet_type: str, data: dict[str, Any]) -> None:
        if client_id in self.members:
            self.proxy.handle(client_id, packet_type, data)

    def on_message(self, payload: bytes) -> None:
        """A gateway's message on the grid's room channel."""
        msg = wire.decode_inbound(payload)
        if isinstance(msg, wire.Handle):
            self.handle(msg.client_id, msg.packet_type, msg.data)
        elif isinstance(msg, wire.Join):
            self.join(msg.client_id, msg.gateway, msg.grant, msg.quiet)
        elif isinstance(msg, wire.Leave):
            self.leave(msg.client_id)

    def gateways(self) -> set[str]:
        return set(self.members.values())

    def drop_gateway(self, gateway: str) -> int:
        """A gateway node is gone (its heartbeat expired): its players leave."""
        gone = [cid for cid, gw in self.members.items() if gw == gateway]
        for cid in gone:
            self.leave(cid)
        return len(gone)

    # -- outbound (room thread) ------------------------------------------------------------

    def sink(self, ops: list[Op]) -> None:
        """The room's delivery: split one step's batch by gateway."""
        members = self.members
        local: list[Op] = []
        remote: dict[str, list[Op]] = defaultdict(list)
        for op in ops:
            if isinstance(op, Send):
                by_gateway: dict[str, list[str]] = defaultdict(list)
                for cid in op.client_ids:
                    gateway = members.get(cid)
                    if gateway is not None:
                        by_gateway[gateway].append(cid)
                for gateway, cids in by_gateway.items():
                    share = op if len(cids) == len(op.client_ids) else Send(tuple(cids), op.frame)
                    (local if gateway == self.node_id else remote[gateway]).append(share)
            elif isinstance(op, Close):
                gateway = members.get(op.client_id)
                if gateway is not None:
                    (local if gateway == self.node_id else remote[gateway]).append(op)
        if local:
            self._deliver_local(local)
        for gateway, gops in remote.items():
            self._publish(wire.gateway_channel(gateway), wire.encode_ops(self.grid, gops))

    # -- presence (loop thread) ------------------------------------------------------------

    def presence_by_gateway(self, players: list[dict[str, Any]]) -> dict[str, dict[str, tuple[int, int, str]]]:
        """The room's snapshot grouped by the gateway of each player."""
        out: dict[str, dict[str, tuple[int, int, str]]] = defaultdict(dict)
        for p in players:
            gateway = self.members.get(p["id"])
            if gateway is not None:
                out[gateway][p["id"]] = (p["x"], p["y"], p["nickname"])
        return out
