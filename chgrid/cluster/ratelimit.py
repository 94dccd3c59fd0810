"""``RedisLoginLimiter``: the login rate limits of auth.md §10, shared by every node.

The same rules as ``chgrid.auth.ratelimit.AuthRateLimiter``: a 30 s sliding window,
an attempt refused when its IP has 20 failures in the window or its IP+identity 8, a
refused attempt not recorded, a failure recorded in both logs, a success clearing only
its IP+identity log. The logs are sorted sets (score = time in ms, one unique member per
failure) under ``chgrid:auth-fail:...``, so spreading attempts over nodes does not
multiply the allowance. Each call is one round trip (one Lua script, or one DEL); each
log keeps at most its limit of entries and expires a little after the window.

Time: every node must count on the same clock. By default the scripts read the Redis
server's own clock (``TIME``), so nodes' clocks may disagree. A ``clock`` (anything with
``now_ms()``, wall-clock milliseconds) replaces it; tests pass a fake one.

Failing open: when Redis does not answer (error or ``op_timeout_s``), that call is
answered by a process-local ``AuthRateLimiter`` instead and a warning is logged once per
outage. Logins keep working during a Redis outage, limited per node as in a single
process; the shared counts resume when Redis answers.
"""
from __future__ import annotations

import asyncio
import logging
import os

from redis.exceptions import RedisError

from chgrid.auth.ratelimit import IDENTITY_LIMIT, IP_LIMIT, WINDOW_S, AuthRateLimiter, login_identity
from chgrid.cluster.keys import login_identity_key, login_ip_key
from chgrid.timing import SystemClock

log = logging.getLogger(__name__)

OP_TIMEOUT_S = 1.0
# Keys outlive the newest entry by this much, so an entry exactly one window old is
# still there to be counted (the window includes its edge).
EXPIRY_MARGIN_MS = 1_000

# Shared preamble: ``now`` from ARGV[1] or the server clock; ``cutoff`` the oldest
# score still in the window (inclusive).
_NOW = """
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local cutoff = now - tonumber(ARGV[2])
"""

# KEYS: ip log, identity log. ARGV: now ms or '', window ms, ip limit, identity limit.
_IS_LIMITED = _NOW + """
if redis.call('ZCOUNT', KEYS[1], cutoff, '+inf') >= tonumber(ARGV[3]) then
  return 1
end
if redis.call('ZCOUNT', KEYS[2], cutoff, '+inf') >= tonumber(ARGV[4]) then
  return 1
end
return 0
"""

# KEYS: ip log, identity log. ARGV: now ms or '', window ms, ip limit, identity
# limit, unique member, expiry ms.
_RECORD_FAILURE = _NOW + """
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 + i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. cutoff)
  redis.call('ZADD', key, now, ARGV[5])
  redis.call('ZREMRANGEBYRANK', key, 0, -(limit + 1))
  redis.call('PEXPIRE', key, ARGV[6])
end
return 1
"""

_UNREACHABLE = (RedisError, OSError, asyncio.TimeoutError)


class RedisLoginLimiter:
    """``chgrid.auth.limiter.LoginLimiter`` on Redis (``client``: a
    ``redis.asyncio.Redis``, e.g. ``RedisBus.client``)."""

    def __init__(
        self,
        client,
        clock=None,
        *,
        window_s: float = WINDOW_S,
        ip_limit: int = IP_LIMIT,
        identity_limit: int = IDENTITY_LIMIT,
        fallback: AuthRateLimiter | None = None,
        op_timeout_s: float = OP_TIMEOUT_S,
    ) -> None:
        self._client = client
        self._clock = clock
        self._window_ms = int(round(float(window_s) * 1000))
        self._ip_limit = int(ip_limit)
        self._identity_limit = int(identity_limit)
        self._timeout = float(op_timeout_s)
        if fallback is None:
            fallback = AuthRateLimiter(
                clock if hasattr(clock, "monotonic") else SystemClock(),
                window_s=window_s, ip_limit=ip_limit, identity_limit=identity_limit,
            )
        self.fallback = fallback
        self._is_limited = client.register_script(_IS_LIMITED)
        self._record_failure = client.register_script(_RECORD_FAILURE)
        self._failing_open = False

    def _now_arg(self) -> str:
        return "" if self._clock is None else str(int(self._clock.now_ms()))

    @staticmethod
    def _keys(ip: str, identity: str) -> list[str]:
        return [login_ip_key(ip), login_identity_key(ip, login_identity(identity))]

    async def is_limited(self, ip: str, identity: str) -> bool:
        try:
            limited = await self._call(self._is_limited(
                keys=self._keys(ip, identity),
                args=[self._now_arg(), self._window_ms, self._ip_limit, self._identity_limit],
            ))
        except _UNREACHABLE as err:
            self._fail_open(err)
            return self.fallback.is_limited(ip, identity)
        return bool(limited)

    async def record_failure(self, ip: str, identity: str) -> None:
        try:
            await self._call(self._record_failure(
                keys=self._keys(ip, identity),
                args=[self._now_arg(), self._window_ms, self._ip_limit, self._identity_limit,
                      os.urandom(8).hex(), self._window_ms + EXPIRY_MARGIN_MS],
            ))
        except _UNREACHABLE as err:
            self._fail_open(err)
            self.fallback.record_failure(ip, identity)

    async def record_success(self, ip: str, identity: str) -> None:
        try:
            await self._call(self._client.delete(self._keys(ip, identity)[1]))
        except _UNREACHABLE as err:
            self._fail_open(err)
            self.fallback.record_success(ip, identity)

    async def _call(self, awaitable):
        result = await asyncio.wait_for(awaitable, self._timeout)
        if self._failing_open:
            self._failing_open = False
            log.warning("login rate limits are shared through Redis again")
        return result

    def _fail_open(self, err: BaseException) -> None:
        if not self._failing_open:
            self._failing_open = True
            log.warning("login rate limits: Redis unreachable (%s); counting on this node "
                        "only until it answers", str(err) or type(err).__name__)
