"""``chgrid admin …``: operator commands on the account database (auth.md §16).

Subcommands: ``create`` (the first admin, or any account with ``--role``), ``users``,
``set-role USER ROLE``, ``ban USER``, ``unban USER``, ``delete USER``, ``roles``. Each one loads the
settings like ``serve`` does (``--config``, ``CHGRID_*`` environment, ``--data-dir``,
``--database-url``), starts an AccountActor with origin ``"cli"`` on the same database,
runs one operation and stops it. Changes are written with an ``account_events`` row, so
a server running meanwhile notices them and updates connected users. With a Redis URL
(``--redis-url``, ``CHGRID_CLUSTER_REDIS_URL`` or ``cluster.redis_url``) the accounts whose
role or status changed (or that were deleted) are also published on Redis (``chgrid.cluster.events``), so every
node of a cluster applies the change at once; a failed publish after the saved change
says so and exits 1.

Only ``create`` of an admin account may start a new SQLite database; every other
command on a database file that does not exist says where it looked and exits 2
instead of creating an empty one (:func:`may_create_database`).

Output: one line (``Created admin account alice.``, ``Error: Username is already
taken.``) or a table for ``users``/``roles``. Exit status 0 on success, 1 when the
operation is refused or fails, 2 for configuration and usage errors.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from chgrid.auth import messages as M
from chgrid.auth.passwords import hash_password
from chgrid.auth.policy import AuthPolicy, normalise_role_name, normalise_username, password_error, username_error
from chgrid.cluster.events import ADMIN_CLI_ORIGIN, PublishError, publish_authority_sync
from chgrid.config import ConfigError, load_settings, missing_extras
from chgrid.db.database import database_url_for
from chgrid.permissions import ADMIN_ROLE
from chgrid.settings import Settings
from chgrid.startup_notes import uses_data_dir_database
from chgrid.timing import SystemClock

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_INTERRUPTED = 130
# The CLI never issues or checks login tokens, so the actor's HMAC key is unused; this
# value is deliberately not secret-shaped so nobody copies it into a deployment.
PLACEHOLDER_SECRET = "<chgrid admin cli: no login tokens are issued with this key>"


class _Failure(Exception):
    """An operation refused with a message for the operator."""


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="FILE", default=None, help="TOML config file")
    common.add_argument("--data-dir", metavar="DIR", default=None,
                        help="data directory (default ./chgrid-data)")
    common.add_argument("--database-url", metavar="URL", default=None,
                        help="Peewee database URL (default: SQLite chgrid.db in the data dir)")
    common.add_argument("--redis-url", metavar="URL", default=None,
                        help="Redis URL of the cluster: publish the change so every node applies it "
                             "at once (default: none)")
    return common


def add_admin_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``admin`` command and its subcommands to ``subparsers``."""
    common = _common_options()
    admin = subparsers.add_parser(
        "admin", help="operator commands: create accounts, list users and roles, set roles, ban, delete",
        description="Operator commands working directly on the account database.")
    actions = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", parents=[common], help="create an account (default role: admin); "
                                "only creating an admin may start a new database")
    create.add_argument("--username", help="account name (prompted when omitted)")
    create.add_argument("--password", help="password; visible to other local users in the process "
                                           "list, so omit it to be prompted without echo")
    create.add_argument("--role", default=ADMIN_ROLE, help="role of the new account (default admin)")
    create.add_argument("--email", default=None, help="optional e-mail address")

    actions.add_parser("users", parents=[common], help="list accounts")
    actions.add_parser("roles", parents=[common], help="list roles and their permissions")
    set_role = actions.add_parser("set-role", parents=[common], help="change an account's role")
    set_role.add_argument("username", metavar="USER")
    set_role.add_argument("role", metavar="ROLE")
    for name, text in (("ban", "disable an account"), ("unban", "re-enable a disabled account"),
                       ("delete", "delete an account for good (its items are kept)")):
        action = actions.add_parser(name, parents=[common], help=text)
        action.add_argument("username", metavar="USER")
    return admin


# --- settings and the database ----------------------------------------------------------
def _load_settings(namespace: argparse.Namespace) -> Settings:
    overrides = {"storage": {"data_dir": namespace.data_dir, "database_url": namespace.database_url},
                 "cluster": {"redis_url": namespace.redis_url}}
    settings = load_settings(namespace.config, os.environ, overrides)
    missing_extras(settings)
    return settings


def may_create_database(namespace: argparse.Namespace) -> bool:
    """Only creating an admin may start a new database: that is how a fresh machine gets
    its first admin. Any other command on a missing database means the operator is in
    the wrong folder (or forgot ``--data-dir``), and an empty database would hide that."""
    return namespace.admin_command == "create" and normalise_role_name(namespace.role) == ADMIN_ROLE


def missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file ``url`` names when it does not exist yet, else None.

    Other databases (PostgreSQL) are not checked here: their server refuses a database
    that does not exist, and creating chgrid's tables in an existing one is wanted.
    """
    if urlsplit(url).scheme.lower() != "sqlite":
        return None
    from playhouse.db_url import parse

    path = parse(url).get("database") or ""
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    file = Path(path).expanduser().resolve()
    return None if file.exists() else file


def _no_database(file: Path, settings: Settings) -> int:
    if uses_data_dir_database(settings):
        where = (f"the data dir {settings.storage.data_dir} (--data-dir, CHGRID_STORAGE_DATA_DIR or "
                 "storage.data_dir; default ./chgrid-data in the current folder)")
    else:
        where = "the database URL (--database-url, CHGRID_STORAGE_DATABASE_URL or storage.database_url)"
    print(f"Error: No chgrid database at {file}: looked there because of {where}.", file=sys.stderr)
    print("Run chgrid admin in the folder the server runs in, or give the same --data-dir, "
          "--database-url or --config as `chgrid serve`.", file=sys.stderr)
    print("Only `chgrid admin create` (creating an admin) starts a new database.", file=sys.stderr)
    return EXIT_CONFIG


# --- operations ------------------------------------------------------------------------
def _ask_password(prompt: Callable[[str], str]) -> str:
    first = prompt("Password: ")
    if first != prompt("Repeat password: "):
        raise _Failure(M.PASSWORDS_DO_NOT_MATCH)
    return first


def _username(ns: argparse.Namespace) -> str:
    """The account name of ``create``, asked once when not given."""
    if ns.username is None:
        ns.username = input("Username: ")
    return normalise_username(ns.username)


def _create(account, settings: Settings, ns: argparse.Namespace, prompt) -> str:
    policy = AuthPolicy.from_settings(settings.auth)
    username = _username(ns)
    error = username_error(username, policy)
    if error:
        raise _Failure(error)
    role = normalise_role_name(ns.role)
    # auth.md §16: the bootstrap refuses once an active admin exists; promote with set-role.
    if role == ADMIN_ROLE and account.active_admin_exists().get():
        raise _Failure(M.ADMIN_EXISTS)
    password = ns.password if ns.password is not None else _ask_password(prompt)
    error = password_error(password, policy)
    if error:
        raise _Failure(error)
    result = account.create_account(
        username, hash_password(password, settings.auth.pbkdf2_iterations), ns.email, role
    ).get()
    if not result.ok:
        raise _Failure(result.message)
    return result.message


def _table(header: Sequence[str], rows: list[Sequence[str]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
             for row in [header, *rows]]
    return "\n".join(lines)


def _users(account) -> str:
    users = account.list_users(None).get()
    if not users:
        return "No accounts."
    return _table(("ID", "USERNAME", "ROLE", "STATUS"),
                  [(u["id"], u["username"], u["role"], u["status"]) for u in users])


def _roles(account) -> str:
    roles = account.list_roles().get()
    rows = [(r["name"], "yes" if r["isSystem"] else "no", str(r["userCount"]),
             ", ".join(r["permissions"]) or "-") for r in roles]
    return _table(("ROLE", "SYSTEM", "USERS", "PERMISSIONS"), rows)


def _admin_result(result) -> tuple[str, tuple[int, ...]]:
    """The message of a change and the accounts whose role or status it changed."""
    if not result.ok:
        raise _Failure(result.message)
    return result.message, tuple(result.affected_user_ids)


def _run(account, settings: Settings, ns: argparse.Namespace, prompt) -> tuple[str, tuple[int, ...]]:
    """Run the command: its output and the accounts connected users must be told about
    (the ones whose ``account_events`` rows the running servers act on: role and status
    changes; a new account has no connections yet)."""
    command = ns.admin_command
    if command == "create":
        return _create(account, settings, ns, prompt), ()
    if command == "users":
        return _users(account), ()
    if command == "roles":
        return _roles(account), ()
    if command == "set-role":
        return _admin_result(account.set_user_role(ns.username, ns.role).get())
    if command == "ban":
        return _admin_result(account.ban(ns.username).get())
    if command == "unban":
        return _admin_result(account.unban(ns.username).get())
    if command == "delete":
        # Same rule as the admin menu: never the last active admin.
        return _admin_result(account.delete_account(ns.username).get())
    raise _Failure(f"unknown admin command {command!r}")


def _describe(err: BaseException) -> str:
    cause = err.__cause__
    return f"{err}: {cause}" if cause is not None else str(err) or type(err).__name__


def _operate(namespace: argparse.Namespace, settings: Settings, url: str,
             prompt) -> tuple[str, tuple[int, ...]]:
    """Open the account database, run the command, close it; its output line or table and
    the accounts whose role or status changed."""
    # Imported here: ``chgrid --help`` and ``serve`` must not depend on the actor stack.
    from chgrid.actors.account import AccountActor

    if namespace.admin_command == "create":
        # Refuse a bad name before a new database is made for it.
        error = username_error(_username(namespace), AuthPolicy.from_settings(settings.auth))
        if error:
            raise _Failure(error)
    ref = AccountActor.start(url, PLACEHOLDER_SECRET, SystemClock(), settings.auth, origin="cli")
    try:
        account = ref.proxy()
        account.ready().get()
        return _run(account, settings, namespace, prompt)
    finally:
        ref.stop()


def run_admin(namespace: argparse.Namespace, prompt: Callable[[str], str] = getpass.getpass) -> int:
    """Run one ``chgrid admin`` subcommand; returns the exit status."""
    if not logging.getLogger().handlers:
        # The reason is printed below as one line; keep logging's last-resort handler
        # from adding a traceback to the operator's terminal.
        logging.getLogger().addHandler(logging.NullHandler())
    try:
        settings = _load_settings(namespace)
    except ConfigError as err:
        for line in str(err).splitlines() or ["configuration error"]:
            print(f"Error: {line}", file=sys.stderr)
        return EXIT_CONFIG
    url = database_url_for(settings)
    new_file = missing_sqlite_file(url)
    if new_file is not None and not may_create_database(namespace):
        return _no_database(new_file, settings)
    try:
        output, changed = _operate(namespace, settings, url, prompt)
    except _Failure as failure:
        print(f"Error: {failure}", file=sys.stderr)
        return EXIT_FAILED
    except EOFError:
        # The prompt is still on the line: end it so the error reads as its own line.
        print(file=sys.stderr)
        print("Error: no input (use --username/--password when not on a terminal).", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Error: cancelled.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as err:  # noqa: BLE001 - reported as the command's one line
        print(f"Error: {_describe(err)}", file=sys.stderr)
        return EXIT_FAILED
    print(output)
    if new_file is not None and new_file.exists():
        print(f"Created the database {new_file}.", file=sys.stderr)
    if changed and settings.cluster.redis_url:
        return _publish(settings.cluster.redis_url, changed)
    return EXIT_OK


def _publish(redis_url: str, user_ids: Sequence[int]) -> int:
    """Tell every node of the cluster, after the change is saved."""
    try:
        publish_authority_sync(redis_url, user_ids, ADMIN_CLI_ORIGIN)
    except PublishError as err:
        # The database has the change; only the live push is missing. Nodes with Redis
        # do not poll the database for it, so say what to do.
        print(f"Error: the change is saved, but telling the running nodes failed: "
              f"{str(err).rstrip('.')}.", file=sys.stderr)
        print("Nodes running with Redis apply it only when told (nodes without Redis see it within "
              "about 2 s): run the command again once Redis is reachable, or restart the nodes.",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
