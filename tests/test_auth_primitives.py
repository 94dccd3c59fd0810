"""Pure auth primitives: password hashes, tokens, policy, rate limiter, messages."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import random
import re
import threading

import pykka
import pytest

from chgrid.auth import messages as M
from chgrid.auth.passwords import (
    DEFAULT_ITERATIONS,
    PasswordHasher,
    hash_password,
    make_dummy_hash,
    parse_hash,
    verify_password,
)
from chgrid.auth.policy import (
    AuthPolicy,
    normalise_email,
    normalise_role_name,
    normalise_username,
    registration_error,
    role_name_error,
)
from chgrid.auth.ratelimit import RESUME_IDENTITY, AuthRateLimiter, failure_jitter_s
from chgrid.auth.tokens import TOKEN_LIFETIME_MS, new_token, token_hash
from chgrid.settings import AuthSettings, Settings
from tests.fake_clock import FakeClock

LOW = 1000  # iterations for tests: the format and logic do not depend on the count
HASH_RE = re.compile(r"pbkdf2_sha256\$(\d+)\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})")


def run_coroutine(coro):
    """``asyncio.run`` in a fresh thread: the browser tests' Playwright session keeps an
    event loop running on the main thread, where ``asyncio.run`` refuses to start."""
    box = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


@pytest.fixture(autouse=True)
def _stop_all_actors():
    yield
    pykka.ActorRegistry.stop_all()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# --- passwords -----------------------------------------------------------------------
def test_default_iterations_is_owasp_value_and_the_settings_default():
    assert DEFAULT_ITERATIONS == 600_000
    assert AuthSettings().pbkdf2_iterations == DEFAULT_ITERATIONS
    assert Settings().auth.pbkdf2_iterations == DEFAULT_ITERATIONS


def test_hash_format():
    stored = hash_password("correct horse", LOW)
    match = HASH_RE.fullmatch(stored)
    assert match, stored
    assert match.group(1) == str(LOW)
    iterations, salt, key = parse_hash(stored)
    assert (iterations, len(salt), len(key)) == (LOW, 16, 32)
    # a fresh salt every time
    assert hash_password("correct horse", LOW) != stored


def test_hash_matches_reference_pbkdf2():
    salt = bytes(range(16))
    key = hashlib.pbkdf2_hmac("sha256", "pässword".encode(), salt, LOW, 32)
    stored = f"pbkdf2_sha256${LOW}${_b64(salt)}${_b64(key)}"
    assert verify_password("pässword", stored, LOW) == (True, False)
    assert verify_password("passwörd", stored, LOW) == (False, False)


def test_verify_and_rehash_flag():
    stored = hash_password("secret-pw", LOW)
    assert verify_password("secret-pw", stored, LOW) == (True, False)
    assert verify_password("secret-pw", stored, LOW * 2) == (True, True)
    assert verify_password("secret-pw", stored, LOW // 2) == (True, False)  # never downgrade
    assert verify_password("wrong", stored, LOW * 2) == (False, False)
    assert verify_password("Secret-pw", stored, LOW) == (False, False)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "garbage",
        "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNo",
        "pbkdf2_sha1$1000$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43,
        "pbkdf2_sha256$abc$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43,
        "pbkdf2_sha256$-5$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43,
        "pbkdf2_sha256$0$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43,
        "pbkdf2_sha256$1000$AAAA$" + "A" * 43,
        "pbkdf2_sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 42,
        "pbkdf2_sha256$1000$AAAAAAAAAAAAAAAAAAAAA=$" + "A" * 43,
        "pbkdf2_sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43 + "$extra",
        "pbkdf2_sha256$999999999999$AAAAAAAAAAAAAAAAAAAAAA$" + "A" * 43,
    ],
)
def test_unknown_prefix_and_garbage_never_verify(stored):
    assert verify_password("anything", stored, LOW) == (False, False)


def test_non_string_stored_value_is_a_mismatch():
    assert verify_password("anything", None, LOW) == (False, False)  # type: ignore[arg-type]


def test_dummy_hash_has_current_parameters_and_matches_nothing():
    dummy = make_dummy_hash(LOW)
    assert HASH_RE.fullmatch(dummy)
    assert parse_hash(dummy)[0] == LOW
    assert verify_password("", dummy, LOW) == (False, False)
    assert verify_password("password", dummy, LOW) == (False, False)


def test_lone_surrogate_password_hashes_deterministically():
    stored = hash_password("a\ud800b", LOW)
    assert verify_password("a\ud800b", stored, LOW) == (True, False)


def test_invalid_iteration_counts_are_refused():
    with pytest.raises(ValueError):
        hash_password("x", 0)
    with pytest.raises(TypeError):
        hash_password("x", 10.5)  # type: ignore[arg-type]


def test_password_hasher_runs_in_its_pool():
    settings = AuthSettings(pbkdf2_iterations=LOW, hash_concurrency=3)
    hasher = PasswordHasher.from_settings(settings)
    assert hasher._pool._max_workers == 3  # the bound of auth.md §5.3

    async def scenario():
        stored = await hasher.hash("hunter22")
        assert HASH_RE.fullmatch(stored)
        results = await asyncio.gather(*(hasher.verify("hunter22", stored) for _ in range(6)))
        assert results == [(True, False)] * 6
        assert await hasher.verify("nope", stored) == (False, False)
        dummy = await hasher.dummy_hash()
        assert parse_hash(dummy)[0] == LOW
        await hasher.verify_dummy("whatever")
        return stored

    try:
        stored = run_coroutine(scenario())
        assert hasher.dummy_hash_blocking(5) == run_coroutine(hasher.dummy_hash())
        assert verify_password("hunter22", stored, LOW) == (True, False)
    finally:
        hasher.shutdown()


def test_hashing_does_not_stall_the_event_loop():
    """The pool's hash releases the GIL: the loop keeps ticking while a long hash runs."""
    hasher = PasswordHasher(iterations=2_000_000, max_workers=1)

    async def scenario():
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(hasher.hash("long one"))
        started = last = loop.time()
        worst = 0.0
        while not task.done():
            await asyncio.sleep(0.001)
            now = loop.time()
            worst, last = max(worst, now - last), now
        await task
        return worst, loop.time() - started

    try:
        hasher.dummy_hash_blocking(60)  # out of the way first
        worst_gap, duration = run_coroutine(scenario())
    finally:
        hasher.shutdown()
    # Holding the GIL would stall the loop for the whole hash (worst_gap ~ duration).
    assert worst_gap < duration / 2, (worst_gap, duration)


# --- tokens --------------------------------------------------------------------------
def test_tokens_are_64_url_safe_characters_and_unique():
    tokens = {new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{64}", token)
        assert len(base64.urlsafe_b64decode(token)) == 48


def test_token_hash_is_hex_hmac_sha256():
    token = new_token()
    expected = hmac.new(b"s\xc3\xa9cret", token.encode(), hashlib.sha256).hexdigest()
    assert token_hash(token, "s\u00e9cret") == expected
    assert re.fullmatch(r"[0-9a-f]{64}", expected)
    assert token_hash(token, "other") != expected
    assert TOKEN_LIFETIME_MS == 1_209_600_000


# --- policy --------------------------------------------------------------------------
def test_policy_clamps_and_wire_shape():
    assert AuthPolicy.from_settings(AuthSettings()).as_wire() == {
        "usernameMinLength": 2,
        "usernameMaxLength": 32,
        "passwordMinLength": 8,
        "passwordMaxLength": 32,
    }
    clamped = AuthPolicy(0, -3, -1, 0)
    assert clamped.as_wire() == {
        "usernameMinLength": 1,
        "usernameMaxLength": 1,
        "passwordMinLength": 1,
        "passwordMaxLength": 1,
    }
    assert AuthPolicy(5, 3, 10, 4).as_wire()["usernameMaxLength"] == 5
    assert AuthPolicy(5, 3, 10, 4).as_wire()["passwordMaxLength"] == 10


def test_normalisation():
    assert normalise_username("  ALICE_1 ") == "alice_1"
    assert normalise_email(None) is None
    assert normalise_email("   ") is None
    assert normalise_email(" Bob@Example.ORG ") == "bob@example.org"
    assert normalise_role_name("  Moderator ") == "moderator"


def test_registration_messages_in_order():
    policy = AuthPolicy()
    assert registration_error("alice", "password1", policy) is None
    assert registration_error("a", "x", policy) == "Username must be between 2 and 32 characters."
    assert registration_error("a" * 33, "password1", policy) == "Username must be between 2 and 32 characters."
    assert registration_error("al ice", "x", policy) == (
        "Username may include lowercase letters, numbers, underscores, and dashes only."
    )
    assert registration_error("ålice", "password1", policy) == M.USERNAME_CHARACTERS
    assert registration_error("alice", "short", policy) == "Password must be between 8 and 32 characters."
    assert registration_error("alice", "p" * 33, policy) == M.PASSWORD_LENGTH.format(min=8, max=32)
    # length counted in characters on the raw password, spaces included
    assert registration_error("alice", " " * 8, policy) is None
    assert registration_error("a-b_c9", "é" * 8, policy) is None
    custom = AuthPolicy(3, 4, 1, 2)
    assert registration_error("abcde", "x", custom) == "Username must be between 3 and 4 characters."
    assert registration_error("abc", "xyz", custom) == "Password must be between 1 and 2 characters."


def test_role_name_messages_in_order():
    assert role_name_error("") == "Role name is required."
    assert role_name_error("r" * 33) == "Role name must be 32 characters or fewer."
    assert role_name_error("r" * 32) is None
    assert role_name_error("mod team") == (
        "Role name may include lowercase letters, numbers, underscores, and dashes only."
    )
    assert role_name_error("mod_team-2") is None


# --- rate limiter --------------------------------------------------------------------
def test_ninth_attempt_for_one_identity_is_refused():
    clock = FakeClock()
    limiter = AuthRateLimiter(clock)
    for _ in range(8):
        assert not limiter.is_limited("1.2.3.4", "alice")
        limiter.record_failure("1.2.3.4", "alice")
    assert limiter.is_limited("1.2.3.4", "alice")
    assert limiter.is_limited("1.2.3.4", "  ALICE ")  # identity is trimmed, lower-cased
    assert not limiter.is_limited("1.2.3.4", "bob")
    assert not limiter.is_limited("5.6.7.8", "alice")


def test_twenty_first_attempt_from_one_ip_is_refused():
    clock = FakeClock()
    limiter = AuthRateLimiter(clock)
    for n in range(20):
        identity = f"user{n}"
        assert not limiter.is_limited("10.0.0.1", identity)
        limiter.record_failure("10.0.0.1", identity)
    assert limiter.is_limited("10.0.0.1", "someone-new")
    assert limiter.is_limited("10.0.0.1", RESUME_IDENTITY)
    assert not limiter.is_limited("10.0.0.2", "someone-new")


def test_window_slides():
    clock = FakeClock()
    limiter = AuthRateLimiter(clock)
    for _ in range(4):
        limiter.record_failure("ip", "alice")
    clock.advance(20)
    for _ in range(4):
        limiter.record_failure("ip", "alice")
    assert limiter.is_limited("ip", "alice")
    clock.advance(10)  # the first four are exactly 30 s old: still in the window
    assert limiter.is_limited("ip", "alice")
    clock.advance(0.5)  # now older than 30 s: discarded
    assert not limiter.is_limited("ip", "alice")
    for _ in range(3):
        limiter.record_failure("ip", "alice")
    assert not limiter.is_limited("ip", "alice")  # 7 in the window
    limiter.record_failure("ip", "alice")
    assert limiter.is_limited("ip", "alice")
    clock.advance(31)
    assert not limiter.is_limited("ip", "alice")


def test_success_clears_only_the_identity_log():
    clock = FakeClock()
    limiter = AuthRateLimiter(clock)
    for _ in range(8):
        limiter.record_failure("ip", "alice")
    for n in range(11):
        limiter.record_failure("ip", f"other{n}")
    assert limiter.is_limited("ip", "alice")
    limiter.record_success("ip", "alice")
    assert not limiter.is_limited("ip", "alice")
    # the IP log kept all 19 failures: one more makes 20
    limiter.record_failure("ip", "carol")
    assert limiter.is_limited("ip", "alice")


def test_refused_attempts_are_not_recorded():
    clock = FakeClock()
    limiter = AuthRateLimiter(clock)
    for _ in range(8):
        limiter.record_failure("ip", RESUME_IDENTITY)
    clock.advance(29)
    for _ in range(50):  # callers only record attempts that were not refused
        assert limiter.is_limited("ip", RESUME_IDENTITY)
    clock.advance(2)
    assert not limiter.is_limited("ip", RESUME_IDENTITY)


def test_memory_is_bounded():
    clock = FakeClock()
    limiter = AuthRateLimiter(clock)
    for n in range(100):
        limiter.record_failure(f"10.0.{n}.1", "alice")
    for _ in range(500):
        limiter.record_failure("1.1.1.1", "bob")  # without checking: log length is capped
    assert len(limiter._ip_logs["1.1.1.1"]) == 20
    assert len(limiter._identity_logs["1.1.1.1::bob"]) == 8
    assert limiter.tracked_keys() == 202
    clock.advance(31)
    limiter.is_limited("9.9.9.9", "x")  # any call sweeps stale keys
    assert limiter.tracked_keys() == 0


def test_failure_jitter_range():
    rng = random.Random(7)
    samples = [failure_jitter_s(rng) for _ in range(2000)]
    assert all(0.020 <= s <= 0.080 for s in samples)
    assert min(samples) < 0.025 and max(samples) > 0.075
    assert 0.020 <= failure_jitter_s() <= 0.080


# --- messages ------------------------------------------------------------------------
def test_exact_messages():
    assert M.AUTHENTICATED == "Authenticated."
    assert M.LOGGED_OUT == "Logged out."
    assert M.LOGIN_FAILED == "We couldn't log you in. Check your details and try again."
    assert M.RESUME_FAILED == "We couldn't restore your session. Please log in again."
    assert M.RATE_LIMITED == "Too many authentication attempts. Try again shortly."
    assert M.ALREADY_AUTHENTICATED == "Already authenticated."
    assert M.SERVER_ERROR == "Authentication failed due to a server error. Please try again."
    assert M.GAMEPLAY_BEFORE_AUTH == "Authenticate before sending gameplay actions."
    assert M.ACCOUNT_DISABLED == "Account is disabled."
    assert M.USERNAME_TAKEN == "Username is already taken."
    assert M.EMAIL_IN_USE == "Email is already in use."
    assert M.REGISTRATION_CONSTRAINT == "Registration failed due to a database constraint."
    assert M.REGISTRATION_SERVER_ERROR == "Registration failed due to a server error."
    # the client clears its cookie when a failure message contains "session"
    assert "session" in M.RESUME_FAILED and "session" not in M.LOGIN_FAILED
