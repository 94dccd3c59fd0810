"""Loading chgrid settings: four layers merged, validated, with clear messages.

Settings come in four layers, later ones winning: the defaults declared in
``chgrid.settings`` < a TOML file (``[section]`` tables) < the environment
(``CHGRID_<SECTION>_<KEY>``) < command-line flags (``overrides``). The merged result is
validated with the schema derived from each section's declaration; every problem becomes
a ``ConfigError`` whose message names the key as ``section.key``, where the value came
from, the value and what is accepted, so the CLI can print it instead of a traceback.

Nothing here knows an individual key except the few cross-key rules in ``_validate`` and
the path normalisation: the keys, types, defaults, ranges, accepted texts and flags all
come from the declaration (``chgrid.config_schema.declared``). What the server checks and
prepares after loading (TLS, data dir, secret, client) lives in ``chgrid.preflight``;
:func:`missing_extras` says which optional driver a setting needs and lacks.
"""
from __future__ import annotations

import copy
import difflib
import logging
import os
import re
import tomllib
import typing
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from marshmallow import ValidationError

from chgrid.config_schema import Declared, declared, section_schema
from chgrid.settings import SECTIONS, Settings

logger = logging.getLogger("chgrid.config")

ENV_PREFIX = "CHGRID_"
SECRET_ENV = "CHGRID_AUTH_SECRET"
SERVER_VERSION_ENV = "CHGRID_SERVER_VERSION"
# CHGRID_* variables that are read directly and are not settings, so never "unknown".
SPECIAL_ENV = frozenset({SECRET_ENV, SERVER_VERSION_ENV})
DATABASE_FILE_NAME = "chgrid.db"

# Everything below is derived from chgrid.settings; nothing repeats a key's shape.
DECLARATIONS: dict[str, dict[str, Declared]] = {name: declared(cls) for name, cls in SECTIONS.items()}
SECTION_SCHEMAS = {name: section_schema(cls) for name, cls in SECTIONS.items()}
# Which flag of `chgrid serve` sets which key, so messages can name where a value came from.
COMMAND_LINE_FLAGS: dict[tuple[str, str], str] = {
    (section, key): d.flag.name for section, keys in DECLARATIONS.items() for key, d in keys.items() if d.flag}

# Filesystem paths: relative values from the config file resolve against the file's
# folder (as the reference does), others against the working directory, so the server
# can rely on absolute paths.
PATH_KEYS = frozenset({("storage", "data_dir"), ("web", "root"), ("tls", "cert_file"), ("tls", "key_file")})
# Keys whose relative paths need a base folder: the paths above and SQLite database URLs.
_BASED_KEYS = PATH_KEYS | {("storage", "database_url")}

# Keys of the reference server's config that mean something else here; a plain
# "unknown key" would leave someone migrating a config guessing.
_REFERENCE_KEYS = {
    "server.bind_ip": "chgrid calls it 'server.host'",
    "auth.db_file": "chgrid uses 'storage.database_url' (default: SQLite in 'storage.data_dir')",
    "storage.state_file": "chgrid keeps items in the database, not in a state file",
    "storage.state_save_debounce_ms": "chgrid saves items transactionally, without a debounce",
    "storage.state_save_max_delay_ms": "chgrid saves items transactionally, without a debounce",
    "auth.secret": "the auth secret is never read from the config file; set CHGRID_AUTH_SECRET"
    " or let chgrid generate '<data_dir>/auth_secret'",
}
# Top-level names someone might try for the secret; answered with where it really comes from.
_SECRET_NAMES = frozenset({"auth_secret", "secret"})


class ConfigError(Exception):
    """A configuration problem: one clear message (possibly several lines), exit status 2."""


# --------------------------------------------------------------------------- names and hints

def all_keys() -> list[str]:
    """Every settable key as ``section.key``, in declaration order (used by docs tests)."""
    return [f"{s}.{k}" for s, keys in DECLARATIONS.items() for k in keys]


def env_name(section: str, key: str) -> str:
    return f"{ENV_PREFIX}{section}_{key}".upper()


def accepted_values(section: str, key: str) -> str:
    """What ``section.key`` accepts, in words."""
    return DECLARATIONS[section][key].rule.accepted()


def hide_password(url: str) -> str:
    """``url`` with the password of its ``user:password@`` part replaced by ``PASSWORD``.

    A regular expression rather than a URL parser: it must also work on the malformed
    URLs that error messages quote. Everything up to the last ``@`` counts as the password,
    so a stray ``@`` hides too much rather than too little.
    """
    return _URL_PASSWORD.sub(r"\1:PASSWORD@", url)


_URL_PASSWORD = re.compile(r"(://[^/@:]*):[^@]*@")
# Keys holding URLs whose password must never be printed or logged.
URL_KEYS = frozenset({("storage", "database_url"), ("cluster", "redis_url")})


def _show(value: typing.Any) -> str:
    """A value the way the operator would write it in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _closest(word: str, candidates: typing.Iterable[str]) -> str | None:
    match = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return match[0] if match else None


def _suggest(word: str, candidates: typing.Iterable[str]) -> str:
    match = _closest(word, candidates)
    return f" (did you mean '{match}'?)" if match else ""


def _sections_with(key: str) -> list[str]:
    return [f"{s}.{key}" for s, keys in DECLARATIONS.items() if key in keys]


def _unknown_key_hint(section: str, key: str) -> str:
    full = f"{section}.{key}"
    if full in _REFERENCE_KEYS:
        return f" ({_REFERENCE_KEYS[full]})"
    # A typo within the section is likelier than the right key in the wrong section.
    same = _closest(key, DECLARATIONS[section])
    if same:
        return f" (did you mean '{section}.{same}'?)"
    elsewhere = _sections_with(key)
    if elsewhere:
        return f" (did you mean '{elsewhere[0]}'?)"
    return _suggest(full, all_keys())


# --------------------------------------------------------------------------- layers

class _Layers:
    """The merged raw values plus where each one came from, for error messages."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, typing.Any]] = {
            s: {k: copy.deepcopy(d.default) for k, d in keys.items()} for s, keys in DECLARATIONS.items()}
        self.sources: dict[tuple[str, str], str] = {}
        self.bases: dict[tuple[str, str], Path] = {}  # config-file folder for relative paths; else cwd
        self.errors: list[str] = []
        self.failed: set[tuple[str, str]] = set()  # keys already reported, to report each once
        self.env_text: dict[tuple[str, str], str] = {}  # as typed, so messages quote what was set

    def set(self, section: str, key: str, value: typing.Any, source: str, base: Path | None = None,
            env_text: str | None = None) -> None:
        self.values[section][key] = value
        if env_text is None:
            self.env_text.pop((section, key), None)
        else:
            self.env_text[(section, key)] = env_text
        self.sources[(section, key)] = source
        if base is None:
            self.bases.pop((section, key), None)
        else:
            self.bases[(section, key)] = base

    def source(self, section: str, key: str) -> str:
        return self.sources.get((section, key), "(default)")

    def bad_value(self, section: str, key: str, value: typing.Any, source: str | None = None,
                  detail: str | None = None) -> None:
        where = source or self.source(section, key)
        self.failed.add((section, key))
        if source is None and (section, key) in self.env_text:
            value = self.env_text[(section, key)]
        accepted = detail or f"accepted: {accepted_values(section, key)}"
        if (section, key) in URL_KEYS and isinstance(value, str):
            value = hide_password(value)
        self.errors.append(f"Invalid value for '{section}.{key}' {where}: {_show(value)} ({accepted})")

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ConfigError("\n".join(self.errors))


def _read_toml(path_text: str) -> dict[str, typing.Any]:
    try:
        with open(Path(path_text).expanduser(), "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"Config file not found: {path_text}") from None
    except IsADirectoryError:
        raise ConfigError(f"Config file {path_text} is a directory, not a TOML file") from None
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path_text}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path_text} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"Config file {path_text} is not valid TOML: it is not UTF-8 text") from None


def _apply_file(layers: _Layers, path_text: str) -> None:
    data = _read_toml(path_text)
    where = f"in {path_text}"
    base = Path(path_text).expanduser().resolve().parent
    for name, body in data.items():
        if name not in DECLARATIONS:
            if isinstance(body, dict):
                layers.errors.append(f"Unknown config section '[{name}]' {where}{_suggest(name, DECLARATIONS)}"
                                     f" (accepted sections: {', '.join(DECLARATIONS)})")
            elif name in _SECRET_NAMES:
                layers.errors.append(f"Config key '{name}' {where} is not allowed ({_REFERENCE_KEYS['auth.secret']})")
            else:
                guess = _sections_with(name)
                hint = f" (did you mean '{guess[0]}'?)" if guess else _suggest(name, all_keys())
                layers.errors.append(f"Config key '{name}' {where} is outside any [section]{hint}")
            continue
        if not isinstance(body, dict):
            layers.errors.append(f"Config entry '{name}' {where} must be a [{name}] table, not {_show(body)}")
            continue
        for key, value in body.items():
            if key not in DECLARATIONS[name]:
                layers.errors.append(f"Unknown config key '{name}.{key}' {where}{_unknown_key_hint(name, key)}")
                continue
            layers.set(name, key, value, where, base if (name, key) in _BASED_KEYS else None)


def _apply_env(layers: _Layers, environ: Mapping[str, str]) -> None:
    targets = {env_name(s, k): (s, k) for s, keys in DECLARATIONS.items() for k in keys}
    section_prefixes = tuple(f"{ENV_PREFIX}{s.upper()}_" for s in DECLARATIONS)
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or name in SPECIAL_ENV:
            continue
        target = targets.get(name)
        if target is None:
            # Only names shaped like a setting are worth a warning; other CHGRID_* variables
            # may belong to tooling around the server.
            if name.startswith(section_prefixes):
                logger.warning("Ignoring unknown setting variable %s%s", name, _suggest(name, targets))
            continue
        section, key = target
        raw = environ[name]
        if raw.strip() == "":
            continue  # a blank variable counts as unset, as shells make those easily
        rule = DECLARATIONS[section][key].rule
        try:
            value = rule.from_env(raw)
        except ValueError:
            # Booleans are spelt differently in the environment, so say so in the message.
            detail = f"accepted: {rule.env_accepted}" if rule.env_accepted else None
            layers.bad_value(section, key, raw, f"from {name}", detail)
            continue
        layers.set(section, key, value, f"from {name}", env_text=raw)


def _apply_overrides(layers: _Layers, overrides: Mapping[str, Mapping[str, typing.Any]]) -> None:
    for section, keys in overrides.items():
        if section not in DECLARATIONS:
            raise ConfigError(f"Unknown settings section '{section}'{_suggest(section, DECLARATIONS)}")
        for key, value in keys.items():
            if key not in DECLARATIONS[section]:
                raise ConfigError(f"Unknown setting '{section}.{key}'{_unknown_key_hint(section, key)}")
            if value is None:
                continue
            flag = COMMAND_LINE_FLAGS.get((section, key))
            layers.set(section, key, value, f"from {flag}" if flag else "from the command line")


# --------------------------------------------------------------------------- validation

def _validate(layers: _Layers) -> Settings:
    loaded: dict[str, dict[str, typing.Any]] = {}
    for section, schema_cls in SECTION_SCHEMAS.items():
        raw = layers.values[section]
        try:
            loaded[section] = schema_cls().load(raw)
        except ValidationError as exc:
            messages = exc.messages if isinstance(exc.messages, dict) else {"": exc.messages}
            for key in sorted(messages):
                if (section, key) in layers.failed:
                    continue
                if key in raw:
                    layers.bad_value(section, key, raw[key])
                else:
                    layers.errors.append(f"Invalid settings for '[{section}]': {messages[key]}")
    layers.raise_if_errors()

    auth = loaded["auth"]
    for what in ("username", "password"):
        low, high = auth[f"{what}_min_length"], auth[f"{what}_max_length"]
        if high < low:
            layers.bad_value("auth", f"{what}_max_length", high,
                             detail=f"accepted: an integer >= auth.{what}_min_length, which is {low}"
                                    f" {layers.source('auth', what + '_min_length')}")
    server = loaded["server"]
    if server["reuse_port"] and server["port"] == 0:
        # Each node would get a different free port, so nothing would be shared.
        layers.bad_value("server", "reuse_port", True,
                         detail=f"accepted: false while server.port is 0 {layers.source('server', 'port')}; "
                                "nodes sharing a port need a fixed port")
    layers.raise_if_errors()

    _normalise(loaded, layers)
    return Settings(**{s: cls(**loaded[s]) for s, cls in SECTIONS.items()})


def _normalise(loaded: dict[str, dict[str, typing.Any]], layers: _Layers) -> None:
    host = loaded["server"]["host"]
    if host.startswith("[") and host.endswith("]"):
        loaded["server"]["host"] = host[1:-1]  # "[::1]" is how people write IPv6 in URLs
    loaded["logging"]["level"] = loaded["logging"]["level"].upper()
    for section, key in PATH_KEYS:
        value = loaded[section][key]
        if value:
            path = Path(value).expanduser()
            if not path.is_absolute():
                path = layers.bases.get((section, key), Path.cwd()) / path
            loaded[section][key] = os.path.normpath(path)
    storage = loaded["storage"]
    url = storage["database_url"]
    if not url:
        storage["database_url"] = "sqlite:///" + str(Path(storage["data_dir"]) / DATABASE_FILE_NAME)
    else:
        parts = urlsplit(url)
        db_path = parts.path[1:]
        if parts.scheme.startswith("sqlite") and db_path != ":memory:" and not os.path.isabs(db_path):
            # Pin relative SQLite paths now, against the folder of the layer that set them.
            base = layers.bases.get(("storage", "database_url"), Path.cwd())
            pinned = f"{parts.scheme}://{parts.netloc}/{os.path.normpath(base / db_path)}"
            pinned += f"?{parts.query}" if parts.query else ""
            storage["database_url"] = pinned + (f"#{parts.fragment}" if parts.fragment else "")


# Optional drivers: (whether the settings need it, module, who needs it, extra, requirement).
_EXTRAS = (
    (lambda s: urlsplit(s.storage.database_url).scheme.lower().startswith("postgres"),
     "psycopg2", "a PostgreSQL storage.database_url", "postgres", "psycopg2-binary>=2.9"),
    (lambda s: bool(s.cluster.redis_url), "redis", "cluster.redis_url", "cluster", "redis>=5"),
)


def missing_extras(settings: Settings) -> None:
    """Raise ``ConfigError`` when the settings need a driver that is not installed, so the
    operator reads which extra to install instead of a driver error at first use."""
    import importlib.util

    problems = [f"{what} needs the Python package {module}, which is not installed: install the "
                f"'{extra}' extra (pip install '.[{extra}]' in the chgrid folder) or pip install '{requirement}'"
                for needed, module, what, extra, requirement in _EXTRAS
                if needed(settings) and importlib.util.find_spec(module) is None]
    if problems:
        raise ConfigError("\n".join(problems))


def load_settings(config_path: str | None, environ: Mapping[str, str],
                  overrides: Mapping[str, Mapping[str, typing.Any]] | None = None) -> Settings:
    """Merge defaults < TOML file < ``CHGRID_<SECTION>_<KEY>`` < overrides; validate; return.

    ``overrides`` is ``{section: {key: value}}`` from command-line flags; ``None`` values
    mean "flag not given". Relative paths are made absolute. ``storage.database_url`` is
    filled in (SQLite in the data dir) when empty. ``auth_secret`` is left empty: see
    ``chgrid.preflight.load_or_create_secret``. Raises ``ConfigError`` naming every bad key.
    """
    layers = _Layers()
    if config_path is not None:
        _apply_file(layers, config_path)
    _apply_env(layers, environ)
    _apply_overrides(layers, overrides or {})
    # No early exit: validation adds its findings, so one run reports every problem.
    return _validate(layers)

