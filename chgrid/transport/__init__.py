"""How the web layer reaches the rooms, wherever they run.

The room logic never knows which node it runs on. The web layer asks a
:class:`~chgrid.transport.ports.RoomDirectory` for the room of a grid and gets a
:class:`~chgrid.transport.ports.RoomPort` (join, leave, handle); the room's outbound
batches go to a delivery sink. Two implementations:

- :mod:`chgrid.transport.local`: one process, every room a local actor (the default);
- :mod:`chgrid.transport.cluster`: several nodes sharing one database and one Redis;
  a grid's room runs on the node holding its lease (:mod:`chgrid.transport.owner`),
  every node is a gateway for its own sockets (:mod:`chgrid.transport.gateway`).
"""
