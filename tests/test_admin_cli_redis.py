"""``chgrid admin … --redis-url``: changes to who may do what are published on Redis for
every node, checked with real commands, a real Redis and a real subscriber; plus the
account-event payload of ``chgrid.cluster.events``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from chgrid.cluster.events import (
    ADMIN_CLI_ORIGIN,
    AUTHORITY_CHANNEL,
    PublishError,
    decode_authority,
    encode_authority,
    publish_authority_sync,
)
from tests.support import free_port

REPO = Path(__file__).resolve().parents[1]
WAIT_S = 10.0


# --------------------------------------------------------------------------- the payload


def test_authority_payload_round_trip():
    text = encode_authority([3, 1], "node-a")
    assert json.loads(text) == {"origin": "node-a", "userIds": [3, 1]}
    assert decode_authority(text) == ("node-a", [3, 1])
    assert decode_authority(text.encode()) == ("node-a", [3, 1])
    assert decode_authority(encode_authority([], ADMIN_CLI_ORIGIN)) == ("admin-cli", [])
    assert AUTHORITY_CHANNEL == "chgrid:account-events"


@pytest.mark.parametrize("payload", [
    b"", b"\xff\xfe", b"{", "[]", "null", '"text"', b'{"userIds": [1]}', b'{"origin": "a"}',
    b'{"origin": 1, "userIds": [1]}', b'{"origin": "a", "userIds": 1}', b'{"origin": "a", "userIds": [true]}',
    b'{"origin": "a", "userIds": [1.5]}', b'{"origin": "a", "userIds": ["1"]}', b'{"origin": "a", "userIds": [0]}',
    b'{"origin": "a", "userIds": [-2]}', b'{"origin": "a", "userIds": [null]}', b"[" * 100_000, None, 12,
])
def test_malformed_payloads_decode_to_none(payload):
    assert decode_authority(payload) is None


def test_publishing_to_an_unreachable_redis_names_it_without_the_password():
    with pytest.raises(PublishError) as info:
        publish_authority_sync(f"redis://:hunter2@127.0.0.1:{free_port()}/0", [1], ADMIN_CLI_ORIGIN)
    assert "hunter2" not in str(info.value)
    assert "redis://:PASSWORD@127.0.0.1:" in str(info.value)


# --------------------------------------------------------------------------- chgrid admin


class Subscriber:
    """A real Redis subscriber to the account-event channel."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(AUTHORITY_CHANNEL)
        # The subscription is confirmed before any command runs, so nothing is missed.
        confirmation = self.pubsub.get_message(timeout=WAIT_S)
        assert confirmation is None or confirmation["type"] == "subscribe"
        assert self.pubsub.subscribed

    def next(self) -> tuple[str, list[int]]:
        message = self.pubsub.get_message(timeout=WAIT_S)
        assert message is not None, "no account event published"
        assert message["channel"] == AUTHORITY_CHANNEL.encode()
        decoded = decode_authority(message["data"])
        assert decoded is not None, message
        return decoded

    def close(self) -> None:
        self.pubsub.close()
        self.client.close()


@pytest.fixture
def subscriber(redis_url):
    sub = Subscriber(redis_url)
    yield sub
    sub.close()


@pytest.fixture
def admin(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHGRID_")},
        "PYTHONPATH": str(REPO),
        "CHGRID_AUTH_PBKDF2_ITERATIONS": "1000",
    }

    def run(*args: str, extra_env=None) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "chgrid", "admin", *args, "--data-dir", str(tmp_path / "data")]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path,
                              env={**env, **(extra_env or {})})

    return run


def ok(proc) -> str:
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    return proc.stdout.strip()


def user_ids(admin) -> dict[str, int]:
    rows = ok(admin("users")).splitlines()[1:]
    return {row.split()[1]: int(row.split()[0]) for row in rows}


def test_role_and_ban_changes_are_published_with_the_accounts(admin, subscriber, redis_url):
    ok(admin("create", "--username", "alice", "--password", "password1", "--redis-url", redis_url))
    ok(admin("create", "--username", "bob", "--password", "password1", "--role", "user",
             "--redis-url", redis_url))
    ok(admin("users", "--redis-url", redis_url))
    ok(admin("roles", "--redis-url", redis_url))
    ids = user_ids(admin)
    # Creating accounts and listing change nobody's authority: the first event is set-role's.
    assert ok(admin("set-role", "bob", "editor", "--redis-url", redis_url)) == "Set role for bob to editor."
    assert subscriber.next() == (ADMIN_CLI_ORIGIN, [ids["bob"]])
    ok(admin("ban", "bob", "--redis-url", redis_url))
    assert subscriber.next() == (ADMIN_CLI_ORIGIN, [ids["bob"]])
    # A refused change publishes nothing: the next event is the unban's.
    refused = admin("ban", "alice", "--redis-url", redis_url)  # the last active admin
    assert refused.returncode == 1, refused.stderr
    ok(admin("unban", "bob", "--redis-url", redis_url))
    assert subscriber.next() == (ADMIN_CLI_ORIGIN, [ids["bob"]])
    # The URL may come from the environment as for `chgrid serve`.
    ok(admin("set-role", "bob", "user", extra_env={"CHGRID_CLUSTER_REDIS_URL": redis_url}))
    assert subscriber.next() == (ADMIN_CLI_ORIGIN, [ids["bob"]])


def test_without_redis_nothing_is_published(admin, subscriber, redis_url):
    ok(admin("create", "--username", "alice", "--password", "password1"))
    ok(admin("create", "--username", "bob", "--password", "password1", "--role", "user"))
    ok(admin("ban", "bob"))  # no Redis URL: only the database (and its polled events table)
    ok(admin("unban", "bob", "--redis-url", redis_url))
    assert subscriber.next() == (ADMIN_CLI_ORIGIN, [user_ids(admin)["bob"]])  # the unban, not the ban


def test_unreachable_redis_after_the_change_says_it_is_saved(admin):
    ok(admin("create", "--username", "alice", "--password", "password1"))
    ok(admin("create", "--username", "bob", "--password", "password1", "--role", "user"))
    dead = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    proc = admin("ban", "bob", "--redis-url", dead)
    assert proc.returncode == 1
    assert proc.stdout.strip() == "Banned bob."  # the database change happened
    assert "Error: the change is saved, but telling the running nodes failed: cannot publish to Redis at " \
           "redis://:PASSWORD@127.0.0.1:" in proc.stderr
    assert "run the command again once Redis is reachable, or restart the nodes" in proc.stderr
    assert "hunter2" not in proc.stdout + proc.stderr and "Traceback" not in proc.stderr
    assert "bob" in ok(admin("users")) and "disabled" in ok(admin("users"))


def test_bad_redis_url_is_a_configuration_error(admin):
    proc = admin("users", "--redis-url", "http://:hunter2@redis.example/0")
    assert proc.returncode == 2
    assert "Error: Invalid value for 'cluster.redis_url' from --redis-url: 'http://:PASSWORD@redis.example/0'" \
        in proc.stderr
    assert "hunter2" not in proc.stderr
