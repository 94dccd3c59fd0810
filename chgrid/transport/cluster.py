"""The cluster directory: one world on several nodes sharing a database and Redis.

Each node is a gateway for its own sockets and tries to own every grid: the holder of
a grid's Redis lease runs its room (:class:`~chgrid.transport.owner.OwnedRoom`),
renews the lease every tick and fences its item writes with the lease's epoch in the
database, so a stale owner can never commit. Gateways send a grid's traffic to its room
channel unless they own the room themselves, in which case it goes straight to the
actor. When ownership changes (an announcement on ``chgrid:owners``, or a tick that sees
a new epoch) gateways re-seat their connections quietly, with the position and nickname
the last owner reported.

Every tick (a fifth of the lease time):
- renew owned leases (a failed renewal abandons the room at once);
- try to take grids that have no owner;
- as owner: send each gateway its players' presence, and drop the players of gateways
  whose heartbeat expired (a killed node).
"""
from __future__ import annotations

import asyncio
import functools
import time
import logging
from collections.abc import Callable, Iterable
from typing import Any

from chgrid.cluster import events
from chgrid.cluster.lease import Lease
from chgrid.transport import wire
from chgrid.transport.factory import RoomFactory
from chgrid.transport.gateway import GatewayPort, Seats
from chgrid.transport.local import apply_authority
from chgrid.transport.owner import OwnedRoom
from chgrid.transport.ports import RoomPort
from chgrid.web.bridge import ask
from chgrid.web.outbox import Op

log = logging.getLogger(__name__)


class ClusterRooms:
    """The rooms of a clustered world as seen from one node."""

    def __init__(self, *, node_id: str, grids: Iterable[str], bus: Any, leases: Any, beacon: Any,
                 factory: RoomFactory, claim: Callable[[str, int], bool],
                 fence_of: Callable[[str], int | None],
                 deliver_local: Callable[[list[Op]], None],
                 account: Any, lease_s: float) -> None:
        self.node_id = node_id
        self._grids = tuple(grids)
        self.default_grid = self._grids[0]
        self._bus = bus
        self._leases = leases
        self._beacon = beacon
        self._factory = factory
        self._claim = claim  # fences the grid in the database: (grid, epoch) -> claimed
        self._fence_of = fence_of  # the epoch the database holds for a grid
        self._min_epoch: dict[str, int] = {}
        # This node's sockets, from any thread; batches queued meanwhile merge into one
        # write per recipient (rooms here and batches from remote owners alike).
        self._deliver_local = deliver_local
        self._account = account
        self._lease_s = lease_s
        self._tick_s = max(0.2, lease_s / 5)
        self._seats = Seats()
        self._ports = {g: GatewayPort(g, self._seats, self._route) for g in self._grids}
        self._owned: dict[str, OwnedRoom] = {}
        self._known_owner: dict[str, tuple[str, int] | None] = {g: None for g in self._grids}
        self._lease_seen: dict[str, tuple[str, int]] = {}  # the lease a tick last saw
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ticker: asyncio.Task | None = None
        self._stopping = False

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self._bus.subscribe(wire.gateway_channel(self.node_id), self._on_gateway)
        await self._bus.subscribe(wire.OWNERS_CHANNEL, self._on_owner)
        await self._bus.subscribe(events.AUTHORITY_CHANNEL, self._on_authority)
        await self._beacon.beat()
        await self._tick()
        self._ticker = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Stop owned rooms (saving positions), then let their leases go at once so
        another node takes them without waiting for expiry."""
        self._stopping = True
        if self._ticker is not None:
            self._ticker.cancel()
            try:
                await self._ticker
            except asyncio.CancelledError:
                pass
        for grid in list(self._owned):
            owned = self._owned.pop(grid)
            await self._bus.unsubscribe(wire.room_channel(grid))
            await self._blocking(owned.running.stop)
            try:
                await self._leases.release(Lease(grid=grid, node=self.node_id, epoch=owned.epoch))
            except Exception:
                log.exception("releasing the lease of %s failed", grid)
        try:
            await self._beacon.forget()
        except Exception:
            log.debug("forgetting the heartbeat failed", exc_info=True)

    def on_bus_reconnect(self) -> None:
        """Messages may have been missed: re-seat everything on the next tick."""
        for grid in self._grids:
            self._known_owner[grid] = None

    # -- the directory ----------------------------------------------------------------------

    def room(self, grid: str) -> RoomPort:
        return self._ports[grid]

    def owned_rooms(self) -> dict[str, Any]:
        return {grid: owned.proxy for grid, owned in self._owned.items()}

    async def push_authority(self, user_ids: Iterable[int]) -> None:
        ids = sorted(set(user_ids))
        if not ids:
            return
        self._bus.publish(events.AUTHORITY_CHANNEL, events.encode_authority(ids, self.node_id))
        await apply_authority(self._account, self.owned_rooms().values(), ids)

    # -- routing (loop thread) ----------------------------------------------------------------

    def _route(self, kind: str, grid: str, client_id: str, *args: Any) -> None:
        owned = self._owned.get(grid)
        if kind == "join":
            grant, quiet = args
            if owned is not None:
                owned.join(client_id, self.node_id, grant, quiet)
            else:
                self._bus.publish(wire.room_channel(grid), wire.encode_join(client_id, self.node_id, grant, quiet))
        elif kind == "leave":
            if owned is not None:
                owned.leave(client_id)
            else:
                self._bus.publish(wire.room_channel(grid), wire.encode_leave(client_id))
        else:
            packet_type, data = args
            if owned is not None:
                owned.handle(client_id, packet_type, data)
            else:
                self._bus.publish(wire.room_channel(grid), wire.encode_handle(client_id, packet_type, data))

    def _reseat(self, grid: str) -> None:
        grants = self._seats.reseat_grants(grid)
        for cid, grant in grants:
            self._route("join", grid, cid, grant, True)
        if grants:
            log.info("re-seated %d connection(s) in %s", len(grants), grid)

    # -- Redis messages ---------------------------------------------------------------------

    def _on_gateway(self, payload: bytes) -> None:
        batch = wire.decode_gateway(payload)
        if batch is None:
            return
        if batch.presence is not None:
            self._seats.update_presence(batch.presence)
        elif batch.ops:
            self._seats.observe(batch.ops)
            self._deliver_local(batch.ops)

    def _on_owner(self, payload: bytes) -> None:
        announced = wire.decode_owner(payload)
        if announced is None:
            return
        grid, node, epoch = announced
        if grid not in self._known_owner or node == self.node_id:
            return
        owned = self._owned.get(grid)
        if owned is not None and epoch > owned.epoch:
            asyncio.ensure_future(self._lose(grid, f"node {node} took it over (epoch {epoch})"))
        if self._known_owner[grid] != (node, epoch):
            self._known_owner[grid] = (node, epoch)
            self._reseat(grid)

    def _on_authority(self, payload: bytes) -> None:
        decoded = events.decode_authority(payload)
        if decoded is None:
            return
        origin, ids = decoded
        if origin == self.node_id or not self._owned:
            return
        asyncio.ensure_future(self._apply_authority(ids))

    async def _apply_authority(self, ids: list[int]) -> None:
        try:
            await apply_authority(self._account, self.owned_rooms().values(), ids)
        except Exception:
            log.exception("applying an account change failed")

    # -- ownership ---------------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self._tick_s)
            try:
                await self._tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("cluster tick failed")

    async def _tick(self) -> None:
        try:
            await self._beacon.beat()
        except Exception as err:  # Redis away: the leases below decide what that costs
            log.warning("heartbeat failed: %s", err)
        for grid in self._grids:
            if self._stopping:
                return
            owned = self._owned.get(grid)
            if owned is not None:
                await self._renew(owned)
                continue
            current = await self._leases.owner(grid)
            if current is None:
                await self._take(grid)
            elif current.node != self.node_id and self._known_owner[grid] != (current.node, current.epoch):
                # A lease alone may be a room still loading, not yet listening: re-seat
                # on its announcement, or here once the same lease is seen a tick later
                # (an announcement this node missed).
                seen = (current.node, current.epoch)
                if self._lease_seen.get(grid) == seen:
                    self._known_owner[grid] = seen
                    self._reseat(grid)
                self._lease_seen[grid] = seen
        for owned in list(self._owned.values()):
            await self._serve_gateways(owned)

    async def _renew(self, owned: OwnedRoom) -> None:
        """Keep the lease, or stop the room: at once when the lease is someone else's,
        and when Redis has not answered for most of the lease time (another node may
        hold it by the time Redis answers again)."""
        lease = Lease(grid=owned.grid, node=self.node_id, epoch=owned.epoch)
        try:
            renewed = await asyncio.wait_for(self._leases.renew(lease), self._tick_s)
        except Exception as err:  # a timeout, or Redis unreachable (redis' own errors)
            log.warning("renewing the lease of %s failed: %s", owned.grid, err)
            if time.monotonic() - owned.renewed_at > self._lease_s * 0.8:
                await self._lose(owned.grid, "Redis did not answer for most of the lease time")
            return
        if renewed:
            owned.renewed_at = time.monotonic()
        else:
            await self._lose(owned.grid, "its lease could not be renewed")

    async def _take(self, grid: str) -> None:
        lease = await self._leases.try_acquire(grid, self._min_epoch.get(grid, 0))
        if lease is None:
            return
        try:
            claimed = await self._blocking(self._claim, grid, lease.epoch)
        except Exception:
            log.exception("fencing %s in the database failed", grid)
            claimed = False
        if not claimed:
            await self._leases.release(lease)
            # Redis forgot epochs the database has seen (a flushed Redis): next time take
            # one above the database's.
            stored = await self._blocking(self._fence_of, grid)
            self._min_epoch[grid] = (stored or 0) + 1
            return
        owned = OwnedRoom(grid, lease.epoch, self.node_id, self._deliver_local,
                          self._bus.publish_threadsafe)
        try:
            owned.running = await self._blocking(self._factory.start, grid, owned.sink, lease.epoch)
        except Exception:
            log.exception("starting the room of %s failed", grid)
            await self._leases.release(lease)
            return
        if self._stopping or not await self._leases.renew(lease):
            await self._blocking(owned.running.stop, abandon=True)
            return
        owned.renewed_at = time.monotonic()
        self._owned[grid] = owned
        await self._bus.subscribe(wire.room_channel(grid), owned.on_message)
        self._known_owner[grid] = (self.node_id, lease.epoch)
        self._bus.publish(wire.OWNERS_CHANNEL, wire.encode_owner(grid, self.node_id, lease.epoch))
        log.info("this node owns %s now (epoch %d)", grid, lease.epoch)
        self._reseat(grid)

    async def _lose(self, grid: str, why: str) -> None:
        owned = self._owned.pop(grid, None)
        if owned is None:
            return
        log.warning("giving up the room of %s: %s", grid, why)
        self._known_owner[grid] = None  # the next tick re-seats this node's connections
        try:
            await self._bus.unsubscribe(wire.room_channel(grid))
        finally:
            await self._blocking(owned.running.stop, abandon=True)

    async def _serve_gateways(self, owned: OwnedRoom) -> None:
        """Presence to each gateway; the players of dead gateways leave."""
        try:
            snapshot = await ask(owned.proxy.snapshot(), timeout=5)
        except Exception:
            log.debug("snapshot of %s failed", owned.grid, exc_info=True)
            return
        for gateway, presence in owned.presence_by_gateway(snapshot.players).items():
            if gateway == self.node_id:
                self._seats.update_presence(presence)
            else:
                self._bus.publish(wire.gateway_channel(gateway), wire.encode_presence(owned.grid, presence))
        others = owned.gateways() - {self.node_id}
        if others:
            alive = await self._beacon.alive(others)
            for gateway in others - set(alive):
                count = owned.drop_gateway(gateway)
                log.info("node %s is gone: %d player(s) of it left %s", gateway, count, owned.grid)

    async def _blocking(self, fn: Callable, *args: Any, **kwargs: Any) -> Any:
        return await self._loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))

