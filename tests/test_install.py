"""The built wheel works on its own: installed into a fresh virtualenv (not editable),
its ``chgrid`` command serves the bundled client and /healthz."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support import ROOT, free_port


def test_wheel_install_serves_client(tmp_path):
    # Build from a copy so setuptools' build/ folder never lands in (or comes from) the tree.
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", "chgrid-data", "node_modules"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
                   check=True, timeout=300, cwd=tmp_path)
    wheel = next(wheels.glob("chgrid-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(wheel)], check=True, timeout=600)
    chgrid = venv / "bin" / "chgrid"
    version = subprocess.run([str(chgrid), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("chgrid ")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHGRID_")}
    env["CHGRID_AUTH_PBKDF2_ITERATIONS"] = "1000"
    # Run from an unrelated folder so nothing is picked up from the source tree.
    proc = subprocess.Popen([str(chgrid), "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    health = json.loads(resp.read())
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(proc.stdout.read().decode() if proc.stdout else "no output")
                time.sleep(0.1)
        assert health["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
            page = resp.read().decode()
        assert "<html" in page.lower()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sounds/roll.ogg", timeout=5) as resp:
            assert resp.read(4) == b"OggS"
    finally:
        proc.terminate()
        assert proc.wait(30) == 0
    assert not Path(tmp_path / "data" / "chgrid.db").stat().st_size == 0
