"""``chgrid admin …``: operator commands on the account database (auth.md §16).

Subcommands: ``create`` (the first admin, or any account with ``--role``), ``users``,
``set-role USER ROLE``, ``ban USER``, ``unban USER``, ``roles``. Each one loads the
settings like ``serve`` does (``--config``, ``CHGRID_*`` environment, ``--data-dir``,
``--database-url``), starts an AccountActor with origin ``"cli"`` on the same database,
runs one operation and stops it. Changes are written with an ``account_events`` row, so
a server running meanwhile notices them and updates connected users.

Output: one line (``Created admin account alice.``, ``Error: Username is already
taken.``) or a table for ``users``/``roles``. Exit status 0 on success, 1 when the
operation is refused or fails, 2 for configuration and usage errors.
"""
from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace

from chgrid.auth import messages as M
from chgrid.auth.passwords import hash_password
from chgrid.auth.policy import AuthPolicy, normalise_role_name, normalise_username, password_error, username_error
from chgrid.db.database import database_url_for
from chgrid.permissions import ADMIN_ROLE
from chgrid.settings import Settings
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
    return common


def add_admin_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``admin`` command and its subcommands to ``subparsers``."""
    common = _common_options()
    admin = subparsers.add_parser(
        "admin", help="operator commands: create accounts, list users and roles, set roles, ban",
        description="Operator commands working directly on the account database.")
    actions = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)

    create = actions.add_parser("create", parents=[common], help="create an account (default role: admin)")
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
    for name, text in (("ban", "disable an account"), ("unban", "re-enable a disabled account")):
        action = actions.add_parser(name, parents=[common], help=text)
        action.add_argument("username", metavar="USER")
    return admin


# --- settings --------------------------------------------------------------------------
def _load_settings(namespace: argparse.Namespace) -> Settings:
    overrides = {
        "storage": {
            "data_dir": getattr(namespace, "data_dir", None),
            "database_url": getattr(namespace, "database_url", None),
        }
    }
    try:
        config = importlib.import_module("chgrid.config")
    except ModuleNotFoundError as err:
        if err.name != "chgrid.config":
            raise
        config = None
    loader = getattr(config, "load_settings", None)
    if loader is not None:
        return loader(getattr(namespace, "config", None), os.environ, overrides)
    # Fallback while chgrid.config is unavailable: defaults plus the flags.
    settings = Settings()
    storage = {k: v for k, v in overrides["storage"].items() if v is not None}
    return replace(settings, storage=replace(settings.storage, **storage))


def _config_error_types() -> tuple[type[BaseException], ...]:
    config = sys.modules.get("chgrid.config")
    error = getattr(config, "ConfigError", None)
    return (error,) if isinstance(error, type) else ()


# --- operations ------------------------------------------------------------------------
def _ask_password(prompt: Callable[[str], str]) -> str:
    first = prompt("Password: ")
    if first != prompt("Repeat password: "):
        raise _Failure(M.PASSWORDS_DO_NOT_MATCH)
    return first


def _create(account, settings: Settings, ns: argparse.Namespace, prompt) -> str:
    policy = AuthPolicy.from_settings(settings.auth)
    raw = ns.username if ns.username is not None else input("Username: ")
    username = normalise_username(raw)
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


def _admin_result(result) -> str:
    if not result.ok:
        raise _Failure(result.message)
    return result.message


def _run(account, settings: Settings, ns: argparse.Namespace, prompt) -> str:
    command = ns.admin_command
    if command == "create":
        return _create(account, settings, ns, prompt)
    if command == "users":
        return _users(account)
    if command == "roles":
        return _roles(account)
    if command == "set-role":
        return _admin_result(account.set_user_role(ns.username, ns.role).get())
    if command == "ban":
        return _admin_result(account.ban(ns.username).get())
    if command == "unban":
        return _admin_result(account.unban(ns.username).get())
    raise _Failure(f"unknown admin command {command!r}")


def _describe(err: BaseException) -> str:
    cause = err.__cause__
    return f"{err}: {cause}" if cause is not None else str(err) or type(err).__name__


def run_admin(namespace: argparse.Namespace, prompt: Callable[[str], str] = getpass.getpass) -> int:
    """Run one ``chgrid admin`` subcommand; returns the exit status."""
    # Imported here: ``chgrid --help`` and ``serve`` must not depend on the actor stack.
    from chgrid.actors.account import AccountActor

    if not logging.getLogger().handlers:
        # The reason is printed below as one line; keep logging's last-resort handler
        # from adding a traceback to the operator's terminal.
        logging.getLogger().addHandler(logging.NullHandler())
    try:
        settings = _load_settings(namespace)
    except _config_error_types() as err:
        for line in str(err).splitlines() or ["configuration error"]:
            print(f"Error: {line}", file=sys.stderr)
        return EXIT_CONFIG
    ref = AccountActor.start(
        database_url_for(settings), PLACEHOLDER_SECRET, SystemClock(), settings.auth, origin="cli"
    )
    try:
        account = ref.proxy()
        account.ready().get()
        output = _run(account, settings, namespace, prompt)
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
    finally:
        ref.stop()
    print(output)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m chgrid.admin_cli [admin] ACTION …``."""
    parser = argparse.ArgumentParser(prog="chgrid")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_admin_parser(subparsers)
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "admin":
        args.insert(0, "admin")
    return run_admin(parser.parse_args(args))


if __name__ == "__main__":
    sys.exit(main())
