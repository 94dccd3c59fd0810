"""The AccountActor driven directly through its proxy, on a real SQLite file and on a
real PostgreSQL database (every test runs on both: the ``database_url`` fixture)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import peewee
import pykka
import pytest

from chgrid.actors.account import (
    AccountActor,
    AdminResult,
    AuthGrant,
    Authority,
    LoginRejected,
)
from chgrid.auth import messages as M
from chgrid.auth.passwords import hash_password, verify_password
from chgrid.auth.tokens import TOKEN_LIFETIME_MS, token_hash
from chgrid.db.database import db_proxy
from chgrid.permissions import DEFAULT_ROLES, PERMISSION_KEYS
from chgrid.settings import AuthSettings
from tests.db_access import run_sql, write_lock
from tests.fake_clock import FakeClock

SECRET = "test-secret-for-hmac"
LOW = 1000
DAY_S = 24 * 60 * 60
REPO = Path(__file__).resolve().parents[1]
ALL = tuple(sorted(PERMISSION_KEYS))


@pytest.fixture(autouse=True)
def _stop_all_actors():
    yield
    pykka.ActorRegistry.stop_all()


class Harness:
    """Starts and restarts AccountActors on one database."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder  # for other SQLite files
        self.clock = FakeClock()
        self.ref = None

    def start(self, origin: str = "server"):
        self.ref = AccountActor.start(self.url, SECRET, self.clock, AuthSettings(), origin=origin)
        proxy = self.ref.proxy()
        assert proxy.ready().get(timeout=10) is True
        return proxy

    def restart(self):
        self.ref.stop()
        return self.start()

    def sql(self, statement: str, params: tuple = ()) -> list[tuple]:
        return run_sql(self.url, statement, params)


@pytest.fixture
def h(tmp_path, database_url) -> Harness:
    return Harness(database_url, tmp_path)


@pytest.fixture
def acct(h):
    return h.start()


def register(acct, name: str, password: str = "password1", email: str | None = None):
    return acct.register(name, hash_password(password, LOW), email).get()


def make_admin(acct, name: str = "root") -> int:
    result = acct.create_account(name, hash_password("password1", LOW), None, "admin").get()
    assert result.ok, result
    return result.affected_user_ids[0]


def role_perms(acct, name: str) -> list[str]:
    return next(r["permissions"] for r in acct.list_roles().get() if r["name"] == name)


def counts(acct) -> dict[str, int]:
    return {r["name"]: r["userCount"] for r in acct.list_roles().get()}


# --- seeding -------------------------------------------------------------------------
def test_fresh_database_is_seeded(h, acct):
    roles = acct.list_roles().get()
    assert [(r["id"], r["name"]) for r in sorted(roles, key=lambda r: r["id"])] == [
        (1, "admin"), (2, "editor"), (3, "user"), (4, "guest")]
    assert [r["name"] for r in roles] == ["admin", "editor", "guest", "user"]  # sorted by name
    for role in roles:
        assert role["isSystem"] is True and role["userCount"] == 0
        assert role["permissions"] == sorted(DEFAULT_ROLES[role["name"]])
    assert h.sql("SELECT count(*) FROM permissions") == [(19,)]


def test_sqlite_databases_use_the_write_ahead_log(tmp_path):
    h = Harness(f"sqlite:///{tmp_path / 'data' / 'chgrid.db'}", tmp_path)
    h.start()
    assert h.sql("PRAGMA journal_mode") == [("wal",)]


def test_reseeding_rules(h, acct):
    register(acct, "gina")
    acct.set_user_role("gina", "guest").get()
    assert acct.update_role_permissions("guest", []).get().ok
    assert acct.update_role_permissions("editor", ["chat.send"]).get().ok
    assert acct.create_role("custom").get().ok
    assert acct.update_role_permissions("custom", []).get().ok
    h.ref.stop()
    h.sql("DELETE FROM role_permissions WHERE role_id = 1 AND permission_key = 'role.manage'")
    h.sql("DELETE FROM permissions WHERE key = 'server.allow_reboot'")  # cascades to admin's row
    h.sql("UPDATE users SET role_id = NULL")
    assert h.sql("SELECT count(*) FROM role_permissions WHERE role_id = 1") == [(17,)]
    acct = h.start()
    assert role_perms(acct, "admin") == list(ALL)  # admin is re-locked to everything
    assert role_perms(acct, "guest") == sorted(DEFAULT_ROLES["guest"])  # emptied: re-seeded
    assert role_perms(acct, "editor") == ["chat.send"]  # non-empty: left alone
    assert role_perms(acct, "custom") == []  # custom roles are never re-seeded
    assert h.sql("SELECT count(*) FROM permissions") == [(19,)]
    assert acct.authority(1).get().role == "user"  # roleless accounts get "user"
    # a deleted default role comes back at the next start, with its defaults
    assert acct.delete_role("editor", "user").get().ok
    acct = h.restart()
    assert role_perms(acct, "editor") == sorted(DEFAULT_ROLES["editor"])
    assert h.sql("SELECT is_system FROM roles WHERE name = 'editor'") == [(1,)]


# --- register / login ------------------------------------------------------------------
def test_register_creates_user_and_token(h, acct):
    grant = register(acct, "alice", email=" Alice@Example.org ")
    assert isinstance(grant, AuthGrant)
    assert (grant.user_id, grant.username, grant.role, grant.nickname) == (1, "alice", "user", "alice")
    assert grant.permissions == tuple(sorted(DEFAULT_ROLES["user"]))
    assert (grant.last_x, grant.last_y) == (None, None)
    assert len(grant.token) == 64 and grant.token not in repr(grant)
    now = h.clock.now_ms()
    assert h.sql("SELECT username, email, status, created_at_ms, updated_at_ms, last_login_at_ms "
                 "FROM users") == [("alice", "alice@example.org", "active", now, now, now)]
    assert h.sql("SELECT token_hash, expires_at_ms, revoked_at_ms FROM sessions") == [
        (token_hash(grant.token, SECRET), now + TOKEN_LIFETIME_MS, None)]
    assert h.sql("SELECT last_nickname, last_x, last_y FROM user_state") == [("alice", None, None)]


def test_register_failures(acct):
    assert isinstance(register(acct, "alice", email="a@x.org"), AuthGrant)
    assert register(acct, "alice") == "Username is already taken."
    assert register(acct, "bob", email="A@X.ORG") == "Email is already in use."
    assert isinstance(register(acct, "bob"), AuthGrant)
    assert isinstance(register(acct, "carol", email="   "), AuthGrant)  # blank e-mail is none
    assert register(acct, "no way") == M.USERNAME_CHARACTERS
    assert register(acct, "x") == "Username must be between 2 and 32 characters."


def test_login_flow_with_rehash(h, acct):
    grant = register(acct, "alice", "password1")
    assert acct.find_login("nobody").get() is None
    record = acct.find_login("alice").get()
    assert (record.user_id, record.username, record.status) == (grant.user_id, "alice", "active")
    assert "password_hash" not in repr(record) or record.password_hash not in repr(record)
    ok, needs = verify_password("password1", record.password_hash, LOW * 2)
    assert ok and needs
    h.clock.advance(60)
    new_hash = hash_password("password1", LOW * 2)
    second = acct.complete_login(record.user_id, new_hash).get()
    assert second.token != grant.token and second.username == "alice"
    assert acct.find_login("alice").get().password_hash == new_hash
    assert h.sql("SELECT last_login_at_ms FROM users") == [(h.clock.now_ms(),)]
    # the earlier token stays valid
    assert isinstance(acct.resume(grant.token).get(), AuthGrant)
    third = acct.complete_login(record.user_id, None).get()
    assert acct.find_login("alice").get().password_hash == new_hash
    assert len({grant.token, second.token, third.token}) == 3


def test_login_restores_blank_nickname(h, acct):
    grant = register(acct, "alice")
    acct.save_state(grant.user_id, nickname="").get()
    assert acct.complete_login(grant.user_id, None).get().nickname == "alice"
    h.sql("DELETE FROM user_state")
    assert acct.complete_login(grant.user_id, None).get().nickname == "alice"


# --- resume / expiry / revoke ----------------------------------------------------------
def test_resume_rolls_expiry(h, acct):
    grant = register(acct, "alice")
    for _ in range(3):  # 39 days in total, never more than 13 between resumes
        h.clock.advance(13 * DAY_S)
        resumed = acct.resume(f"  {grant.token} ").get()
        assert isinstance(resumed, AuthGrant) and resumed.token == grant.token
        now = h.clock.now_ms()
        assert h.sql("SELECT expires_at_ms, last_seen_at_ms FROM sessions") == [
            (now + TOKEN_LIFETIME_MS, now)]


def test_resume_failure_reasons_in_order(h, acct):
    grant = register(acct, "alice")
    assert acct.resume("").get() == "Missing session token."
    assert acct.resume("   ").get() == "Missing session token."
    assert acct.resume("x" * 64).get() == "Invalid session."
    acct.revoke(grant.token).get()
    assert acct.resume(grant.token).get() == "Session has been revoked."
    other = acct.complete_login(grant.user_id, None).get()
    h.clock.advance(14 * DAY_S)  # expires <= now counts as expired
    assert acct.resume(other.token).get() == "Session has expired."
    assert h.sql("SELECT revoked_at_ms FROM sessions WHERE token_hash = ?",
                 (token_hash(other.token, SECRET),)) == [(h.clock.now_ms(),)]
    assert acct.resume(other.token).get() == "Session has been revoked."


def test_tokens_depend_on_the_secret(h, acct):
    grant = register(acct, "alice")
    h.ref.stop()
    ref = AccountActor.start(h.url, "another-secret", h.clock, AuthSettings())
    assert ref.proxy().resume(grant.token).get() == "Invalid session."


def test_ban_blocks_login_and_resume_without_revoking(h, acct):
    make_admin(acct)
    grant = register(acct, "alice")
    result = acct.ban("ALICE ").get()
    assert result == AdminResult(True, "user_ban", "Banned alice.", (grant.user_id,))
    assert acct.find_login("alice").get().status == "disabled"
    with pytest.raises(LoginRejected) as info:
        acct.complete_login(grant.user_id, None).get()
    assert info.value.reason == "Account is disabled."
    assert acct.resume(grant.token).get() == "Account is disabled."
    assert h.sql("SELECT count(*) FROM sessions WHERE revoked_at_ms IS NOT NULL") == [(0,)]
    assert acct.unban("alice").get() == AdminResult(True, "user_unban", "Unbanned alice.",
                                                     (grant.user_id,))
    assert isinstance(acct.resume(grant.token).get(), AuthGrant)


def test_complete_login_of_missing_account(acct):
    with pytest.raises(LoginRejected) as info:
        acct.complete_login(999, None).get()
    assert info.value.reason == "Invalid username or password."


def test_purge_expired_tokens(h, acct):
    grant = register(acct, "alice")
    keep = acct.complete_login(grant.user_id, None).get()
    acct.revoke(grant.token).get()
    h.clock.advance(DAY_S)
    old = acct.complete_login(grant.user_id, None).get()
    h.clock.advance(13 * DAY_S + 1)  # keep/grant sessions are past 14 days; old is not
    assert acct.purge_expired_tokens().get() == 2
    assert isinstance(acct.resume(old.token).get(), AuthGrant)
    assert acct.resume(keep.token).get() == "Invalid session."


# --- state ---------------------------------------------------------------------------
def test_save_state_updates_only_given_fields(h, acct):
    grant = register(acct, "alice")
    acct.save_state(grant.user_id, x=5, y=7).get()
    acct.save_state(grant.user_id, nickname="Ally").get()
    acct.save_state(grant.user_id, x=9).get()
    acct.save_state(grant.user_id).get()  # nothing given: nothing written
    assert h.sql("SELECT last_nickname, last_x, last_y FROM user_state") == [("Ally", 9, 7)]
    again = acct.resume(grant.token).get()
    assert (again.nickname, again.last_x, again.last_y) == ("Ally", 9, 7)


def test_save_states_in_one_batch(h, acct):
    a = register(acct, "alice").user_id
    b = register(acct, "bob").user_id
    h.sql("DELETE FROM user_state WHERE user_id = ?", (b,))
    acct.save_states([(a, None, 1, 2), (b, "Bobby", 3, None), (a, "Al", None, None)]).get()
    assert h.sql("SELECT user_id, last_nickname, last_x, last_y FROM user_state ORDER BY user_id") == [
        (a, "Al", 1, 2), (b, "Bobby", 3, None)]


def test_save_state_with_a_deadline_never_commits_after_it(h, acct):
    grant = register(acct, "alice")
    # Already past: skipped, nothing written.
    assert acct.save_state(grant.user_id, nickname="Late", deadline=time.monotonic() - 1).get() is False
    with write_lock(h.url):  # another process holds the write lock
        with pytest.raises(peewee.OperationalError):
            acct.save_state(grant.user_id, nickname="Locked", deadline=time.monotonic() + 0.3).get(timeout=10)
    assert h.sql("SELECT last_nickname FROM user_state") == [("alice",)]
    # Told saves, retries and the lock breaker: tests/test_account_storage.py.


def test_authority_is_read_live(acct):
    make_admin(acct)
    uid = register(acct, "alice").user_id
    assert acct.authority(uid).get() == Authority("user", tuple(sorted(DEFAULT_ROLES["user"])), "active")
    acct.update_role_permissions("user", ["chat.send", "item.use"]).get()
    assert acct.authority(uid).get().permissions == ("chat.send", "item.use")
    acct.ban("alice").get()
    assert acct.authority(uid).get().status == "disabled"
    assert acct.authority(12345).get() == Authority("", (), "deleted")


# --- admin operations --------------------------------------------------------------------
def test_list_users_filters_and_order(acct):
    make_admin(acct, "zed")
    for name in ("bob", "alice", "carol"):
        register(acct, name)
    acct.ban("carol").get()
    users = acct.list_users(None).get()
    assert [u["username"] for u in users] == ["alice", "bob", "carol", "zed"]
    assert users[0] == {"id": "3", "username": "alice", "role": "user", "status": "active"}
    assert [u["username"] for u in acct.list_users("set_role").get()] == ["alice", "bob", "carol", "zed"]
    assert [u["username"] for u in acct.list_users("ban").get()] == ["alice", "bob", "zed"]
    assert [u["username"] for u in acct.list_users("unban").get()] == ["carol"]


def test_create_role_messages(acct):
    def create(name):
        return acct.create_role(name).get()

    assert create("   ") == AdminResult(False, "role_create", "Role name is required.")
    assert create("r" * 33).message == "Role name must be 32 characters or fewer."
    assert create("mod team").message == (
        "Role name may include lowercase letters, numbers, underscores, and dashes only.")
    assert create(" Moderators ") == AdminResult(True, "role_create", "Created role moderators.")
    assert create("MODERATORS").message == "Role already exists."
    assert create("guest").message == "Role already exists."
    role = next(r for r in acct.list_roles().get() if r["name"] == "moderators")
    assert role == {"id": 5, "name": "moderators", "isSystem": False, "userCount": 0, "permissions": []}


def test_update_role_permissions_messages(acct):
    admin_id = make_admin(acct)
    a = register(acct, "alice").user_id
    b = register(acct, "bob").user_id

    def update(role, perms):
        return acct.update_role_permissions(role, perms).get()

    assert update("admin", []) == AdminResult(False, "role_update_permissions",
                                             "Admin role permissions are locked on.")
    assert update(" Admin", ["chat.send"]).message == "Admin role permissions are locked on."
    assert update("nope", []).message == "Role not found."
    result = update("user", ["chat.send", " bogus.key ", "item.use"])
    assert result == AdminResult(False, "role_update_permissions", "Unknown permission: bogus.key")
    assert role_perms(acct, "user") == sorted(DEFAULT_ROLES["user"])  # nothing changed
    result = update(" User ", [" voice.send", "", "  ", "chat.send", "chat.send"])
    assert result == AdminResult(True, "role_update_permissions",
                                 "Updated permissions for  User .", (a, b))
    assert role_perms(acct, "user") == ["chat.send", "voice.send"]
    assert admin_id not in result.affected_user_ids
    assert update("guest", []).affected_user_ids == ()


def test_delete_role_moves_users_in_one_go(h, acct):
    make_admin(acct)
    ids = [register(acct, f"user{n}").user_id for n in range(3)]
    for name in ("user0", "user1"):
        acct.set_user_role(name, "editor").get()
    acct.set_user_role("user2", "guest").get()

    def delete(role, replacement):
        return acct.delete_role(role, replacement).get()

    assert delete("admin", "user") == AdminResult(False, "role_delete",
                                                  "Admin and user roles cannot be deleted.")
    assert delete(" USER", "guest").message == "Admin and user roles cannot be deleted."
    assert delete("editor", " Editor").message == "Replacement role must differ from deleted role."
    assert delete("nope", "user").message == "Role not found."
    assert delete("editor", "nope").message == "Replacement role not found."
    before = counts(acct)
    assert (before["editor"], before["guest"]) == (2, 1)
    editor_id = h.sql("SELECT id FROM roles WHERE name = 'editor'")[0][0]
    result = delete(" Editor ", "GUEST")
    assert result == AdminResult(True, "role_delete",
                                 "Deleted role  Editor ; reassigned 2 users to guest.", tuple(ids[:2]))
    after = counts(acct)
    assert "editor" not in after and after["guest"] == 3
    assert sum(after.values()) == sum(before.values())
    assert h.sql("SELECT count(*) FROM role_permissions WHERE role_id = ?", (editor_id,)) == [(0,)]
    assert acct.authority(ids[0]).get().role == "guest"
    assert delete("guest", "user").message == "Deleted role guest; reassigned 3 users to user."
    acct.create_role("empty").get()
    assert delete("empty", "user").message == "Deleted role empty; reassigned 0 users to user."
    assert delete("empty", "user").message == "Role not found."


def test_set_user_role_messages_and_last_admin(acct):
    root = make_admin(acct)
    alice = register(acct, "alice").user_id

    def set_role(user, role):
        return acct.set_user_role(user, role).get()

    assert set_role("alice", "nope") == AdminResult(False, "user_set_role", "Role not found.")
    assert set_role("nobody", "nope").message == "Role not found."  # role is checked first
    assert set_role("nobody", "user").message == "User not found."
    assert set_role("root", "user").message == "Cannot change role for the last active admin."
    assert set_role("root", "admin").ok  # admin to admin is not a demotion
    assert set_role(" ALICE ", " Admin") == AdminResult(
        True, "user_set_role", "Set role for alice to  Admin.", (alice,))
    assert set_role("root", "editor") == AdminResult(
        True, "user_set_role", "Set role for root to editor.", (root,))
    assert set_role("alice", "user").message == "Cannot change role for the last active admin."
    # a disabled admin does not count as active
    set_role("root", "admin")
    assert acct.ban("root").get().ok
    assert set_role("alice", "user").message == "Cannot change role for the last active admin."


def test_ban_messages_and_last_admin(acct):
    make_admin(acct)
    register(acct, "alice")
    assert acct.ban("nobody").get() == AdminResult(False, "user_ban", "User not found.")
    assert acct.ban("root").get() == AdminResult(False, "user_ban", "Cannot disable the last active admin.")
    assert acct.ban("alice").get().message == "Banned alice."
    assert acct.ban("alice").get().message == "Banned alice."  # already disabled: succeeds again
    assert acct.unban("nobody").get() == AdminResult(False, "user_unban", "User not found.")
    assert acct.unban("alice").get().message == "Unbanned alice."
    make_admin(acct, "second")
    assert acct.ban("root").get().ok  # two active admins: one may go
    assert acct.ban("second").get().message == "Cannot disable the last active admin."


def test_create_account_and_active_admin(acct):
    assert acct.active_admin_exists().get() is False
    result = acct.create_account(" Boss ", hash_password("password1", LOW), "B@x.org", " ADMIN ").get()
    assert (result.ok, result.message) == (True, "Created admin account boss.")
    assert acct.active_admin_exists().get() is True
    pw = hash_password("password1", LOW)
    assert acct.create_account("boss", pw, None, "user").get().message == "Username is already taken."
    assert acct.create_account("other", pw, "b@X.org", "user").get().message == "Email is already in use."
    assert acct.create_account("other", pw, None, "nope").get().message == "Role not found."
    assert acct.create_account("o", pw, None, "user").get().message == M.USERNAME_LENGTH.format(min=2, max=32)
    acct.set_user_role("boss", "admin").get()
    assert acct.ban("boss").get().message == "Cannot disable the last active admin."


# --- events ----------------------------------------------------------------------------
def test_events_after(h):
    server = h.start("server")
    alice = register(server, "alice").user_id
    start = server.latest_event_id().get()
    ids, events = server.events_after(0, "server").get()
    assert (ids[-1], events) == (start, [])  # own events are skipped but read
    cli_ref = AccountActor.start(h.url, "placeholder", h.clock, AuthSettings(), origin="cli")
    cli = cli_ref.proxy()
    cli.set_user_role("alice", "editor").get()
    cli.ban("alice").get()
    cli.update_role_permissions("editor", ["chat.send"]).get()
    cli.create_role("mods").get()
    ids, events = server.events_after(start, "server").get()
    assert [(e.user_id, e.kind, e.origin) for e in events] == [
        (alice, "user_role", "cli"), (alice, "user_status", "cli"),
        (alice, "role_permissions", "cli"), (None, "role_created", "cli")]
    assert ids == [e.id for e in events]
    assert ids[-1] == server.latest_event_id().get()
    assert server.events_after(ids[-1], "server").get() == ([], [])
    # Ids already read above the watermark are not read again.
    assert server.events_after(start, "server", tuple(ids[:2])).get()[0] == ids[2:]
    # The scheduled purge of these rows: tests/test_account_storage.py.


# --- database plumbing -------------------------------------------------------------------
def test_start_error_is_reported_by_every_call(tmp_path):
    ref = AccountActor.start("mysql://nowhere/x", SECRET, FakeClock(), AuthSettings())
    proxy = ref.proxy()
    with pytest.raises(RuntimeError) as info:
        proxy.ready().get(timeout=10)
    assert "Unsupported database URL scheme" in str(info.value.__cause__)
    with pytest.raises(RuntimeError):
        proxy.find_login("alice").get(timeout=10)


def test_blank_secret_is_refused(h):
    with pytest.raises(ValueError):
        AccountActor.start(h.url, "  ", h.clock, AuthSettings())


def test_two_actors_share_one_database_and_unbind_after_the_last(h):
    first = h.start()
    second_ref = AccountActor.start(h.url, SECRET, h.clock, AuthSettings(), origin="cli")
    register(first, "alice")
    assert second_ref.proxy().find_login("alice").get().username == "alice"
    other = AccountActor.start(f"sqlite:///{h.folder / 'other.db'}", SECRET, h.clock, AuthSettings())
    with pytest.raises(RuntimeError):
        other.proxy().ready().get(timeout=10)
    pykka.ActorRegistry.stop_all()
    assert db_proxy.obj is None


def test_committed_registration_survives_kill_9(h):
    script = textwrap.dedent(f"""
        import os, signal
        from chgrid.actors.account import AccountActor
        from chgrid.auth.passwords import hash_password
        from chgrid.settings import AuthSettings
        from chgrid.timing import SystemClock
        ref = AccountActor.start({h.url!r}, "s", SystemClock(), AuthSettings())
        grant = ref.proxy().register("durable", hash_password("password1", 1000), None).get()
        print(grant.user_id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == -9, proc.stderr
    assert proc.stdout.strip() == "1"
    acct = h.start()
    assert acct.find_login("durable").get().user_id == 1
