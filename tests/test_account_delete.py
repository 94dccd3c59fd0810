"""The AccountActor's account deletion and transfer-target list (upstream-0.1 §6.2, §8.3),
on SQLite and PostgreSQL (the ``database_url`` fixture)."""
from __future__ import annotations

from chgrid.actors.account import AdminResult, Authority
from chgrid.auth import messages as M
from tests.test_account_actor import _stop_all_actors, acct, h, make_admin, register  # noqa: F401


def test_delete_removes_tokens_state_and_account_in_one_go(h, acct):  # noqa: F811
    make_admin(acct)
    grant = register(acct, "alice")
    again = acct.resume(grant.token).get()
    assert again.user_id == grant.user_id
    assert acct.save_state(grant.user_id, nickname="Al", x=3, y=4).get() is True
    before = h.sql("SELECT MAX(id) FROM account_events")[0][0] or 0
    result = acct.delete_account(" ALICE ").get()
    assert result == AdminResult(True, "user_delete", "Deleted account alice.", (grant.user_id,))
    for table in ("users WHERE id = ?", "sessions WHERE user_id = ?", "user_state WHERE user_id = ?"):
        assert h.sql(f"SELECT COUNT(*) FROM {table}", (grant.user_id,)) == [(0,)], table
    assert h.sql("SELECT user_id, kind FROM account_events WHERE id > ?", (before,)) == [
        (grant.user_id, "account_deleted")]
    assert acct.resume(grant.token).get() == M.INVALID_SESSION
    assert acct.authority(grant.user_id).get() == Authority("", (), "deleted")
    assert acct.find_login("alice").get() is None
    # A new account with the same name gets a new id (ids are never reused).
    assert register(acct, "alice").user_id > grant.user_id


def test_delete_refusals_and_the_last_admin(acct):  # noqa: F811
    make_admin(acct)
    assert acct.delete_account("nobody").get() == AdminResult(False, "user_delete", "User not found.")
    assert acct.delete_account("root").get() == AdminResult(
        False, "user_delete", "Cannot delete the last active admin.")
    make_admin(acct, "second")
    assert acct.ban("second").get().ok
    # A disabled admin does not count as active: root is still the last one ...
    assert acct.delete_account("root").get().message == "Cannot delete the last active admin."
    # ... and a disabled admin may be deleted.
    assert acct.delete_account("second").get().ok
    make_admin(acct, "third")
    assert acct.delete_account("root").get().ok  # another active admin exists


def test_active_accounts_leave_out_disabled_ones(acct):  # noqa: F811
    make_admin(acct)
    alice = register(acct, "alice").user_id
    bob = register(acct, "bob").user_id
    assert acct.ban("bob").get().ok
    rows = acct.active_accounts().get()
    assert sorted(name for _, name in rows) == ["alice", "root"]
    assert alice in [uid for uid, _ in rows] and bob not in [uid for uid, _ in rows]
