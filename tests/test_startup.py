"""What a starting server tells the operator, checked on real server processes: the page
address with the real port (``--port 0``), the data folder, and the first-admin command
while there is no admin (that command, run as printed, creates the admin)."""
from __future__ import annotations

import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from chgrid.config import load_settings
from chgrid.startup_notes import (
    address_lines,
    data_line,
    first_admin_command,
    page_address,
    program_words,
    without_password,
)
from tests.support import ROOT, TEST_ITERATIONS, TEST_SECRET

ADDRESS_RE = r"Open http://127\.0\.0\.1:(\d+)/ in a browser \(websocket ws://127\.0\.0\.1:\1/ws\)"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHGRID_")}
    env.update(CHGRID_AUTH_PBKDF2_ITERATIONS=TEST_ITERATIONS, CHGRID_AUTH_SECRET=TEST_SECRET,
               PYTHONUNBUFFERED="1")
    return env


class Started:
    """A ``chgrid serve --port 0`` process, its real port, and (after ``stop``) its output."""

    def __init__(self, data_dir: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "chgrid", "serve", "--port", "0", "--data-dir", str(data_dir)],
            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.output = ""
        self.port = int(self._read_until(ADDRESS_RE).group(1))

    def _read_until(self, pattern: str, timeout: float = 60.0) -> re.Match:
        """Read the log as it comes until ``pattern`` shows; the timeout only bounds a failure."""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.proc.stdout, selectors.EVENT_READ)
            while not (match := re.search(pattern, self.output)):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    raise AssertionError(f"no {pattern!r} in:\n{self.output}")
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise AssertionError(f"server exited ({self.proc.wait()}):\n{self.output}")
                self.output += chunk.decode(errors="replace")
        return match

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        rest, _ = self.proc.communicate(timeout=60)
        self.output += rest.decode(errors="replace")
        assert self.proc.returncode == 0, self.output
        return self.output


def test_start_up_lines_name_the_real_port_the_data_folder_and_the_first_admin_command(tmp_path):
    data = tmp_path / "data"
    server = Started(data)
    try:
        assert server.port != 0
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/healthz", timeout=10) as answer:
            assert answer.status == 200  # the port in the line is the one really bound
    finally:
        output = server.stop()
    assert f"Data folder: {data} (database chgrid.db in it)" in output
    hint = re.search(r"No admin account yet\. Create the first one \(it asks for a password\) with: (.+)", output)
    assert hint, output
    command = shlex.split(hint.group(1))
    assert command == [sys.executable, "-m", "chgrid", "admin", "create", "--username", "NAME",
                       "--data-dir", str(data)]

    # The command works as printed, from any folder.
    command[command.index("NAME")] = "root"
    made = subprocess.run([*command, "--password", "password1"], cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0 and made.stdout.strip() == "Created admin account root.", made.stderr

    again = Started(data)
    output = again.stop()
    assert re.search(ADDRESS_RE, output) and f"Data folder: {data}" in output
    assert "No admin account yet" not in output


def test_address_lines():
    assert page_address("127.0.0.1", 8765, tls=False) == "http://127.0.0.1:8765/"
    assert page_address("::1", 443, tls=True) == "https://[::1]:443/"
    assert address_lines("localhost", 9000, tls=True) == [
        "Open https://localhost:9000/ in a browser (websocket wss://localhost:9000/ws)"]
    wildcard = address_lines("0.0.0.0", 80, tls=False)
    assert wildcard[0].startswith("Open http://0.0.0.0:80/") and "every interface" in wildcard[1]


def test_a_database_url_is_named_without_its_password(tmp_path):
    url = "postgresql://chgrid:s3cret@db.example:5432/chgrid"
    assert without_password(url) == "postgresql://chgrid:PASSWORD@db.example:5432/chgrid"
    settings = load_settings(None, {}, {"storage": {"data_dir": str(tmp_path), "database_url": url}})
    assert "s3cret" not in data_line(settings) and "db.example" in data_line(settings)
    command = first_admin_command(settings, ["chgrid"])
    assert command == ("chgrid admin create --username NAME "
                       "--database-url postgresql://chgrid:PASSWORD@db.example:5432/chgrid")


def test_program_words_say_how_chgrid_was_started(tmp_path):
    script = tmp_path / "bin" / "chgrid"
    script.parent.mkdir()
    script.write_text("")
    assert program_words(str(script), "/py", lambda name: str(script)) == ["chgrid"]
    assert program_words(str(script), "/py", lambda name: None) == [str(script)]
    assert program_words("/x/chgrid/__main__.py", "/venv/bin/python", lambda name: None) == [
        "/venv/bin/python", "-m", "chgrid"]
