"""DNS resolution with a bound on how long the caller waits.

``socket.getaddrinfo`` has no timeout of its own and can hang for the resolver's full
retry cycle. Callers that must not stall (a room thread validating a radio's
``streamUrl``) ask :func:`resolve_bounded`: the lookup runs on a small shared pool of
daemon threads and the caller waits at most ``timeout_s``. A lookup that overruns keeps
its pool thread until the system resolver gives up, so a crowd of hanging lookups can at
worst fill the pool (later ones then time out while queued); it never adds threads.
"""
from __future__ import annotations

import concurrent.futures
import socket
import threading

from chgrid.net.addresses import IPAddress, Resolver, parse_ip, system_resolver

POOL_SIZE = 4
_pool: concurrent.futures.ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


class ResolutionFailed(Exception):
    """No usable address: the name does not resolve, the lookup failed or took too long."""


def executor() -> concurrent.futures.ThreadPoolExecutor:
    """The shared lookup pool (also used by the media proxy's resolver on the IOLoop)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = concurrent.futures.ThreadPoolExecutor(POOL_SIZE, thread_name_prefix="chgrid-dns")
        return _pool


def resolve_bounded(host: str, port: int, timeout_s: float,
                    resolver: Resolver | None = None) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal is taken as is), waiting at most
    ``timeout_s``; raises :class:`ResolutionFailed` when there is none."""
    literal = parse_ip(host.strip("[]"))
    if literal is not None:
        return [literal]
    future = executor().submit(resolver or system_resolver, host, port)
    try:
        answers = future.result(timeout=timeout_s)
    except concurrent.futures.TimeoutError:
        future.cancel()  # still queued: never runs; already running: finishes unobserved
        raise ResolutionFailed(f"lookup of {host} took longer than {timeout_s:g} s") from None
    except (OSError, UnicodeError, socket.herror) as error:
        raise ResolutionFailed(f"cannot resolve {host}: {error}") from None
    addresses = [ip for ip in (parse_ip(a) for a in answers) if ip is not None]
    if not addresses:
        raise ResolutionFailed(f"{host} has no address")
    return addresses
