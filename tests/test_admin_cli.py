"""``chgrid admin …`` run as real commands against a temporary data dir.

The account operations run on both backends (``admin_db``: the command is given the
``database_url`` of the test, SQLite or PostgreSQL); how the data dir and a missing
database file are found is SQLite's alone (``admin``).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pykka
import pytest

from chgrid.actors.account import AccountActor
from chgrid.admin_cli import add_admin_parser, run_admin
from chgrid.settings import AuthSettings
from tests.fake_clock import FakeClock

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _stop_all_actors():
    yield
    pykka.ActorRegistry.stop_all()


@pytest.fixture
def admin(tmp_path):
    data_dir = tmp_path / "data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CHGRID_")},
        "PYTHONPATH": str(REPO),
        "CHGRID_AUTH_PBKDF2_ITERATIONS": "1000",
    }

    def run(*args: str, stdin: str = "", extra_env=None):
        command = [sys.executable, "-m", "chgrid", "admin", *args]
        if "--data-dir" not in args and "--database-url" not in args:
            command += ["--data-dir", str(data_dir)]
        return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=60,
                              cwd=tmp_path, env={**env, **(extra_env or {})})

    run.data_dir = data_dir
    run.env = env
    return run


@pytest.fixture
def admin_db(admin, database_url):
    """``admin`` on the test's database (``--database-url``), once per backend."""

    def run(*args: str, **kw):
        return admin(*args, "--database-url", database_url, **kw)

    run.url = database_url
    run.env = admin.env
    return run


def ok(proc) -> str:
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    return proc.stdout.strip()


def failed(proc, code: int = 1) -> str:
    assert proc.returncode == code, (proc.stdout, proc.stderr)
    return proc.stderr.strip().splitlines()[-1]


def test_create_first_admin_and_refuse_a_second(admin_db):
    admin = admin_db
    assert ok(admin("create", "--username", " Alice ", "--password", "password1")) == (
        "Created admin account alice.")
    assert failed(admin("create", "--username", "bob", "--password", "password1")) == (
        "Error: An admin account already exists.")
    assert ok(admin("create", "--username", "bob", "--password", "password1", "--role", "editor",
                    "--email", "Bob@Example.org")) == "Created editor account bob."


def test_the_first_admin_makes_the_data_dir_database(admin):
    ok(admin("create", "--username", "alice", "--password", "password1"))
    assert (admin.data_dir / "chgrid.db").is_file()


def test_create_failures(admin_db):
    admin = admin_db
    assert failed(admin("create", "--username", "b b", "--password", "password1")) == (
        "Error: Username may include lowercase letters, numbers, underscores, and dashes only.")
    assert failed(admin("create", "--username", "b", "--password", "password1")) == (
        "Error: Username must be between 2 and 32 characters.")
    assert failed(admin("create", "--username", "bob", "--password", "short")) == (
        "Error: Password must be between 8 and 32 characters.")
    assert failed(admin("create", "--username", "bob", "--password", "password1", "--role", "nope")) == (
        "Error: Role not found.")
    ok(admin("create", "--username", "bob", "--password", "password1", "--role", "user",
             "--email", "b@x.org"))
    assert failed(admin("create", "--username", "BOB", "--password", "password1", "--role", "user")) == (
        "Error: Username is already taken.")
    assert failed(admin("create", "--username", "carl", "--password", "password1", "--role", "user",
                        "--email", "B@X.org")) == "Error: Email is already in use."


def test_password_prompt(admin_db):
    admin = admin_db
    mismatch = admin("create", "--username", "alice", stdin="password1\npassword2\n")
    assert failed(mismatch) == "Error: Passwords do not match."
    assert "password1" not in mismatch.stdout
    assert ok(admin("create", "--username", "alice", stdin="password1\npassword1\n")).endswith(
        "Created admin account alice.")
    assert failed(admin("create", "--username", "bob", "--role", "user", stdin="")).startswith(
        "Error: no input")


def test_users_set_role_ban_unban_roles(admin_db):
    admin = admin_db
    ok(admin("create", "--username", "root", "--password", "password1"))
    ok(admin("create", "--username", "alice", "--password", "password1", "--role", "user"))
    users = ok(admin("users")).splitlines()
    assert users[0].split() == ["ID", "USERNAME", "ROLE", "STATUS"]
    assert [line.split() for line in users[1:]] == [["2", "alice", "user", "active"],
                                                   ["1", "root", "admin", "active"]]
    assert ok(admin("set-role", "ALICE", "editor")) == "Set role for alice to editor."
    assert failed(admin("set-role", "alice", "nope")) == "Error: Role not found."
    assert failed(admin("set-role", "nobody", "user")) == "Error: User not found."
    assert failed(admin("set-role", "root", "user")) == "Error: Cannot change role for the last active admin."
    assert ok(admin("ban", "alice")) == "Banned alice."
    assert failed(admin("ban", "root")) == "Error: Cannot disable the last active admin."
    assert failed(admin("ban", "nobody")) == "Error: User not found."
    assert ["2", "alice", "editor", "disabled"] in [line.split() for line in ok(admin("users")).splitlines()]
    assert ok(admin("unban", "alice")) == "Unbanned alice."
    assert failed(admin("unban", "nobody")) == "Error: User not found."
    roles = ok(admin("roles")).splitlines()
    assert roles[0].split() == ["ROLE", "SYSTEM", "USERS", "PERMISSIONS"]
    assert [line.split()[:3] for line in roles[1:]] == [
        ["admin", "yes", "1"], ["editor", "yes", "1"], ["guest", "yes", "0"], ["user", "yes", "0"]]


def test_empty_user_list(admin_db):
    admin = admin_db
    # A database the server made (no accounts yet) is listed, not refused.
    AccountActor.start(admin.url, "server-secret", FakeClock(), AuthSettings()).proxy().ready().get()
    pykka.ActorRegistry.stop_all()
    assert ok(admin("users")) == "No accounts."


@pytest.mark.parametrize("command", [("users",), ("roles",), ("ban", "alice"), ("unban", "alice"),
                                     ("set-role", "alice", "user"),
                                     ("create", "--username", "bob", "--password", "password1", "--role", "user")])
def test_a_folder_without_data_is_reported_not_filled(admin, tmp_path, command):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    proc = subprocess.run([sys.executable, "-m", "chgrid", "admin", *command], cwd=empty, capture_output=True,
                          text=True, timeout=60, env={**admin.env, "CHGRID_STORAGE_DATA_DIR": ""})
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    expected = empty / "chgrid-data" / "chgrid.db"
    assert proc.stderr.startswith(f"Error: No chgrid database at {expected}: looked there because of the data dir "
                                  f"{empty / 'chgrid-data'} (--data-dir")
    assert "chgrid admin create" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == "" and list(empty.iterdir()) == []


def test_a_missing_database_url_file_is_named(admin, tmp_path):
    url = f"sqlite:///{tmp_path / 'nowhere' / 'accounts.db'}"
    message = admin("users", "--database-url", url)
    assert message.returncode == 2
    assert f"No chgrid database at {tmp_path / 'nowhere' / 'accounts.db'}: looked there because of the " \
           "database URL" in message.stderr
    assert not (tmp_path / "nowhere").exists()


def test_creating_the_first_admin_starts_a_new_database(admin, tmp_path):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "chgrid", "admin", *args], cwd=fresh, capture_output=True, text=True, timeout=60,
        env=admin.env)
    bad = run("create", "--username", "x y", "--password", "password1")
    assert bad.returncode == 1 and not (fresh / "chgrid-data").exists()  # nothing made for a refused name
    made = run("create", "--username", "root", "--password", "password1")
    assert made.returncode == 0 and made.stdout.strip() == "Created admin account root."
    assert made.stderr.strip() == f"Created the database {fresh / 'chgrid-data' / 'chgrid.db'}."
    listed = run("users")
    assert listed.returncode == 0 and "root" in listed.stdout and listed.stderr == ""


def test_usage_and_configuration_errors(admin, tmp_path):
    assert admin().returncode == 2  # no subcommand
    assert admin("frobnicate").returncode == 2
    assert admin("ban").returncode == 2  # missing USER
    bad_env = admin("users", extra_env={"CHGRID_AUTH_USERNAME_MIN_LENGTH": "zz"})
    assert failed(bad_env, 2).startswith("Error: ")
    config = tmp_path / "chgrid.toml"
    config.write_text("[storage]\nnot_a_key = 1\n")
    assert failed(admin("users", "--config", str(config)), 2).startswith("Error: ")
    bad_url = admin("users", "--database-url", "mysql://host/db")
    assert "Unsupported database URL scheme" in failed(bad_url)


def test_config_file_and_database_url(admin, tmp_path):
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'accounts.db'}"
    ok(admin("create", "--username", "root", "--password", "password1", "--database-url", url))
    assert (tmp_path / "elsewhere" / "accounts.db").is_file()
    assert not (admin.data_dir / "chgrid.db").exists()
    config = tmp_path / "chgrid.toml"
    config.write_text('[storage]\ndata_dir = "fromconfig"\n')
    ok(admin("create", "--username", "root", "--password", "password1", "--config", str(config),
             "--data-dir", str(tmp_path / "flag-wins")))
    assert (tmp_path / "flag-wins" / "chgrid.db").is_file()


def test_cli_changes_reach_a_running_server_as_events(admin_db):
    admin = admin_db
    ok(admin("create", "--username", "root", "--password", "password1"))
    ok(admin("create", "--username", "alice", "--password", "password1", "--role", "user"))
    server = AccountActor.start(admin.url, "server-secret", FakeClock(), AuthSettings()).proxy()
    start = server.latest_event_id().get()
    ok(admin("ban", "alice"))
    ok(admin("set-role", "alice", "guest"))
    _, events = server.events_after(start, "server").get()
    assert [(e.kind, e.origin) for e in events] == [("user_status", "cli"), ("user_role", "cli")]
    assert server.authority(events[0].user_id).get().status == "disabled"


def test_run_admin_in_process_with_prompt(tmp_path, capsys):
    import argparse

    parser = argparse.ArgumentParser()
    add_admin_parser(parser.add_subparsers(dest="command"))
    args = ["admin", "create", "--username", "alice", "--data-dir", str(tmp_path / "d")]
    answers = iter(["password1", "password2"])
    assert run_admin(parser.parse_args(args), prompt=lambda _: next(answers)) == 1
    assert capsys.readouterr().err.strip() == "Error: Passwords do not match."
    answers = iter(["password1", "password1"])
    assert run_admin(parser.parse_args(args), prompt=lambda _: next(answers)) == 0
    assert capsys.readouterr().out.strip() == "Created admin account alice."
