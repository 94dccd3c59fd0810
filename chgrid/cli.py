"""The ``chgrid`` command: ``serve``, ``admin …`` and ``--version``.

``serve`` turns flags into settings overrides (``chgrid.config.COMMAND_LINE_FLAGS``),
loads and validates the settings, enforces the loopback/TLS rule, makes sure there is
an auth secret, then hands over to ``chgrid.server.run``. Every configuration problem
ends as ``chgrid: <message>`` on stderr and exit status 2, never as a traceback.
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
from chgrid.config import (
    COMMAND_LINE_FLAGS,
    LOG_LEVELS,
    ConfigError,
    check_transport,
    configure_logging,
    ensure_data_dir,
    load_or_create_secret,
    load_settings,
    resolve_web_root,
)
from chgrid.settings import Settings

EXIT_CONFIG = 2  # the same status argparse uses for a bad command line
EXIT_INTERRUPTED = 130

# Help text, metavar and type per serve flag; which key each flag sets lives in config.
_FLAG_HELP: dict[str, tuple[str | None, str]] = {
    "--host": ("ADDRESS", "address to listen on (default 127.0.0.1)"),
    "--port": ("PORT", "port to listen on (default 8765; 0 = any free port)"),
    "--data-dir": ("DIR", "folder for the SQLite database and the auth secret (default ./chgrid-data)"),
    "--database-url": ("URL", "Peewee database URL (default: SQLite chgrid.db in the data dir)"),
    "--web-root": ("DIR", "serve this static client instead of the bundled web/"),
    "--ssl-cert": ("FILE", "TLS certificate (PEM); serves https:// and wss://"),
    "--ssl-key": ("FILE", "TLS private key (PEM) for --ssl-cert"),
    "--allow-insecure-ws": (None, "allow plain ws:// on a non-loopback address (behind a TLS proxy)"),
    "--log-level": ("LEVEL", "one of " + ", ".join(LOG_LEVELS) + " (default INFO)"),
    "--grid-size": ("N", "side of the square grid, 1-1000 (default 41)"),
}


def _flag_dest(section: str, key: str) -> str:
    return f"setting__{section}__{key}"


def _add_serve_parser(subparsers: typing.Any) -> None:
    serve = subparsers.add_parser(
        "serve", help="run the server",
        description="Run the chgrid server. Precedence: flags > CHGRID_<SECTION>_<KEY> "
                    "environment > --config file > defaults. See docs/running.md.")
    serve.add_argument("--config", metavar="FILE", help="TOML config file (none by default)")
    kinds = typing.get_type_hints(Settings)
    for (section, key), flag in COMMAND_LINE_FLAGS.items():
        metavar, text = _FLAG_HELP[flag]
        kind = typing.get_type_hints(kinds[section])[key]
        dest = _flag_dest(section, key)
        if kind is bool:
            # default None, not False: an absent flag must not override the environment or file.
            serve.add_argument(flag, dest=dest, action="store_true", default=None, help=text)
        else:
            serve.add_argument(flag, dest=dest, metavar=metavar, type=kind, default=None, help=text)


def _add_admin_parser(subparsers: typing.Any) -> typing.Callable[[argparse.Namespace], int]:
    """Wire in ``chgrid.admin_cli``; a broken or missing admin module must not break ``serve``."""
    try:
        admin_cli = importlib.import_module("chgrid.admin_cli")
        admin_cli.add_admin_parser(subparsers)
        return admin_cli.run_admin
    except Exception as exc:  # noqa: BLE001 - reported only to someone who runs `chgrid admin`
        reason = f"{type(exc).__name__}: {exc}"

    if "admin" not in subparsers.choices:  # the module may have failed after adding its parser
        placeholder = subparsers.add_parser("admin", help="operator commands (unavailable in this build)")
        placeholder.add_argument("rest", nargs=argparse.REMAINDER)

    def unavailable(_namespace: argparse.Namespace) -> int:
        print(f"chgrid: admin commands are unavailable: {reason}", file=sys.stderr)
        return 1

    return unavailable


def build_parser() -> tuple[argparse.ArgumentParser, typing.Callable[[argparse.Namespace], int]]:
    """The argument parser and the function that runs ``chgrid admin``."""
    parser = argparse.ArgumentParser(prog="chgrid", description="Audio-first multiplayer grid server.")
    parser.add_argument("--version", action="version", version=f"chgrid {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_serve_parser(subparsers)
    run_admin = _add_admin_parser(subparsers)
    return parser, run_admin


def _overrides(namespace: argparse.Namespace) -> dict[str, dict[str, typing.Any]]:
    overrides: dict[str, dict[str, typing.Any]] = {}
    for section, key in COMMAND_LINE_FLAGS:
        overrides.setdefault(section, {})[key] = getattr(namespace, _flag_dest(section, key))
    return overrides


def _report(error: ConfigError) -> int:
    for line in str(error).splitlines() or ["configuration error"]:
        print(f"chgrid: {line}", file=sys.stderr)
    return EXIT_CONFIG


def serve(namespace: argparse.Namespace, environ: Mapping[str, str]) -> int:
    """Load, check, and run the server; returns the process exit status."""
    # Provisional logging so warnings raised while loading (unknown CHGRID_* variables)
    # are formatted like everything else; the configured level replaces it below.
    configure_logging("WARNING")
    try:
        settings = load_settings(namespace.config, environ, _overrides(namespace))
        check_transport(settings)
        resolve_web_root(settings)  # a wrong --web-root fails here, not at the first request
    except ConfigError as exc:
        return _report(exc)
    configure_logging(settings.logging.level)
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
    parser, run_admin = build_parser()
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
