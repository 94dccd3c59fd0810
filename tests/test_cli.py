"""The ``chgrid`` command: real subprocess runs for --version and start-up refusals, and
in-process runs of ``serve`` against a stand-in ``chgrid.server`` to check what it gets."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import types
from pathlib import Path

import pytest

import chgrid
from chgrid import cli

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "/work/venv/bin/python" if Path("/work/venv/bin/python").exists() else sys.executable


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHGRID_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def run_chgrid(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "chgrid", *args], cwd=cwd, env=clean_env(**env),
                          capture_output=True, text=True, timeout=60)


# --------------------------------------------------------------------------- subprocess


def test_version(tmp_path):
    result = run_chgrid("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"chgrid {chgrid.__version__}"


def test_bad_config_exits_2_with_the_message(tmp_path):
    (tmp_path / "bad.toml").write_text("[server]\nprot = 8000\n[world]\ngrid_size = 0\n")
    result = run_chgrid("serve", "--config", "bad.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "chgrid: Unknown config key 'server.prot' in bad.toml (did you mean 'server.port'?)" in result.stderr
    assert "chgrid: Invalid value for 'world.grid_size' in bad.toml: 0 (accepted: an integer from 1 to 1000)" \
        in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "chgrid-data").exists()


def test_bad_toml_syntax_exits_2(tmp_path):
    (tmp_path / "bad.toml").write_text("[server\n")
    result = run_chgrid("serve", "--config", "bad.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "chgrid: Config file bad.toml is not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_config_file_exits_2(tmp_path):
    result = run_chgrid("serve", "--config", "nope.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert "chgrid: Config file not found: nope.toml" in result.stderr


def test_bad_env_value_exits_2(tmp_path):
    result = run_chgrid("serve", cwd=tmp_path, CHGRID_AUTH_PBKDF2_ITERATIONS="lots")
    assert result.returncode == 2
    assert "'auth.pbkdf2_iterations' from CHGRID_AUTH_PBKDF2_ITERATIONS: 'lots'" in result.stderr
    assert "Traceback" not in result.stderr


def test_public_address_without_tls_is_refused(tmp_path):
    result = run_chgrid("serve", "--host", "0.0.0.0", cwd=tmp_path)
    assert result.returncode == 2
    assert "chgrid: Refusing to serve plain ws:// on 0.0.0.0" in result.stderr
    assert "--allow-insecure-ws" in result.stderr and "--ssl-cert" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "chgrid-data").exists()  # refused before touching the disk


def test_half_tls_is_refused(tmp_path):
    (tmp_path / "cert.pem").write_text("x")
    result = run_chgrid("serve", "--ssl-cert", "cert.pem", cwd=tmp_path)
    assert result.returncode == 2
    assert "TLS needs both a certificate and a key" in result.stderr


def test_bad_flag_value_is_a_usage_error(tmp_path):
    result = run_chgrid("serve", "--port", "eighty", cwd=tmp_path)
    assert result.returncode == 2
    assert "--port" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- in process


@pytest.fixture
def fake_server(monkeypatch, tmp_path):
    """Replace chgrid.server with a recorder; keep the root logger as pytest set it."""
    for name in list(os.environ):
        if name.startswith("CHGRID_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    calls: list = []
    module = types.ModuleType("chgrid.server")
    module.run = lambda settings: calls.append(settings) or 7
    monkeypatch.setitem(sys.modules, "chgrid.server", module)
    monkeypatch.setattr(cli, "configure_logging", lambda level: calls.append(("log", level)))
    return calls


def test_serve_fills_in_the_secret_and_returns_runs_status(fake_server, tmp_path):
    status = cli.main(["serve", "--port", "9100", "--data-dir", "d", "--grid-size", "12", "--log-level", "debug"])
    assert status == 7
    settings = fake_server[-1]
    assert settings.server.port == 9100 and settings.world.grid_size == 12
    assert settings.storage.data_dir == str(tmp_path / "d")
    assert ("log", "DEBUG") in fake_server
    secret_file = tmp_path / "d" / "auth_secret"
    assert settings.auth_secret == secret_file.read_text().strip()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_serve_precedence_flag_over_env_over_file(fake_server, tmp_path, monkeypatch):
    (tmp_path / "c.toml").write_text("[server]\nport = 9001\n[auth]\npbkdf2_iterations = 5\n"
                                     "[world]\ngrid_size = 9\n")
    monkeypatch.setenv("CHGRID_SERVER_PORT", "9002")
    monkeypatch.setenv("CHGRID_AUTH_PBKDF2_ITERATIONS", "1000")
    monkeypatch.setenv("CHGRID_RADIO_ALLOW_PRIVATE_NETWORKS", "1")
    monkeypatch.setenv("CHGRID_AUTH_SECRET", "from-env")
    assert cli.main(["serve", "--config", "c.toml", "--port", "9003"]) == 7
    settings = fake_server[-1]
    assert settings.server.port == 9003
    assert settings.auth.pbkdf2_iterations == 1000
    assert settings.world.grid_size == 9
    assert settings.radio.allow_private_networks is True
    assert settings.auth_secret == "from-env"
    assert not (tmp_path / "chgrid-data" / "auth_secret").exists()


def test_data_dir_is_created_even_with_an_env_secret(fake_server, tmp_path, monkeypatch):
    monkeypatch.setenv("CHGRID_AUTH_SECRET", "from-env")
    assert cli.main(["serve", "--data-dir", "fresh"]) == 7
    assert (tmp_path / "fresh").is_dir() and not (tmp_path / "fresh" / "auth_secret").exists()


def test_allow_insecure_ws_flag_lets_a_public_bind_through(fake_server):
    assert cli.main(["serve", "--host", "0.0.0.0", "--allow-insecure-ws", "--data-dir", "d"]) == 7
    assert fake_server[-1].network.allow_insecure_ws is True


def test_cluster_flags_reach_the_server(fake_server, caplog):
    url = "postgresql://chgrid:pw@127.0.0.1:5432/chgrid"
    assert cli.main(["serve", "--database-url", url, "--redis-url", "redis://:pw@127.0.0.1:6379/2",
                     "--reuse-port", "--lease-s", "3"]) == 7
    settings = fake_server[-1]
    assert settings.storage.database_url == url
    assert settings.cluster.redis_url == "redis://:pw@127.0.0.1:6379/2"
    assert settings.cluster.lease_s == 3.0 and settings.server.reuse_port is True
    assert "SQLite" not in caplog.text  # PostgreSQL: no one-machine warning


def test_cluster_settings_from_the_environment(fake_server, monkeypatch, caplog):
    monkeypatch.setenv("CHGRID_STORAGE_DATABASE_URL", "postgresql://u:p@db.internal/chgrid")
    monkeypatch.setenv("CHGRID_CLUSTER_REDIS_URL", "rediss://redis.internal:6380/1")
    monkeypatch.setenv("CHGRID_CLUSTER_LEASE_S", "7.5")
    monkeypatch.setenv("CHGRID_SERVER_REUSE_PORT", "yes")
    assert cli.main(["serve"]) == 7
    settings = fake_server[-1]
    assert settings.storage.database_url == "postgresql://u:p@db.internal/chgrid"
    assert settings.cluster.redis_url == "rediss://redis.internal:6380/1"
    assert settings.cluster.lease_s == 7.5 and settings.server.reuse_port is True


def test_cluster_on_sqlite_starts_with_a_one_machine_warning(fake_server, caplog):
    with caplog.at_level("WARNING", logger="chgrid"):
        assert cli.main(["serve", "--redis-url", "redis://:hunter2@127.0.0.1:6379/0"]) == 7
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("the database is SQLite" in w and "all nodes must run on this one machine" in w
               and "docs/deploy.md" in w for w in warnings), warnings
    assert "hunter2" not in caplog.text


def test_missing_redis_client_stops_before_the_server(fake_server, monkeypatch, capsys):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "redis" else real(name, *a))
    assert cli.main(["serve", "--redis-url", "redis://127.0.0.1:6379/0"]) == 2
    assert "chgrid: cluster.redis_url needs the Python package redis" in capsys.readouterr().err
    assert not [c for c in fake_server if not isinstance(c, tuple)]


def test_reuse_port_with_port_zero_exits_2(tmp_path):
    result = run_chgrid("serve", "--port", "0", "--reuse-port", cwd=tmp_path)
    assert result.returncode == 2
    assert ("chgrid: Invalid value for 'server.reuse_port' from --reuse-port: true (accepted: false while "
            "server.port is 0 from --port; nodes sharing a port need a fixed port)") in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "chgrid-data").exists()


def test_missing_web_root_stops_before_the_server(fake_server, capsys):
    assert cli.main(["serve", "--web-root", "nowhere"]) == 2
    assert "is not a directory" in capsys.readouterr().err
    assert not [c for c in fake_server if not isinstance(c, tuple)]


def test_no_command_prints_help_and_fails(capsys):
    assert cli.main([]) == 2
    assert "serve" in capsys.readouterr().err


def test_version_in_process(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"chgrid {chgrid.__version__}"


def test_admin_is_dispatched_to_admin_cli(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CHGRID_STORAGE_DATA_DIR", raising=False)
    monkeypatch.delenv("CHGRID_STORAGE_DATABASE_URL", raising=False)
    assert cli.main(["admin", "users", "--data-dir", str(tmp_path / "none")]) == 2
    assert f"No chgrid database at {tmp_path / 'none' / 'chgrid.db'}" in capsys.readouterr().err
    assert not (tmp_path / "none").exists()


def test_admin_subcommand_is_wired(tmp_path):
    result = run_chgrid("admin", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "create" in result.stdout and "set-role" in result.stdout
