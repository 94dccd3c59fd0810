"""Redis primitives for running one world on several chgrid processes (issue 12).

- :mod:`chgrid.cluster.bus`: ``RedisBus``, ordered publish/subscribe on the asyncio loop
  that survives a Redis restart;
- :mod:`chgrid.cluster.lease`: room leases with a strictly increasing epoch (the fencing
  token) and node heartbeats;
- :mod:`chgrid.cluster.ratelimit`: the login rate limits shared by every node;
- :mod:`chgrid.cluster.events`: the account-event payloads;
- :mod:`chgrid.cluster.keys`: every Redis key name, in one place.

Layer: above the pure logic (it may use ``chgrid.settings``, ``chgrid.auth``,
``chgrid.db`` and the ``redis`` package), below the actors; it never imports pykka,
tornado, ``chgrid.actors`` or ``chgrid.web``. Importing this package does not import
``redis`` (the ``cluster`` extra): only the modules that talk to Redis do.
"""
