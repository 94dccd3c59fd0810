"""Every Redis key name chgrid uses, in one place; all start with ``chgrid:``.

One Redis database may be shared with other software, so nothing outside the
``chgrid:`` prefix is ever written. Channel names live with their payloads
(``chgrid.cluster.events``) or their transport.
"""
from __future__ import annotations

PREFIX = "chgrid:"


def lease_key(grid: str) -> str:
    """The room lease of ``grid``: value ``"<node>:<epoch>"``, expiring (PX)."""
    return f"{PREFIX}lease:{grid}"


def epoch_key(grid: str) -> str:
    """The last lease epoch handed out for ``grid``; never expires, only grows."""
    return f"{PREFIX}epoch:{grid}"


def node_key(node_id: str) -> str:
    """A node's heartbeat; present while the node is alive."""
    return f"{PREFIX}node:{node_id}"


def login_ip_key(ip: str) -> str:
    """Sorted set of the recent failed login attempts from one address."""
    return f"{PREFIX}auth-fail:ip:{ip}"


def login_identity_key(ip: str, identity: str) -> str:
    """Sorted set of the recent failed attempts for one ``<ip>::<identity>``."""
    return f"{PREFIX}auth-fail:id:{ip}::{identity}"
