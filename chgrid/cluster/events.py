"""Account events on Redis: "re-read these accounts and apply their authority live".

A change to an account's role, status or its role's permissions (a ban from the admin
menu on one node, ``chgrid admin set-role`` from a shell) must reach every node's
connections at once. The node or tool that made the change publishes the affected
user ids on :data:`AUTHORITY_CHANNEL`; every node subscribes and re-reads those accounts
from the shared database, so the message itself carries no role or status, only who
changed (a lost or repeated message can never grant anything).

The payload is JSON text: ``{"origin": "<node id or 'admin-cli'>", "userIds": [1, 2]}``.
``origin`` lets a node skip its own messages (it applied the change already).

This module is pure apart from :func:`publish_authority_sync`, the short-lived blocking
client for one-shot tools (``chgrid admin``); nodes publish through their
``chgrid.cluster.bus.RedisBus``. ``redis`` is imported only there, so the module loads
on an install without the ``cluster`` extra.
"""
from __future__ import annotations

import json
from collections.abc import Iterable

from chgrid.config import hide_password

AUTHORITY_CHANNEL = "chgrid:account-events"
ADMIN_CLI_ORIGIN = "admin-cli"
# A sync publish is one round trip; an unreachable Redis should fail within seconds.
PUBLISH_TIMEOUT_S = 5.0


class PublishError(Exception):
    """Publishing to Redis failed; the message names the server (never its password)."""


def encode_authority(user_ids: Iterable[int], origin: str) -> str:
    """The payload announcing that ``user_ids``' authority changed, sent by ``origin``."""
    ids = [int(user_id) for user_id in user_ids]
    return json.dumps({"origin": str(origin), "userIds": ids}, separators=(",", ":"))


def decode_authority(payload: bytes | str) -> tuple[str, list[int]] | None:
    """``(origin, user_ids)`` from a payload, or None for anything malformed.

    Never raises: a message on a shared channel may come from another version or a
    stranger's tool, and one bad message must not stop the subscriber.
    """
    try:
        text = payload.decode("utf-8") if isinstance(payload, (bytes, bytearray)) else payload
        if not isinstance(text, str):
            return None
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    origin, ids = data.get("origin"), data.get("userIds")
    if not isinstance(origin, str) or not isinstance(ids, list):
        return None
    # bool is an int subclass; true is not user 1.
    if not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids):
        return None
    return origin, ids


def publish_authority_sync(redis_url: str, user_ids: Iterable[int], origin: str) -> int:
    """Publish one authority event with a short-lived blocking client; returns how many
    subscribers (nodes) received it. Raises :class:`PublishError` when Redis cannot be
    reached or refuses (wrong password, wrong URL)."""
    import redis

    payload = encode_authority(user_ids, origin)
    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=PUBLISH_TIMEOUT_S,
                                      socket_timeout=PUBLISH_TIMEOUT_S)
    except ValueError as err:
        raise PublishError(f"bad Redis URL {hide_password(redis_url)}: {err}") from None
    try:
        return int(client.publish(AUTHORITY_CHANNEL, payload))
    except redis.RedisError as err:
        raise PublishError(f"cannot publish to Redis at {hide_password(redis_url)}: "
                           f"{hide_password(str(err))}") from None
    finally:
        client.close()
