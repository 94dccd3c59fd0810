"""The login rate limiter as the web layer sees it: an async interface (auth.md §10).

Awaiting lets a limiter live elsewhere: ``chgrid.cluster.ratelimit.RedisLoginLimiter``
shares one allowance between every node of a cluster. A single process uses
``LocalLoginLimiter``, which wraps the in-memory ``AuthRateLimiter`` and never waits.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

from chgrid.auth.ratelimit import AuthRateLimiter


@runtime_checkable
class LoginLimiter(Protocol):
    """Failure logs per IP and per IP+identity; see ``chgrid.auth.ratelimit``.

    ``identity`` is the username (trimmed and lower-cased by the limiter) or
    ``"resume"``. Callers check first, do the work only when not limited, then record
    the outcome; a refused attempt is never recorded.
    """

    async def is_limited(self, ip: str, identity: str) -> bool: ...

    async def record_failure(self, ip: str, identity: str) -> None: ...

    async def record_success(self, ip: str, identity: str) -> None: ...


class LocalLoginLimiter:
    """``LoginLimiter`` over one process's in-memory ``AuthRateLimiter``."""

    def __init__(self, limiter: AuthRateLimiter) -> None:
        self.limiter = limiter

    async def is_limited(self, ip: str, identity: str) -> bool:
        return self.limiter.is_limited(ip, identity)

    async def record_failure(self, ip: str, identity: str) -> None:
        self.limiter.record_failure(ip, identity)

    async def record_success(self, ip: str, identity: str) -> None:
        self.limiter.record_success(ip, identity)
