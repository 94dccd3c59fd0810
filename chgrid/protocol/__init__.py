"""chgrid wire protocol: marshmallow schemas for every packet, both directions.

Inbound (client→server)::

    inbound = parse_frame(raw)        # Inbound(type, data) or ProtocolError

Outbound (server→client)::

    packet = dump("update_position", {"id": cid, "x": 3, "y": 4})   # dict, type first
    frame = encode("update_position", {...})                        # compact JSON str

``dump``/``encode`` raise :class:`OutboundPacketError` when a payload breaks a wire
rule (a server bug).  ``validate_outbound`` lists the violations of a packet as
received over the wire; websocket tests run it on everything they receive.
See docs/protocol.md for the packet table and the coercion rules.
"""

from .errors import OutboundPacketError, ProtocolError
from .inbound import INBOUND_TYPES, Inbound, parse_frame
from .outbound import OUTBOUND_TYPES, dump, encode, validate_outbound

__all__ = [
    "parse_frame",
    "dump",
    "encode",
    "ProtocolError",
    "OutboundPacketError",
    "Inbound",
    "INBOUND_TYPES",
    "OUTBOUND_TYPES",
    "validate_outbound",
]
