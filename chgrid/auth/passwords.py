"""Password hashing: PBKDF2-HMAC-SHA256 in a self-describing string (spec/auth.md §5.2).

Stored format::

    pbkdf2_sha256$<iterations>$<salt: 16 bytes, unpadded URL-safe base64, 22 chars>
                              $<key: 32 bytes, unpadded URL-safe base64, 43 chars>

The functions here are synchronous and CPU-bound (about 0.1–0.3 s at 600,000
iterations). Code on the IOLoop must use :class:`PasswordHasher`, which runs them in a
bounded pool so at most ``settings.auth.hash_concurrency`` hashes run at once and the
loop never hashes.

Why a thread pool and ``cryptography``: ``PBKDF2HMAC.derive`` runs in OpenSSL (through
Rust) with the GIL released. Measured on the development machine (2 cores, Python 3.11,
cryptography 50): while another thread derived a 2,000,000-iteration key, the worst
delay for the main thread to wake from a 1 ms sleep was 4–7 ms, against 400–800 ms for
a control C call that holds the GIL. Throughput agreed when the machine was quiet
(4 hashes: 0.107 s in 4 threads against 0.196 s serially, 1.84x of a 2x ceiling); under
load that timing is noise, the wake-up test is not. With the GIL released a process
pool would only add pickling and worker start-up, so threads it is.
``hashlib.pbkdf2_hmac`` also releases the GIL but was about 1.3–1.5x slower here; the
stored format is the same for both, so switching later changes no stored hash.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import os
import secrets
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

SCHEME = "pbkdf2_sha256"
DEFAULT_ITERATIONS = 600_000
SALT_BYTES = 16
KEY_BYTES = 32
SALT_CHARS = 22
KEY_CHARS = 43
# A stored count above this is treated as garbage: verifying it would pin a worker for
# minutes, and no configuration of ours ever writes one.
MAX_ITERATIONS = 100_000_000
_B64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text: str, expected_chars: int, expected_bytes: int) -> bytes | None:
    if len(text) != expected_chars or not set(text) <= _B64_ALPHABET:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    # Re-encoding rejects non-canonical strings whose spare low bits are set.
    if len(raw) != expected_bytes or _b64encode(raw) != text:
        return None
    return raw


def _derive(password: str, salt: bytes, iterations: int) -> bytes:
    # surrogatepass: a lone surrogate from a JSON "\ud800" escape must hash
    # deterministically instead of raising.
    secret = password.encode("utf-8", "surrogatepass")
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, iterations=iterations)
    return kdf.derive(secret)


def _check_iterations(iterations: int) -> int:
    if isinstance(iterations, bool) or not isinstance(iterations, int):
        raise TypeError("iterations must be an int")
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be between 1 and {MAX_ITERATIONS}")
    return iterations


def hash_password(password: str, iterations: int = DEFAULT_ITERATIONS) -> str:
    """Hash ``password`` with a fresh random salt; returns the stored-format string."""
    _check_iterations(iterations)
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, iterations)
    return f"{SCHEME}${iterations}${_b64encode(salt)}${_b64encode(key)}"


def parse_hash(stored: str) -> tuple[int, bytes, bytes] | None:
    """(iterations, salt, key) of a well-formed stored hash, else None."""
    if not isinstance(stored, str):
        return None
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != SCHEME:
        return None
    count = parts[1]
    # Plain decimal only: int() would also accept "+5", " 5" or "5_000".
    if not count.isascii() or not count.isdigit() or count.startswith("0"):
        return None
    iterations = int(count)
    if iterations > MAX_ITERATIONS:
        return None
    salt = _b64decode(parts[2], SALT_CHARS, SALT_BYTES)
    key = _b64decode(parts[3], KEY_CHARS, KEY_BYTES)
    if salt is None or key is None:
        return None
    return iterations, salt, key


def verify_password(
    password: str, stored: str, current_iterations: int = DEFAULT_ITERATIONS
) -> tuple[bool, bool]:
    """(ok, needs_rehash). Unknown schemes and malformed strings give (False, False).

    ``needs_rehash`` is only ever true together with ``ok``: the stored count is below the
    configured one, so the caller should store a fresh hash (auth.md §5.2 "Upgrade").
    """
    parsed = parse_hash(stored)
    if parsed is None:
        return False, False
    iterations, salt, expected = parsed
    candidate = _derive(password, salt, iterations)
    ok = hmac.compare_digest(candidate, expected)
    return ok, ok and iterations < current_iterations


def make_dummy_hash(iterations: int = DEFAULT_ITERATIONS) -> str:
    """A hash of a random secret nobody knows, verified for unknown usernames so that a
    missing account costs the same time as a wrong password (auth.md §5.2)."""
    return hash_password(secrets.token_urlsafe(32), iterations)


HASH_THREAD_NICENESS = 10


def _lower_thread_priority() -> None:
    """Run hashing threads at a lower CPU priority than the IOLoop.

    The hashes release the GIL, so what delays the loop under a login storm is plain CPU
    competition: eight busy hashing threads on two cores. Linux nice values are per
    thread, so this leaves the loop and the actors at normal priority while hashing
    still uses every idle cycle.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASH_THREAD_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not permitted: hashing still works
        pass


class PasswordHasher:
    """Hashes and verifies passwords off the event loop with bounded concurrency.

    Owns a ``ThreadPoolExecutor`` with ``max_workers`` threads: at most that many hashes
    run at once and further requests queue for a slot (auth.md §5.3). The dummy hash for
    unknown usernames is computed in the pool at construction, so building a hasher
    never blocks the caller for a full hash.
    """

    def __init__(self, iterations: int = DEFAULT_ITERATIONS, max_workers: int = 8) -> None:
        self.iterations = _check_iterations(iterations)
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, int(max_workers)), thread_name_prefix="pw-hash",
            initializer=_lower_thread_priority,
        )
        self._dummy: Future[str] = self._pool.submit(make_dummy_hash, self.iterations)

    @classmethod
    def from_settings(cls, auth_settings) -> PasswordHasher:
        """Build from ``settings.auth`` (``pbkdf2_iterations``, ``hash_concurrency``)."""
        return cls(auth_settings.pbkdf2_iterations, auth_settings.hash_concurrency)

    async def hash(self, password: str) -> str:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, hash_password, password, self.iterations)

    async def verify(self, password: str, stored: str) -> tuple[bool, bool]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._pool, verify_password, password, stored, self.iterations
        )

    async def dummy_hash(self) -> str:
        """The start-up dummy hash (waits for it the first time, without blocking)."""
        return await asyncio.wrap_future(self._dummy)

    async def verify_dummy(self, password: str) -> None:
        """Spend one verification's worth of time for an unknown username."""
        await self.verify(password, await self.dummy_hash())

    def dummy_hash_blocking(self, timeout: float | None = None) -> str:
        """The dummy hash for start-up code that is not yet on the loop."""
        return self._dummy.result(timeout)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the pool; queued hashes that have not started are cancelled."""
        self._pool.shutdown(wait=wait, cancel_futures=True)
