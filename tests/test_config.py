"""Settings loading (layers, parsing, validation messages), the transport rule, the auth
secret file, the served client's version and the configuration docs."""
from __future__ import annotations

import logging
import os
import stat
import typing
from pathlib import Path

import pytest

import chgrid
from chgrid.config import ConfigError, all_keys, env_name, load_settings
from chgrid.preflight import (
    bundled_web_root,
    check_transport,
    configure_logging,
    is_loopback_host,
    load_or_create_secret,
    resolve_client_version,
    resolve_web_root,
    server_version_override,
)
from chgrid.settings import Settings
from tests.support import self_signed_cert

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def config_error(*args, **kwargs) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(*args, **kwargs)
    return str(info.value)


# --------------------------------------------------------------------------- layers


def test_defaults_without_file_env_or_flags(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, {}, {})
    assert settings.server.host == "127.0.0.1" and settings.server.port == 8765
    assert settings.storage.data_dir == str(tmp_path / "chgrid-data")
    assert settings.storage.database_url == f"sqlite:///{tmp_path}/chgrid-data/chgrid.db"
    assert settings.world.grid_size == 41 and settings.world.grids == ["main"]
    assert settings.auth.pbkdf2_iterations == 600_000
    assert settings.radio.allow_private_networks is False
    assert settings.logging.level == "INFO"
    assert settings.auth_secret == ""


LAYERED = [
    # section, key, file (TOML literal), env string, flag value, expected for each layer
    ("server", "port", "9001", "9002", 9003, (9001, 9002, 9003)),
    ("auth", "pbkdf2_iterations", "1000", "2000", 3000, (1000, 2000, 3000)),
    ("radio", "allow_private_networks", "true", "0", True, (True, False, True)),
    ("world", "grid_size", "10", "20", 30, (10, 20, 30)),
    ("logging", "level", '"warning"', "error", "debug", ("WARNING", "ERROR", "DEBUG")),
    ("server", "host", '"localhost"', "::1", "127.0.0.2", ("localhost", "::1", "127.0.0.2")),
]


@pytest.mark.parametrize("section,key,file_value,env_value,flag_value,expected", LAYERED)
def test_each_layer_overrides_the_one_below(tmp_path, section, key, file_value, env_value, flag_value, expected):
    config = write(tmp_path / "chgrid.toml", f"[{section}]\n{key} = {file_value}\n")
    env = {env_name(section, key): env_value}
    read = lambda s: getattr(getattr(s, section), key)  # noqa: E731
    assert read(load_settings(config, {}, {})) == expected[0]
    assert read(load_settings(config, env, {})) == expected[1]
    assert read(load_settings(config, env, {section: {key: flag_value}})) == expected[2]
    # A flag that was not given (None) leaves the lower layers alone.
    assert read(load_settings(config, env, {section: {key: None}})) == expected[1]


def test_exact_env_names_for_tests_and_radio():
    env = {"CHGRID_AUTH_PBKDF2_ITERATIONS": "1000", "CHGRID_RADIO_ALLOW_PRIVATE_NETWORKS": "1"}
    settings = load_settings(None, env, {})
    assert settings.auth.pbkdf2_iterations == 1000
    assert settings.radio.allow_private_networks is True
    assert env_name("auth", "pbkdf2_iterations") == "CHGRID_AUTH_PBKDF2_ITERATIONS"
    assert env_name("world", "grid_size") == "CHGRID_WORLD_GRID_SIZE"


@pytest.mark.parametrize("text,value", [
    ("1", True), ("true", True), ("TRUE", True), ("yes", True), ("On", True), (" on ", True),
    ("0", False), ("false", False), ("No", False), ("off", False),
])
def test_env_booleans(text, value):
    settings = load_settings(None, {"CHGRID_NETWORK_TRUST_FORWARDED_FOR": text}, {})
    assert settings.network.trust_forwarded_for is value


def test_env_numbers_and_lists():
    env = {"CHGRID_NETWORK_MAX_MESSAGE_BYTES": "4096", "CHGRID_NETWORK_PING_INTERVAL_S": "2.5",
           "CHGRID_WORLD_GRIDS": "main, lobby,,games ", "CHGRID_RADIO_POLL_INTERVAL_S": "3"}
    settings = load_settings(None, env, {})
    assert settings.network.max_message_bytes == 4096
    assert settings.network.ping_interval_s == 2.5
    assert settings.world.grids == ["main", "lobby", "games"]
    assert settings.radio.poll_interval_s == 3.0


def test_blank_env_value_counts_as_unset():
    assert load_settings(None, {"CHGRID_SERVER_PORT": "  "}, {}).server.port == 8765


@pytest.mark.parametrize("name,value,accepted", [
    ("CHGRID_SERVER_PORT", "eighty", "an integer from 0 to 65535"),
    ("CHGRID_RADIO_ALLOW_PRIVATE_NETWORKS", "maybe", "1/0, true/false, yes/no, on/off"),
    ("CHGRID_NETWORK_PING_TIMEOUT_S", "soon", "a number of seconds > 0"),
    ("CHGRID_AUTH_PBKDF2_ITERATIONS", "0", "an integer >= 1"),
])
def test_bad_env_value_names_variable_key_and_accepted(name, value, accepted):
    message = config_error(None, {name: value}, {})
    section, key = name[len("CHGRID_"):].lower().split("_", 1)
    assert f"'{section}.{key}'" in message and name in message
    assert repr(value) in message and accepted in message


def test_unknown_setting_like_env_var_warns_but_loads(caplog):
    env = {"CHGRID_SERVER_PROT": "1", "CHGRID_AUTH_SECRET": "x", "CHGRID_SERVER_VERSION": "v",
           "CHGRID_SOMETHING_ELSE": "1", "PATH": "/bin"}
    with caplog.at_level(logging.WARNING, logger="chgrid.config"):
        settings = load_settings(None, env, {})
    assert settings.server.port == 8765
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "CHGRID_SERVER_PROT" in warnings[0] and "CHGRID_SERVER_PORT" in warnings[0]


# --------------------------------------------------------------------------- TOML errors


BAD_VALUES = [
    ("server", "port", "70000", "an integer from 0 to 65535"),
    ("server", "port", '"8765"', "an integer from 0 to 65535"),
    ("server", "port", "true", "an integer from 0 to 65535"),
    ("server", "host", '""', "a host name or IP address"),
    ("server", "host", '"my host"', "a host name or IP address"),
    ("world", "grid_size", "0", "an integer from 1 to 1000"),
    ("world", "grid_size", "1001", "an integer from 1 to 1000"),
    ("world", "grids", "[]", "a non-empty list of distinct names"),
    ("world", "grids", '["a", "a"]', "a non-empty list of distinct names"),
    ("world", "grids", '["no spaces"]', "a non-empty list of distinct names"),
    ("logging", "level", '"LOUD"', "one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("auth", "pbkdf2_iterations", "0", "an integer >= 1"),
    ("auth", "hash_concurrency", "65", "an integer from 1 to 64"),
    ("auth", "hash_concurrency", "0", "an integer from 1 to 64"),
    ("auth", "username_min_length", "0", "an integer >= 1"),
    ("network", "max_message_bytes", "1023", "an integer >= 1024"),
    ("network", "allow_insecure_ws", '"yes"', "true or false"),
    ("network", "ping_timeout_s", "0", "a number of seconds > 0"),
    ("network", "ping_interval_s", "-1", "a number of seconds >= 0"),
    ("radio", "allow_private_networks", "1", "true or false"),
    ("radio", "fetch_timeout_s", '"8"', "a number of seconds > 0"),
    ("storage", "data_dir", '""', "a directory path"),
    ("storage", "database_url", '"mongodb://x/db"', "postgresql"),
    ("storage", "database_url", '"sqlite://"', "with a database name"),
]


@pytest.mark.parametrize("section,key,literal,accepted", BAD_VALUES)
def test_bad_file_value_names_key_value_and_accepted(tmp_path, section, key, literal, accepted):
    config = write(tmp_path / "chgrid.toml", f"[{section}]\n{key} = {literal}\n")
    message = config_error(config, {}, {})
    assert message.startswith(f"Invalid value for '{section}.{key}' in {config}: ")
    assert accepted in message


def test_bad_flag_value_names_the_flag():
    message = config_error(None, {}, {"world": {"grid_size": 5000}})
    assert "'world.grid_size' from --grid-size: 5000" in message
    assert "an integer from 1 to 1000" in message


def test_max_length_below_min_length(tmp_path):
    config = write(tmp_path / "c.toml", "[auth]\npassword_min_length = 40\n")
    message = config_error(config, {}, {})
    assert "'auth.password_max_length' (default): 32" in message
    assert "auth.password_min_length, which is 40 in" in message


def test_every_problem_is_reported_at_once(tmp_path):
    config = write(tmp_path / "c.toml", "[server]\nprot = 1\nport = -1\n[world]\ngrid_size = 0\n")
    message = config_error(config, {"CHGRID_AUTH_PBKDF2_ITERATIONS": "x"}, {})
    assert "server.prot" in message and "'server.port'" in message
    assert "'world.grid_size'" in message and "CHGRID_AUTH_PBKDF2_ITERATIONS" in message
    assert len(message.splitlines()) == 4


def test_unknown_key_suggests_the_closest(tmp_path):
    config = write(tmp_path / "chgrid.toml", "[server]\nprot = 8000\n")
    assert config_error(config, {}, {}) == (
        f"Unknown config key 'server.prot' in {config} (did you mean 'server.port'?)")


def test_key_in_the_wrong_section_points_to_the_right_one(tmp_path):
    config = write(tmp_path / "c.toml", "[server]\ndata_dir = 'x'\n")
    assert "did you mean 'storage.data_dir'?" in config_error(config, {}, {})


def test_reference_key_names_explain_the_chgrid_name(tmp_path):
    config = write(tmp_path / "c.toml", "[server]\nbind_ip = '0.0.0.0'\n[auth]\nsecret = 'x'\n")
    message = config_error(config, {}, {})
    assert "'server.bind_ip'" in message and "server.host" in message
    assert "'auth.secret'" in message and "CHGRID_AUTH_SECRET" in message


def test_unknown_section(tmp_path):
    config = write(tmp_path / "c.toml", "[srever]\nport = 1\n")
    message = config_error(config, {}, {})
    assert "Unknown config section '[srever]'" in message and "did you mean 'server'?" in message
    assert "accepted sections: server, storage, cluster, web, tls, network, logging, world, auth, radio" in message


def test_key_outside_any_section(tmp_path):
    config = write(tmp_path / "c.toml", "port = 1\n")
    assert "'port'" in config_error(config, {}, {}) and "did you mean 'server.port'?" in config_error(config, {}, {})


def test_section_that_is_not_a_table(tmp_path):
    config = write(tmp_path / "c.toml", "server = 5\n")
    assert "must be a [server] table" in config_error(config, {}, {})


def test_bad_toml_syntax_is_a_clear_message(tmp_path):
    config = write(tmp_path / "c.toml", "[server]\nport = = 3\n")
    message = config_error(config, {}, {})
    assert message.startswith(f"Config file {config} is not valid TOML:") and "line 2" in message


def test_missing_config_file_is_an_error(tmp_path):
    missing = str(tmp_path / "nope.toml")
    assert config_error(missing, {}, {}) == f"Config file not found: {missing}"


def test_unknown_override_is_refused():
    assert "did you mean 'server.port'" in config_error(None, {}, {"server": {"prot": 1}})


# --------------------------------------------------------------------------- normalisation


def test_relative_paths_in_the_file_resolve_against_its_folder(tmp_path, monkeypatch):
    folder = tmp_path / "etc"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    config = write(folder / "c.toml", "[storage]\ndata_dir = 'data'\ndatabase_url = 'sqlite:///db/x.db?timeout=5'\n"
                                      "[web]\nroot = 'client'\n")
    settings = load_settings(config, {}, {})
    assert settings.storage.data_dir == str(folder / "data")
    assert settings.storage.database_url == f"sqlite:///{folder}/db/x.db?timeout=5"
    assert settings.web.root == str(folder / "client")
    # From the environment or a flag, relative paths mean the working directory.
    settings = load_settings(config, {"CHGRID_STORAGE_DATA_DIR": "d2"}, {"web": {"root": "c2"}})
    assert settings.storage.data_dir == str(tmp_path / "d2")
    assert settings.web.root == str(tmp_path / "c2")


def test_database_url_kept_when_absolute_or_remote():
    for url in ("sqlite:////srv/x.db", "sqlite:///:memory:", "postgresql://u:p@db.example/chgrid"):
        assert load_settings(None, {"CHGRID_STORAGE_DATABASE_URL": url}, {}).storage.database_url == url


# --------------------------------------------------------------------------- cluster keys


def test_cluster_keys_default_to_a_single_node():
    settings = load_settings(None, {}, {})
    assert settings.cluster.redis_url == "" and settings.cluster.lease_s == 5.0
    assert settings.server.reuse_port is False


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "redis://:pw@redis.internal/3",
                                 "rediss://chgrid:pw@redis.example:6380", "redis://[::1]:6379"])
def test_redis_urls_from_each_layer(tmp_path, url):
    config = write(tmp_path / "c.toml", f"[cluster]\nredis_url = '{url}'\nlease_s = 2\n")
    assert load_settings(config, {}, {}).cluster.redis_url == url
    assert load_settings(config, {}, {}).cluster.lease_s == 2.0
    assert load_settings(None, {"CHGRID_CLUSTER_REDIS_URL": url}, {}).cluster.redis_url == url
    assert load_settings(None, {}, {"cluster": {"redis_url": url}}).cluster.redis_url == url


@pytest.mark.parametrize("url", ["http://redis.example", "redis://", "redis:///0", "redis://h:port/0",
                                 "redis://h/zero", "unix:///run/redis.sock"])
def test_bad_redis_url_is_refused(url):
    message = config_error(None, {}, {"cluster": {"redis_url": url}})
    assert message.startswith("Invalid value for 'cluster.redis_url' from --redis-url")
    assert "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]" in message


def test_a_refused_url_never_shows_its_password():
    message = config_error(None, {"CHGRID_CLUSTER_REDIS_URL": "redis://chgrid:s3cret@host:xx/0",
                                  "CHGRID_STORAGE_DATABASE_URL": "nosuchdb://u:hunter2@db/x"}, {})
    assert "s3cret" not in message and "hunter2" not in message
    assert "'redis://chgrid:PASSWORD@host:xx/0'" in message
    assert "'nosuchdb://u:PASSWORD@db/x'" in message


@pytest.mark.parametrize("value,ok", [(1, True), (60, True), (0.5, False), (61, False), (5.5, True)])
def test_lease_time_is_one_to_sixty_seconds(value, ok):
    if ok:
        assert load_settings(None, {}, {"cluster": {"lease_s": value}}).cluster.lease_s == value
    else:
        assert "(accepted: a number of seconds from 1 to 60)" in config_error(
            None, {}, {"cluster": {"lease_s": value}})


def test_reuse_port_needs_a_fixed_port():
    assert load_settings(None, {}, {"server": {"reuse_port": True, "port": 9000}}).server.reuse_port is True
    message = config_error(None, {"CHGRID_SERVER_PORT": "0"}, {"server": {"reuse_port": True}})
    assert message == ("Invalid value for 'server.reuse_port' from --reuse-port: true (accepted: false while "
                       "server.port is 0 from CHGRID_SERVER_PORT; nodes sharing a port need a fixed port)")


def test_missing_drivers_are_named_with_their_extra(monkeypatch):
    import importlib.util

    from chgrid.config import missing_extras

    settings = load_settings(None, {}, {"storage": {"database_url": "postgresql://u:p@db/chgrid"},
                                        "cluster": {"redis_url": "redis://127.0.0.1/0"}})
    missing_extras(settings)  # both installed in the test environment
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("redis", "psycopg2") else real(name, *a))
    with pytest.raises(ConfigError) as info:
        missing_extras(settings)
    lines = str(info.value).splitlines()
    assert len(lines) == 2
    assert "PostgreSQL storage.database_url needs the Python package psycopg2" in lines[0]
    assert "pip install '.[postgres]'" in lines[0]
    assert "cluster.redis_url needs the Python package redis" in lines[1] and "'.[cluster]'" in lines[1]
    missing_extras(load_settings(None, {}, {}))  # SQLite and no Redis need neither


def test_host_brackets_and_log_level_case():
    settings = load_settings(None, {}, {"server": {"host": "[::1]"}, "logging": {"level": "warning"}})
    assert settings.server.host == "::1" and settings.logging.level == "WARNING"


def test_port_zero_means_any_free_port():
    assert load_settings(None, {"CHGRID_SERVER_PORT": "0"}, {}).server.port == 0


# --------------------------------------------------------------------------- transport


def settings_with(**sections) -> Settings:
    return load_settings(None, {}, sections)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.8.7", "::1", "[::1]", "localhost", "LOCALHOST",
                                  "::ffff:127.0.0.1"])
def test_plain_ws_is_fine_on_loopback(host):
    assert is_loopback_host(host)
    check_transport(settings_with(server={"host": host}))


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.org", "localhost.example"])
def test_plain_ws_elsewhere_needs_tls_or_the_flag(host):
    assert not is_loopback_host(host)
    with pytest.raises(ConfigError) as info:
        check_transport(settings_with(server={"host": host}))
    message = str(info.value)
    assert f"plain ws:// on {host}" in message
    assert "--ssl-cert/--ssl-key" in message and "--allow-insecure-ws" in message
    check_transport(settings_with(server={"host": host}, network={"allow_insecure_ws": True}))


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory):
    return self_signed_cert(tmp_path_factory.mktemp("tls"))


def test_tls_allows_any_address(tls_pair):
    cert, key = tls_pair
    check_transport(settings_with(server={"host": "0.0.0.0"}, tls={"cert_file": cert, "key_file": key}))


def test_tls_needs_both_files(tls_pair):
    cert, key = tls_pair
    with pytest.raises(ConfigError, match=r"tls.cert_file \(--ssl-cert\) is set but tls.key_file"):
        check_transport(settings_with(tls={"cert_file": cert}))
    with pytest.raises(ConfigError, match=r"tls.key_file \(--ssl-key\) is set but tls.cert_file"):
        check_transport(settings_with(tls={"key_file": key}))


def test_tls_files_must_exist_and_load(tls_pair, tmp_path):
    cert, key = tls_pair
    with pytest.raises(ConfigError, match="TLS certificate file .* not found"):
        check_transport(settings_with(tls={"cert_file": str(tmp_path / "none.pem"), "key_file": key}))
    garbage = write(tmp_path / "bad.pem", "not a key\n")
    with pytest.raises(ConfigError, match="Cannot load the TLS certificate"):
        check_transport(settings_with(tls={"cert_file": cert, "key_file": garbage}))


def test_passphrase_protected_key_is_refused(tmp_path, tls_pair):
    from cryptography.hazmat.primitives import serialization

    cert, key = tls_pair
    private = serialization.load_pem_private_key(Path(key).read_bytes(), password=None)
    locked = tmp_path / "locked.pem"
    locked.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.BestAvailableEncryption(b"pw")))
    with pytest.raises(ConfigError, match="passphrase-protected"):
        check_transport(settings_with(tls={"cert_file": cert, "key_file": str(locked)}))


# --------------------------------------------------------------------------- secret


def secret_settings(tmp_path) -> Settings:
    return settings_with(storage={"data_dir": str(tmp_path / "data")})


def test_secret_generated_once_with_mode_0600(tmp_path, caplog):
    settings = secret_settings(tmp_path)
    logger = logging.getLogger("test.secret")
    with caplog.at_level(logging.DEBUG, logger="test.secret"):
        first = load_or_create_secret(settings, {}, logger)
        second = load_or_create_secret(settings, {}, logger)
    path = tmp_path / "data" / "auth_secret"
    assert first == second and len(first) >= 80  # 64 bytes, URL-safe base64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == first
    generated = [r for r in caplog.records if "Generated a new auth secret" in r.getMessage()]
    assert len(generated) == 1 and generated[0].levelno == logging.INFO
    assert str(path) in generated[0].getMessage()
    assert all(first not in r.getMessage() for r in caplog.records)
    assert not [p for p in path.parent.iterdir() if p.name != "auth_secret"]  # no temp files left


def test_concurrent_first_starts_agree_on_one_secret(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    settings = secret_settings(tmp_path)
    with ThreadPoolExecutor(8) as pool:
        values = set(pool.map(lambda _: load_or_create_secret(settings, {}, logging.getLogger("t")), range(16)))
    assert len(values) == 1
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["auth_secret"]


def test_env_secret_wins_and_writes_nothing(tmp_path, caplog):
    settings = secret_settings(tmp_path)
    with caplog.at_level(logging.DEBUG):
        value = load_or_create_secret(settings, {"CHGRID_AUTH_SECRET": "  s3cret-value  "}, logging.getLogger("t"))
    assert value == "s3cret-value"
    assert not (tmp_path / "data" / "auth_secret").exists()
    assert all("s3cret-value" not in r.getMessage() for r in caplog.records)


def test_blank_env_secret_falls_back_to_the_file(tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        value = load_or_create_secret(secret_settings(tmp_path), {"CHGRID_AUTH_SECRET": " "}, logging.getLogger("t"))
    assert value == (tmp_path / "data" / "auth_secret").read_text().strip()
    assert any("blank" in r.getMessage() for r in caplog.records)


def test_loose_secret_file_is_tightened_and_reused(tmp_path, caplog):
    path = tmp_path / "data" / "auth_secret"
    path.parent.mkdir()
    path.write_text("kept-secret\n")
    os.chmod(path, 0o644)
    with caplog.at_level(logging.INFO):
        assert load_or_create_secret(secret_settings(tmp_path), {}, logging.getLogger("t")) == "kept-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not any("Generated" in r.getMessage() for r in caplog.records)
    assert all("kept-secret" not in r.getMessage() for r in caplog.records)


def test_empty_secret_file_is_an_error(tmp_path):
    path = tmp_path / "data" / "auth_secret"
    path.parent.mkdir()
    path.write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        load_or_create_secret(secret_settings(tmp_path), {}, logging.getLogger("t"))


# --------------------------------------------------------------------------- web root and version

REFERENCE_VERSION_JS = 'window.CHGRID_WEB_VERSION = "2026.02.28 R317";\n'


@pytest.mark.parametrize("text,expected", [
    (REFERENCE_VERSION_JS, "2026.02.28 R317"),
    ("export const CHGRID_WEB_VERSION = '1.2.3';\n", "1.2.3"),
    ("const CHGRID_WEB_VERSION = \"abc\"\n", "abc"),
    ('// window.CHGRID_WEB_VERSION = "old";\nwindow.CHGRID_WEB_VERSION = "new";\n', "new"),
    ('/* CHGRID_WEB_VERSION = "old" */ globalThis.CHGRID_WEB_VERSION = "g";\n', "g"),
    ('window.OTHER_VERSION = "x";\n', "unknown"),
    ('window.CHGRID_WEB_VERSION = "";\n', "unknown"),
])
def test_version_of_another_web_root(tmp_path, text, expected):
    write(tmp_path / "version.js", text)
    assert resolve_client_version(tmp_path, "0.1.0", False, {}) == expected


def test_version_without_version_js_is_unknown(tmp_path):
    assert resolve_client_version(tmp_path, "0.1.0", False, {}) == "unknown"


def test_bundled_client_reports_the_package_version(tmp_path):
    write(tmp_path / "version.js", REFERENCE_VERSION_JS)
    assert resolve_client_version(tmp_path, chgrid.__version__, True, {}) == chgrid.__version__


def test_server_version_env_overrides_everything(tmp_path):
    write(tmp_path / "version.js", REFERENCE_VERSION_JS)
    env = {"CHGRID_SERVER_VERSION": " 9.9 "}
    assert server_version_override(env) == "9.9"
    assert resolve_client_version(tmp_path, "0.1.0", False, env) == "9.9"
    assert resolve_client_version(tmp_path, "0.1.0", True, env) == "9.9"
    assert server_version_override({"CHGRID_SERVER_VERSION": "  "}) is None
    assert resolve_client_version(tmp_path, "0.1.0", False, {"CHGRID_SERVER_VERSION": ""}) == "2026.02.28 R317"


def test_web_root_bundled_and_custom(tmp_path):
    bundled = resolve_web_root(settings_with())
    assert bundled == bundled_web_root() and (bundled / "index.html").is_file()
    assert resolve_web_root(settings_with(web={"root": str(tmp_path)})) == tmp_path
    with pytest.raises(ConfigError, match="not a directory"):
        resolve_web_root(settings_with(web={"root": str(tmp_path / "missing")}))


def test_configure_logging_sets_the_root_level():
    root, access = logging.getLogger(), logging.getLogger("tornado.access")
    saved_level, saved_handlers, saved_access = root.level, list(root.handlers), access.level
    try:
        configure_logging("debug")
        assert root.level == logging.DEBUG and access.level == logging.DEBUG
        configure_logging("INFO")
        assert access.level == logging.WARNING  # successful requests only at DEBUG
        configure_logging("ERROR")
        assert root.level == logging.ERROR
        with pytest.raises(ConfigError):
            configure_logging("LOUD")
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        access.setLevel(saved_access)


# --------------------------------------------------------------------------- docs and schemas


def test_every_key_is_declared_once_with_default_rule_and_accepted_text():
    import dataclasses

    from chgrid.config import COMMAND_LINE_FLAGS, DECLARATIONS, SECTION_SCHEMAS
    from chgrid.settings import SECTIONS

    defaults = Settings()
    for section, cls in SECTIONS.items():
        names = [f.name for f in dataclasses.fields(cls)]
        # The schema is built from the declaration, so it has exactly the dataclass's keys.
        assert list(SECTION_SCHEMAS[section]().fields) == names == list(DECLARATIONS[section]), section
        values = dataclasses.asdict(getattr(defaults, section))
        assert SECTION_SCHEMAS[section]().load(values) == values, section  # defaults pass their rules
        for key, declared in DECLARATIONS[section].items():
            assert declared.rule.accepted(), f"{section}.{key} has no accepted text"
            assert declared.default == values[key]
            assert isinstance(declared.default, typing.get_origin(declared.rule.python_type)
                              or declared.rule.python_type), f"{section}.{key}"
    assert COMMAND_LINE_FLAGS[("server", "port")] == "--port"
    assert COMMAND_LINE_FLAGS[("network", "allow_insecure_ws")] == "--allow-insecure-ws"


def _env_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def test_every_default_survives_the_environment_unchanged():
    from chgrid.config import DECLARATIONS

    env = {env_name(s, k): _env_text(d.default) for s, keys in DECLARATIONS.items() for k, d in keys.items()}
    env = {name: text for name, text in env.items() if text != ""}  # blank means unset
    assert load_settings(None, env, {}) == load_settings(None, {}, {})


def test_a_key_whose_annotation_disagrees_with_its_rule_is_refused():
    from chgrid.config_schema import Integer, Switch, section, setting

    with pytest.raises(TypeError, match="annotated"):
        @section
        class Wrong:
            port: str = setting(1, Integer(0))

    with pytest.raises(TypeError, match="not declared with setting"):
        @section
        class Undeclared:
            flag: bool = False

    @section
    class Right:
        on: bool = setting(True, Switch())

    assert Right().on is True


def test_commit_wait_defaults_to_half_a_second():
    # A locked database must never hold the room up for seconds (issue 14).
    assert Settings().storage.commit_wait_s == 0.5


def _doc_default(value) -> str:
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, list):
        return "`[" + ", ".join(f'"{v}"' for v in value) + "]`"
    return f"`{value}`"


def test_running_docs_table_matches_the_declaration():
    from chgrid.config import COMMAND_LINE_FLAGS, DECLARATIONS

    rows = {}
    for line in (ROOT / "docs" / "running.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if len(cells) == 6 and cells[0].startswith("`") and "." in cells[0]:
            rows[cells[0].strip("`")] = cells
    for section, keys in DECLARATIONS.items():
        for key, declared in keys.items():
            full = f"{section}.{key}"
            assert full in rows, full
            _, kind, default, env, flag, _meaning = rows[full]
            assert kind == declared.rule.doc_type, full
            assert default == _doc_default(declared.default), full
            assert env.startswith(f"`{env_name(section, key)}`"), full
            assert flag == (f"`{COMMAND_LINE_FLAGS[(section, key)]}`" if (section, key) in COMMAND_LINE_FLAGS
                            else ""), full


def test_running_docs_list_every_key_and_variable():
    text = (ROOT / "docs" / "running.md").read_text(encoding="utf-8")
    for full in all_keys():
        section, key = full.split(".")
        assert f"`{full}`" in text, full
        assert f"`{env_name(section, key)}`" in text, env_name(section, key)
