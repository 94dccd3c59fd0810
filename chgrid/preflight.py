"""What ``chgrid serve`` checks and prepares once the settings are loaded.

- the transport rule: plain ``ws://`` only on loopback unless allowed, TLS files that
  load together (:func:`check_transport`);
- the data dir and the auth secret (``CHGRID_AUTH_SECRET`` or a file generated in the
  data dir, never logged);
- which static client is served and which version the server reports (world.md §12);
- logging to stderr at the configured level.

Every problem is a ``chgrid.config.ConfigError`` with one clear message.
"""
from __future__ import annotations

import importlib.util
import ipaddress
import logging
import os
import re
import secrets
import ssl
import stat
import sys
from collections.abc import Mapping
from pathlib import Path

from chgrid.config import SECRET_ENV, SERVER_VERSION_ENV, ConfigError
from chgrid.identity import SERVER_REVISION, Versions, compose_server_version
from chgrid.settings import LOG_LEVELS, Settings

logger = logging.getLogger(__name__)

SECRET_FILE_NAME = "auth_secret"


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

def server_version_override(environ: Mapping[str, str]) -> str | None:
    """``CHGRID_SERVER_VERSION`` when set and not blank, else None."""
    value = (environ.get(SERVER_VERSION_ENV) or "").strip()
    return value or None


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


def _global_re(name: str) -> re.Pattern[str]:
    """``[window.|globalThis.|self.]NAME = "…"`` (or a ``const``/``export const``)."""
    return re.compile(
        r"""(?:\b(?:window|globalThis|self)\s*\.\s*|(?<![\w$.]))""" + re.escape(name)
        + r"""\s*=\s*(["'])(.*?)\1""")


WEB_VERSION_GLOBAL = "CHGRID_WEB_VERSION"  # the 2026-02-28 client's build version
RELEASE_VERSION_GLOBAL = "CHGRID_RELEASE_VERSION"  # v0.1.0: the public release number
CLIENT_REVISION_GLOBAL = "CHGRID_CLIENT_REVISION"  # v0.1.0: the browser asset revision


def _version_js_text(web_root: Path) -> str | None:
    """``version.js`` without comments (a commented-out old version must not win)."""
    try:
        with open(web_root / "version.js", encoding="utf-8", errors="replace") as handle:
            text = handle.read(65536)  # a version file is tiny; don't read a huge one whole
    except OSError:
        return None
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


def read_version_global(web_root: Path, name: str) -> str | None:
    """The quoted ``NAME = "…"`` value of ``<web_root>/version.js``, if any and non-blank.

    Only a quoted literal counts: v0.1.0's template ``CHGRID_WEB_VERSION`` is not read,
    which gives "unknown" and so disables the old reload rule (upstream-0.1.md §25)."""
    text = _version_js_text(web_root)
    match = None if text is None else _global_re(name).search(text)
    if match is None:
        return None
    return match.group(2).strip() or None


def read_web_version(web_root: Path) -> str | None:
    """The ``CHGRID_WEB_VERSION = "…"`` value of ``<web_root>/version.js``, if any."""
    return read_version_global(web_root, WEB_VERSION_GLOBAL)


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


def resolve_versions(web_root: Path, package_version: str, bundled: bool,
                     environ: Mapping[str, str]) -> Versions:
    """Every version the server reports (upstream-0.1.md §2.1, §27.4).

    ``releaseVersion`` and ``expectedClientRevision`` come from the served client's
    ``version.js`` (bundled or ``--web-root``), so the v0.1.0 client never reloads in a
    loop. ``serverVersion`` names this server, whatever client it serves:
    ``CHGRID_SERVER_VERSION`` when set, else chgrid's package version and
    ``SERVER_REVISION`` (upstream reads its release from its own client, which is always
    the one it ships). ``version`` keeps the 2026-02-28 rule.
    """
    return Versions(
        legacy=resolve_client_version(web_root, package_version, bundled, environ),
        release=read_version_global(web_root, RELEASE_VERSION_GLOBAL) or "",
        client_revision=read_version_global(web_root, CLIENT_REVISION_GLOBAL) or "",
        server=compose_server_version(package_version, SERVER_REVISION, server_version_override(environ)),
    )


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
