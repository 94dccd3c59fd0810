"""Waiting for actor answers without blocking the IOLoop.

A pykka future's ``get()`` blocks the calling thread, so the loop never calls it. ``ask``
parks the wait in a small thread pool and resumes the coroutine when the answer is in.
"""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_WAITERS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="actor-wait")
ASK_TIMEOUT_S = 30.0


async def ask(future: Any, timeout: float = ASK_TIMEOUT_S) -> Any:
    """Await a pykka future from a coroutine on the IOLoop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_WAITERS, functools.partial(future.get, timeout=timeout))
