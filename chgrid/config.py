"""Loading chgrid settings, checking the transport, and the server's identity on disk.

Settings come in four layers, later ones winning: the dataclass defaults in
``chgrid.settings`` < a TOML file (``[section]`` tables, keys = dataclass fields) < the
environment (``CHGRID_<SECTION>_<KEY>``) < command-line flags (``overrides``). The merged
result is validated with one marshmallow schema per section; every problem becomes a
``ConfigError`` whose message names the key as ``section.key``, where the value came
from, the value and what is accepted, so the CLI can print it instead of a traceback.

This module also owns the auth secret (``CHGRID_AUTH_SECRET`` or a generated file in the
data dir), the loopback/TLS rule for plain ``ws://``, where the static client lives, and
which version string the server reports (world.md section 12).
"""
from __future__ import annotations

import copy
import dataclasses
import difflib
import importlib.util
import ipaddress
import logging
import os
import re
import secrets
import ssl
import stat
import sys
import tomllib
import typing
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from marshmallow import ValidationError

from chgrid.config_schema import LOG_LEVELS, SECTION_SCHEMAS, accepted_values
from chgrid.settings import Settings

logger = logging.getLogger("chgrid.config")

ENV_PREFIX = "CHGRID_"
SECRET_ENV = "CHGRID_AUTH_SECRET"
SERVER_VERSION_ENV = "CHGRID_SERVER_VERSION"
# CHGRID_* variables that are read directly and are not settings, so never "unknown".
SPECIAL_ENV = frozenset({SECRET_ENV, SERVER_VERSION_ENV})
SECRET_FILE_NAME = "auth_secret"
DATABASE_FILE_NAME = "chgrid.db"

# Which flag of `chgrid serve` sets which key; the CLI builds its options from this
# table so error messages and docs can name the flag a value came from.
COMMAND_LINE_FLAGS: dict[tuple[str, str], str] = {
    ("server", "host"): "--host",
    ("server", "port"): "--port",
    ("storage", "data_dir"): "--data-dir",
    ("storage", "database_url"): "--database-url",
    ("web", "root"): "--web-root",
    ("tls", "cert_file"): "--ssl-cert",
    ("tls", "key_file"): "--ssl-key",
    ("network", "allow_insecure_ws"): "--allow-insecure-ws",
    ("logging", "level"): "--log-level",
    ("world", "grid_size"): "--grid-size",
}

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


# --------------------------------------------------------------------------- shape helpers

def _section_classes() -> dict[str, type]:
    hints = typing.get_type_hints(Settings)
    return {f.name: hints[f.name] for f in dataclasses.fields(Settings) if dataclasses.is_dataclass(hints[f.name])}


def _key_types(section_cls: type) -> dict[str, typing.Any]:
    hints = typing.get_type_hints(section_cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(section_cls)}


def all_keys() -> list[str]:
    """Every settable key as ``section.key``, in declaration order (used by docs tests)."""
    return [f"{s}.{k}" for s, cls in _section_classes().items() for k in _key_types(cls)]


def env_name(section: str, key: str) -> str:
    return f"{ENV_PREFIX}{section}_{key}".upper()


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


def _unknown_key_hint(section: str, key: str) -> str:
    full = f"{section}.{key}"
    if full in _REFERENCE_KEYS:
        return f" ({_REFERENCE_KEYS[full]})"
    sections = _section_classes()
    # A typo within the section is likelier than the right key in the wrong section.
    same = _closest(key, _key_types(sections[section]))
    if same:
        return f" (did you mean '{section}.{same}'?)"
    elsewhere = [f"{s}.{key}" for s, cls in sections.items() if key in _key_types(cls)]
    if elsewhere:
        return f" (did you mean '{elsewhere[0]}'?)"
    return _suggest(full, all_keys())


# --------------------------------------------------------------------------- layers

class _Layers:
    """The merged raw values plus where each one came from, for error messages."""

    def __init__(self) -> None:
        defaults = Settings()
        self.values: dict[str, dict[str, typing.Any]] = {
            s: copy.deepcopy(dataclasses.asdict(getattr(defaults, s))) for s in _section_classes()}
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
        self.errors.append(f"Invalid value for '{section}.{key}' {where}: {_show(value)} ({accepted})")

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ConfigError("\n".join(self.errors))


def _apply_file(layers: _Layers, path_text: str) -> None:
    path = Path(path_text).expanduser()
    where = f"in {path_text}"
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
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

    base = path.resolve().parent
    sections = _section_classes()
    for name, body in data.items():
        if name not in sections:
            if isinstance(body, dict):
                layers.errors.append(f"Unknown config section '[{name}]' {where}{_suggest(name, sections)}"
                                     f" (accepted sections: {', '.join(sections)})")
            elif name in _SECRET_NAMES:
                layers.errors.append(f"Config key '{name}' {where} is not allowed ({_REFERENCE_KEYS['auth.secret']})")
            else:
                guess = [f"{s}.{name}" for s, cls in sections.items() if name in _key_types(cls)]
                hint = f" (did you mean '{guess[0]}'?)" if guess else _suggest(name, all_keys())
                layers.errors.append(f"Config key '{name}' {where} is outside any [section]{hint}")
            continue
        if not isinstance(body, dict):
            layers.errors.append(f"Config entry '{name}' {where} must be a [{name}] table, not {_show(body)}")
            continue
        known = _key_types(sections[name])
        for key, value in body.items():
            if key not in known:
                layers.errors.append(f"Unknown config key '{name}.{key}' {where}{_unknown_key_hint(name, key)}")
                continue
            layers.set(name, key, value, where, base if (name, key) in _BASED_KEYS else None)


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
# In the environment booleans are spelt differently from TOML, so say so in the message.
_ENV_BOOL_ACCEPTED = "accepted: 1/0, true/false, yes/no, on/off"


def _from_env(raw: str, kind: typing.Any) -> typing.Any:
    """Convert an environment string by the dataclass field's type; ValueError if it can't be."""
    text = raw.strip()
    if kind is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError(text)
    if kind is int:
        return int(text, 10)
    if kind is float:
        return float(text)
    if typing.get_origin(kind) is list:
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _apply_env(layers: _Layers, environ: Mapping[str, str]) -> None:
    sections = _section_classes()
    targets = {env_name(s, k): (s, k, t) for s, cls in sections.items() for k, t in _key_types(cls).items()}
    section_prefixes = tuple(f"{ENV_PREFIX}{s.upper()}_" for s in sections)
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
        section, key, kind = target
        raw = environ[name]
        if raw.strip() == "":
            continue  # a blank variable counts as unset, as shells make those easily
        try:
            value = _from_env(raw, kind)
        except ValueError:
            layers.bad_value(section, key, raw, f"from {name}", _ENV_BOOL_ACCEPTED if kind is bool else None)
            continue
        layers.set(section, key, value, f"from {name}", env_text=raw)


def _apply_overrides(layers: _Layers, overrides: Mapping[str, Mapping[str, typing.Any]]) -> None:
    sections = _section_classes()
    for section, keys in overrides.items():
        if section not in sections:
            raise ConfigError(f"Unknown settings section '{section}'{_suggest(section, sections)}")
        known = _key_types(sections[section])
        for key, value in keys.items():
            if key not in known:
                raise ConfigError(f"Unknown setting '{section}.{key}'{_unknown_key_hint(section, key)}")
            if value is None:
                continue
            flag = COMMAND_LINE_FLAGS.get((section, key))
            source = f"from {flag}" if flag else "from the command line"
            layers.set(section, key, value, source)


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
    layers.raise_if_errors()

    _normalise(loaded, layers)
    classes = _section_classes()
    return Settings(**{s: classes[s](**loaded[s]) for s in classes})


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


def load_settings(config_path: str | None, environ: Mapping[str, str],
                  overrides: Mapping[str, Mapping[str, typing.Any]] | None = None) -> Settings:
    """Merge defaults < TOML file < ``CHGRID_<SECTION>_<KEY>`` < overrides; validate; return.

    ``overrides`` is ``{section: {key: value}}`` from command-line flags; ``None`` values
    mean "flag not given". Relative paths are made absolute. ``storage.database_url`` is
    filled in (SQLite in the data dir) when empty. ``auth_secret`` is left empty: see
    ``load_or_create_secret``. Raises ``ConfigError`` naming every bad key.
    """
    layers = _Layers()
    if config_path is not None:
        _apply_file(layers, config_path)
    _apply_env(layers, environ)
    _apply_overrides(layers, overrides or {})
    # No early exit: validation adds its findings, so one run reports every problem.
    return _validate(layers)


def server_version_override(environ: Mapping[str, str]) -> str | None:
    """``CHGRID_SERVER_VERSION`` when set and not blank, else None."""
    value = (environ.get(SERVER_VERSION_ENV) or "").strip()
    return value or None


# --------------------------------------------------------------------------- transport

def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (names are not resolved: DNS may lie)."""
    name = host.strip().lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name.rstrip(".") == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or bool(mapped and mapped.is_loopback)


def _no_passphrase() -> bytes:
    raise ConfigError("The TLS private key is passphrase-protected; give an unencrypted key file")


def check_transport(settings: Settings) -> None:
    """Refuse plain ``ws://`` off loopback unless allowed; check TLS files load together."""
    cert, key = settings.tls.cert_file, settings.tls.key_file
    if bool(cert) != bool(key):
        have, missing = (("tls.cert_file (--ssl-cert)", "tls.key_file (--ssl-key)") if cert
                         else ("tls.key_file (--ssl-key)", "tls.cert_file (--ssl-cert)"))
        raise ConfigError(f"TLS needs both a certificate and a key: {have} is set but {missing} is not")
    if cert:
        for label, path in (("certificate file (tls.cert_file, --ssl-cert)", cert),
                            ("private key file (tls.key_file, --ssl-key)", key)):
            if not Path(path).is_file():
                raise ConfigError(f"TLS {label} not found: {path}")
        try:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key, password=_no_passphrase)
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(f"Cannot load the TLS certificate {cert} with key {key}: {exc}") from None
        return
    host = settings.server.host
    if is_loopback_host(host) or settings.network.allow_insecure_ws:
        return
    raise ConfigError(
        f"Refusing to serve plain ws:// on {host}, which is not a loopback address. "
        "Give a TLS certificate and key (--ssl-cert/--ssl-key or tls.cert_file/tls.key_file), "
        "or, behind a TLS-terminating proxy, allow it explicitly with --allow-insecure-ws "
        "(network.allow_insecure_ws = true, CHGRID_NETWORK_ALLOW_INSECURE_WS=1)")


# --------------------------------------------------------------------------- data dir and secret

def ensure_data_dir(settings: Settings) -> Path:
    """Create the data dir (mode 0700 when new) and return it."""
    path = Path(settings.storage.data_dir)
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"Cannot create the data dir {path} (storage.data_dir): {exc.strerror or exc}") from None
    if not path.is_dir():
        raise ConfigError(f"The data dir {path} (storage.data_dir) is not a directory")
    return path


def _read_secret(path: Path, log: logging.Logger) -> str | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"Cannot read the auth secret file {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"The auth secret path {path} is not a regular file")
    if info.st_mode & 0o077:
        # Someone loosened it (a copy, a restore from backup); the secret must stay private.
        try:
            os.chmod(path, 0o600)
            log.warning("Tightened the permissions of %s to 0600 (they were %04o)", path, info.st_mode & 0o777)
        except OSError as exc:
            log.warning("The auth secret file %s is readable by others (%04o) and could not be fixed: %s",
                        path, info.st_mode & 0o777, exc.strerror or exc)
    try:
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read the auth secret file {path}: {exc}") from None
    if not value:
        raise ConfigError(f"The auth secret file {path} is empty: put a secret in it, set {SECRET_ENV}, "
                          "or delete the file to generate a new one (this signs out every remembered login)")
    return value


def _write_new_secret(path: Path) -> bool:
    """Create ``path`` with a fresh secret, mode 0600, never half-written; False if it appeared meanwhile."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)  # the umask can only narrow os.open's mode; pin it exactly
            os.write(fd, (secrets.token_urlsafe(64) + "\n").encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            # link() fails if the name exists, so two servers starting at once agree on one secret.
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:
            if path.exists():  # a filesystem without hard links: the small race is accepted
                return False
            os.replace(tmp, path)
        return True
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def load_or_create_secret(settings: Settings, environ: Mapping[str, str], log: logging.Logger) -> str:
    """The auth secret: ``CHGRID_AUTH_SECRET`` if set (trimmed, non-empty), else the
    ``<data_dir>/auth_secret`` file, generated on first start. Never logs the value."""
    value = (environ.get(SECRET_ENV) or "").strip()
    if value:
        log.debug("Using the auth secret from %s", SECRET_ENV)
        return value
    if SECRET_ENV in environ:
        log.warning("%s is set but blank; using the secret file in the data dir instead", SECRET_ENV)
    path = ensure_data_dir(settings) / SECRET_FILE_NAME
    existing = _read_secret(path, log)
    if existing is not None:
        log.debug("Using the auth secret in %s", path)
        return existing
    try:
        created = _write_new_secret(path)
    except OSError as exc:
        raise ConfigError(f"Cannot create the auth secret file {path}: {exc.strerror or exc}") from None
    if created:
        log.info("Generated a new auth secret in %s", path)
    secret = _read_secret(path, log)  # ours, or the one of a server that started at the same time
    if secret is None:
        raise ConfigError(f"The auth secret file {path} disappeared while it was being created")
    return secret


# --------------------------------------------------------------------------- web client

def bundled_web_root() -> Path:
    """The client shipped with chgrid: the installed ``chgrid_web`` package, else ``web/``.

    ``web/`` has no ``__init__.py``, so ``chgrid_web`` is a namespace package; its search
    locations are read directly because ``importlib.resources.files`` raises when an
    editable install's finder adds a placeholder entry that is not a directory.
    """
    try:
        spec = importlib.util.find_spec("chgrid_web")
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / "index.html").is_file():
            return Path(location)
    checkout = Path(__file__).resolve().parent.parent / "web"
    if checkout.is_dir():
        return checkout
    raise ConfigError("The bundled web client is missing from this installation; reinstall chgrid "
                      "or serve another client with --web-root DIR")


def resolve_web_root(settings: Settings) -> Path:
    """The directory served at ``/``: ``web.root`` when set (must exist), else the bundled client."""
    if not settings.web.root:
        return bundled_web_root()
    root = Path(settings.web.root)
    if not root.is_dir():
        raise ConfigError(f"The web root {root} (web.root, --web-root) is not a directory")
    if not (root / "index.html").is_file():
        logger.warning("The web root %s has no index.html", root)
    return root


_VERSION_RE = re.compile(
    r"""(?:\b(?:window|globalThis|self)\s*\.\s*|(?<![\w$.]))CHGRID_WEB_VERSION\s*=\s*(["'])(.*?)\1""")


def read_web_version(web_root: Path) -> str | None:
    """The ``CHGRID_WEB_VERSION = "…"`` value of ``<web_root>/version.js``, if any."""
    try:
        with open(web_root / "version.js", encoding="utf-8", errors="replace") as handle:
            text = handle.read(65536)  # a version file is tiny; don't read a huge one whole
    except OSError:
        return None
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # a commented-out old version must not win
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    match = _VERSION_RE.search("\n".join(lines))
    if match is None:
        return None
    return match.group(2).strip() or None


def resolve_client_version(web_root: Path, package_version: str, bundled: bool,
                           environ: Mapping[str, str]) -> str:
    """``serverInfo.version`` (world.md section 12): the client reloads when it differs from
    its own build, so report the served build's version or "unknown"."""
    override = server_version_override(environ)
    if override:
        return override
    if bundled:
        return package_version or "unknown"
    return read_web_version(web_root) or "unknown"


# --------------------------------------------------------------------------- logging

def configure_logging(level: str) -> None:
    """Log to stderr at ``level``; Tornado's per-request access lines only at DEBUG."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ConfigError(f"Unknown log level {level!r} (accepted: {', '.join(LOG_LEVELS)})")
    logging.basicConfig(level=numeric, stream=sys.stderr, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Successful requests are logged at INFO by Tornado; failures (4xx/5xx) still show.
    logging.getLogger("tornado.access").setLevel(logging.DEBUG if numeric <= logging.DEBUG else logging.WARNING)
