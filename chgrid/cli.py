"""The ``chgrid`` command: ``serve``, ``admin …`` and ``--version``.

``serve`` turns flags into settings overrides (each flag is declared with its key in
``chgrid.settings``), loads and validates the settings, then runs the checks of
``chgrid.preflight`` (loopback/TLS rule, web root, data dir, auth secret) and that the
drivers the settings need are installed (PostgreSQL, Redis), warns about a cluster on
SQLite (one machine only) and hands over to ``chgrid.server.run``. Every configuration
problem ends as ``chgrid: <message>`` on stderr and exit status 2, never as a traceback.
``admin`` is ``chgrid.admin_cli``.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import typing
from collections.abc import Mapping, Sequence

from chgrid import __version__
from chgrid.admin_cli import add_admin_parser, run_admin
from chgrid.config import DECLARATIONS, ConfigError, load_settings, missing_extras
from chgrid.web.sites import check_base_paths
from chgrid.preflight import (
    check_transport,
    configure_logging,
    ensure_data_dir,
    load_or_create_secret,
    resolve_web_root,
)

EXIT_CONFIG = 2  # the same status argparse uses for a bad command line
EXIT_INTERRUPTED = 130

# (section, key, flag) of every key that has a `chgrid serve` flag, from its declaration.
_FLAGGED = [(section, key, d.flag) for section, keys in DECLARATIONS.items()
            for key, d in keys.items() if d.flag is not None]


def _flag_dest(section: str, key: str) -> str:
    return f"setting__{section}__{key}"


def _add_serve_parser(subparsers: typing.Any) -> None:
    serve = subparsers.add_parser(
        "serve", help="run the server",
        description="Run the chgrid server. Precedence: flags > CHGRID_<SECTION>_<KEY> "
                    "environment > --config file > defaults. See docs/running.md.")
    serve.add_argument("--config", metavar="FILE", help="TOML config file (none by default)")
    for section, key, flag in _FLAGGED:
        rule = DECLARATIONS[section][key].rule
        dest = _flag_dest(section, key)
        if rule.python_type is bool:
            # default None, not False: an absent flag must not override the environment or file.
            serve.add_argument(flag.name, dest=dest, action="store_true", default=None, help=flag.help)
        else:
            serve.add_argument(flag.name, dest=dest, metavar=flag.metavar, type=rule.python_type, default=None,
                               help=flag.help)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every ``chgrid`` command."""
    parser = argparse.ArgumentParser(prog="chgrid", description="Audio-first multiplayer grid server.")
    parser.add_argument("--version", action="version", version=f"chgrid {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_serve_parser(subparsers)
    add_admin_parser(subparsers)
    return parser


def _overrides(namespace: argparse.Namespace) -> dict[str, dict[str, typing.Any]]:
    overrides: dict[str, dict[str, typing.Any]] = {}
    for section, key, _flag in _FLAGGED:
        overrides.setdefault(section, {})[key] = getattr(namespace, _flag_dest(section, key))
    return overrides


def _report(error: ConfigError) -> int:
    for line in str(error).splitlines() or ["configuration error"]:
        print(f"chgrid: {line}", file=sys.stderr)
    return EXIT_CONFIG


def sqlite_cluster_note(settings) -> str | None:
    """The warning for a cluster on SQLite: allowed (several nodes on one machine can share
    one file) but every node must be on this machine; PostgreSQL serves several machines."""
    if not settings.cluster.redis_url or not settings.storage.database_url.lower().startswith("sqlite"):
        return None
    return ("cluster.redis_url is set but the database is SQLite: every node must use this same "
            "database file, so all nodes must run on this one machine. Use PostgreSQL "
            "(storage.database_url) for nodes on several machines; see docs/deploy.md.")


def serve(namespace: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """Load, check, and run the server; returns the process exit status."""
    # Provisional logging so warnings raised while loading (unknown CHGRID_* variables)
    # are formatted like everything else; the configured level replaces it below.
    configure_logging("WARNING")
    try:
        settings = load_settings(namespace.config, environ, _overrides(namespace))
        check_transport(settings)
        # A wrong --web-root, or a grid whose /NAME/ hides the web root's files, fails
        # here, not at the first request.
        check_base_paths(settings.world.grids, resolve_web_root(settings))
        missing_extras(settings)
    except ConfigError as exc:
        return _report(exc)
    configure_logging(settings.logging.level)
    note = sqlite_cluster_note(settings)
    if note:
        logging.getLogger("chgrid").warning("%s", note)
    try:
        ensure_data_dir(settings)  # needed by the default SQLite database even with an env secret
        settings.auth_secret = load_or_create_secret(settings, environ, logging.getLogger("chgrid"))
    except ConfigError as exc:
        return _report(exc)
    # Imported here so --version, --help and config errors never pay for (or depend on)
    # the whole server stack.
    server = importlib.import_module("chgrid.server")
    return int(server.run(settings) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``chgrid`` console script; returns the exit status."""
    parser = build_parser()
    try:
        namespace = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors; keep main() callable from tests
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_CONFIG)
    try:
        if namespace.command == "serve":
            return serve(namespace, os.environ)
        if namespace.command == "admin":
            return int(run_admin(namespace) or 0)
        parser.print_help(sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
