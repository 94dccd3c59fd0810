"""What the server tells the operator at start: where to open it, where its data is,
and how to make the first admin.

Plain functions of settings and strings; ``chgrid.server`` logs their lines once it
listens (so the address carries the real port even with ``--port 0``).
"""
from __future__ import annotations

import ipaddress
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from chgrid.config import DATABASE_FILE_NAME
from chgrid.settings import Settings


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _every_interface(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return host == ""


def page_address(host: str, port: int, tls: bool) -> str:
    """The address to open in a browser: ``http://host:port/`` (``https`` under TLS)."""
    return f"{'https' if tls else 'http'}://{_url_host(host)}:{port}/"


def address_lines(host: str, port: int, tls: bool) -> list[str]:
    """The start-up line naming the page to open (plus a hint for a wildcard bind)."""
    lines = [f"Open {page_address(host, port, tls)} in a browser "
             f"(websocket {'wss' if tls else 'ws'}://{_url_host(host)}:{port}/ws)"]
    if _every_interface(host):
        lines.append(f"Listening on every interface: from another machine use this machine's name or "
                     f"address instead of {host}")
    return lines


def without_password(url: str) -> str:
    """``url`` with any password replaced by ``PASSWORD``: logs must not carry it."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:PASSWORD@{_url_host(host)}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def uses_data_dir_database(settings: Settings) -> bool:
    """True when the database is the default SQLite file inside the data dir."""
    return settings.storage.database_url == "sqlite:///" + str(Path(settings.storage.data_dir) / DATABASE_FILE_NAME)


def data_line(settings: Settings) -> str:
    """The line naming the data folder in use (and the database when it lives elsewhere)."""
    line = f"Data folder: {os.path.abspath(settings.storage.data_dir)}"
    if uses_data_dir_database(settings):
        return line + f" (database {DATABASE_FILE_NAME} in it)"
    return line + f" (database {without_password(settings.storage.database_url)})"


def program_words(argv0: str, executable: str, which: Callable[[str], str | None]) -> list[str]:
    """How the operator runs chgrid again from any folder: ``chgrid`` when that name on
    ``PATH`` is this very command, else its full path, else ``python -m chgrid``."""
    if os.path.basename(argv0) == "chgrid":
        found = which("chgrid")
        if found and os.path.realpath(found) == os.path.realpath(argv0):
            return ["chgrid"]
        return [os.path.abspath(argv0)]
    return [executable, "-m", "chgrid"]


def first_admin_command(settings: Settings, program: list[str]) -> str:
    """The exact ``chgrid admin create`` command for this server's database."""
    words = [*program, "admin", "create", "--username", "NAME"]
    if uses_data_dir_database(settings):
        words += ["--data-dir", os.path.abspath(settings.storage.data_dir)]
    else:
        words += ["--database-url", without_password(settings.storage.database_url)]
    return shlex.join(words)


def first_admin_line(settings: Settings, program: list[str]) -> str:
    """The hint shown while the database has no active admin."""
    return ("No admin account yet. Create the first one (it asks for a password) with: "
            + first_admin_command(settings, program))
