"""What the login and admin flows need of one player connection.

``chgrid.web.ws.GridSocket`` satisfies this protocol; the flows depend on it rather than
on the handler class, so the websocket handler can import the flows without a cycle.
"""
from __future__ import annotations

from typing import Any, Protocol

from chgrid.web.context import ServerContext


class PlayerConnection(Protocol):
    """One websocket connection as the auth and admin flows see it."""

    ctx: ServerContext
    client_id: str
    grid: str
    ip: str
    authenticated: bool
    closed: bool
    user_id: int | None
    token: str

    def bind(self, grant: Any) -> None:
        """Mark the connection authenticated as the account ``grant`` describes."""

    def send_packet(self, packet_type: str, payload: dict) -> None:
        """Encode and write one packet to this connection."""

    def close_with(self, code: int, reason: str) -> None:
        """Close the connection with a websocket close code and reason."""
