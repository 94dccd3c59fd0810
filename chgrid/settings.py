"""Every chgrid setting, declared once: type, default, what it accepts, flag.

One dataclass per TOML section; each key is a :func:`~chgrid.config_schema.setting`
whose rule gives the validation and the accepted text. ``chgrid.config`` derives the
layering (``--flag`` > ``CHGRID_<SECTION>_<KEY>`` > TOML > these defaults), the
validation schemas and the error messages from these classes; ``chgrid.cli`` derives the
``chgrid serve`` flags. Add a key here (and a row in docs/running.md) and nothing else.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

from marshmallow import RAISE, Schema, fields as mfields

from chgrid.config_schema import Flag, Integer, Names, Number, Rule, Switch, Text, section, setting
from chgrid.auth.forwarded import is_proxy_entry
from chgrid.auth.origins import is_origin
from chgrid.identity import DEFAULT_GRID_NAME, DEFAULT_WELCOME_MESSAGE

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

_HOST_RE = re.compile(r"\[?[A-Za-z0-9._:%-]+\]?")
# A grid is served under /NAME/ (its base path): a path segment that needs no escaping
# and is never "." or "..".
_GRID_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def _grid_path_ok(name: str) -> bool:
    # "token" would give the grid the root's cookie name chgrid_session_token (§10.3).
    return bool(_GRID_NAME_RE.fullmatch(name)) and name.lower() != "token"


def _database_url_ok(url: str) -> bool:
    if url == "":
        return True
    from playhouse.db_url import schemes  # peewee's own table, so every scheme it opens is accepted

    parts = urlsplit(url)
    # "sqlite://" without a path would silently open an in-memory database.
    return parts.scheme in schemes and parts.path not in ("", "/")


def _database_url_accepted() -> str:
    from playhouse.db_url import schemes

    return ("empty (SQLite in the data dir) or a Peewee database URL with a database name, scheme one of "
            + ", ".join(sorted(schemes)) + " (e.g. sqlite:////srv/chgrid/chgrid.db, "
            "postgresql://user:password@host/chgrid)")


REDIS_SCHEMES = ("redis", "rediss")


def _redis_url_ok(url: str) -> bool:
    """Empty, or ``redis://`` / ``rediss://`` with a host and at most a database number."""
    if url == "":
        return True
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    path = parts.path.lstrip("/")
    return (parts.scheme in REDIS_SCHEMES and bool(parts.hostname)
            and (path == "" or path.isdigit()))


def _seconds(low: float = 0, inclusive: bool = False) -> Number:
    return Number(low, inclusive, "seconds")


_RATE = Number(0, False, "packets per second")


class _GridBrandingSchema(Schema):
    """One ``world.branding`` entry; either key may be left out (then ``server.*`` applies)."""

    class Meta:
        unknown = RAISE

    grid_name = mfields.String()
    welcome_message = mfields.String()


class GridBranding(Rule):
    """``world.branding``: grid name -> ``{grid_name, welcome_message}`` (TOML tables
    ``[world.branding.NAME]``; JSON text in the environment)."""

    python_type = dict[str, dict[str, str]]
    doc_type = "table"
    env_accepted = 'a JSON object such as {"lobby": {"grid_name": "Lobby"}}'

    def accepted(self) -> str:
        return ("tables keyed by grid name, each with optional string keys grid_name and "
                "welcome_message")

    def field(self) -> mfields.Field:
        return mfields.Dict(keys=mfields.String(validate=_grid_name_check), values=mfields.Nested(_GridBrandingSchema),
                            required=True)

    def from_env(self, text: str) -> dict:
        value = json.loads(text)  # a JSONDecodeError is a ValueError: reported as a bad value
        if not isinstance(value, dict):
            raise ValueError(text)
        return value


def _grid_name_check(value: str) -> None:
    if not _GRID_NAME_RE.fullmatch(value):
        from marshmallow import ValidationError

        raise ValidationError("not a grid name")


@section
class ServerSettings:
    """Where the server listens."""

    host: str = setting("127.0.0.1", Text(
        "a host name or IP address such as 127.0.0.1, localhost, 0.0.0.0 or ::",
        lambda v: bool(_HOST_RE.fullmatch(v))),
        Flag("--host", "ADDRESS", "address to listen on (default 127.0.0.1)"))
    # 0 is accepted from every layer: the OS picks a free port, which suits tests.
    port: int = setting(8765, Integer(0, 65535),
                        Flag("--port", "PORT", "port to listen on (default 8765; 0 = any free port)"))
    # SO_REUSEPORT: several nodes on one machine share the port and the kernel spreads
    # connections over them. Refused with port 0 (chgrid.config): each would get its own.
    reuse_port: bool = setting(False, Switch(), Flag(
        "--reuse-port", None, "share the port with other chgrid nodes on this machine (SO_REUSEPORT)"))
    # Branding (upstream-0.1.md §3): trimmed when used, blank means the default.
    # world.branding overrides them per grid.
    grid_name: str = setting(DEFAULT_GRID_NAME, Text("any text (blank: the default)"))
    welcome_message: str = setting(DEFAULT_WELCOME_MESSAGE, Text("any text (blank: the default)"))


@section
class StorageSettings:
    """Where accounts, items and the auth secret are kept, and how long a commit may wait."""

    data_dir: str = setting("./chgrid-data", Text("a directory path", lambda v: v.strip() != ""),
                            Flag("--data-dir", "DIR", "folder for the SQLite database and the auth secret "
                                                      "(default ./chgrid-data)"))
    # Empty: sqlite:///<data_dir>/chgrid.db.
    database_url: str = setting("", Text(_database_url_accepted, _database_url_ok),
                                Flag("--database-url", "URL", "Peewee database URL "
                                                              "(default: SQLite chgrid.db in the data dir)"))
    # How long an acknowledged change (nickname, teleport, item) may wait for its commit
    # before the sender is told it failed (and nothing changes). Short: a locked
    # database must never hold the room up for seconds.
    commit_wait_s: float = setting(0.5, _seconds())


@section
class ClusterSettings:
    """The Redis server that joins several chgrid nodes into one world (docs/deploy.md)."""

    # Empty: a single node, no Redis. The password in the URL is never logged.
    redis_url: str = setting("", Text(
        "empty (a single node, no Redis) or a Redis URL redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] "
        "(rediss:// for TLS)", _redis_url_ok),
        Flag("--redis-url", "URL", "Redis URL that joins this node to a cluster (default: none, one node)"))
    # How long a room's lease lives without renewal: after a node dies, another one takes
    # its rooms within this time.
    lease_s: float = setting(5.0, Number(1, True, "seconds", 60),
                             Flag("--lease-s", "SECONDS", "room lease time in a cluster, 1-60 (default 5)"))


@section
class WebSettings:
    """Which static client is served and the policy header sent with it."""

    root: str = setting("", Text("empty (the bundled client) or a directory path"),
                        Flag("--web-root", "DIR", "serve this static client instead of the bundled web/"))
    # Sent on every HTTP answer; "default" is chgrid.web.headers.DEFAULT_CSP, "" sends none.
    # A header value: no line breaks, printable ASCII (Tornado would refuse it at answer time).
    content_security_policy: str = setting("default", Text(
        "'default' (the policy the bundled client needs), 'none' or empty (send no policy), "
        "or a Content-Security-Policy header value in printable ASCII",
        lambda v: all(" " <= c <= "~" for c in v)))


@section
class TlsSettings:
    """The certificate and key that make the server speak https:// and wss://."""

    cert_file: str = setting("", Text("empty or the path of a PEM certificate (chain) file"),
                             Flag("--ssl-cert", "FILE", "TLS certificate (PEM); serves https:// and wss://"))
    key_file: str = setting("", Text("empty or the path of a PEM private key file (not passphrase-protected)"),
                            Flag("--ssl-key", "FILE", "TLS private key (PEM) for --ssl-cert"))


@section
class NetworkSettings:
    """Websocket and HTTP limits, timeouts and proxy trust."""

    allow_insecure_ws: bool = setting(False, Switch(), Flag(
        "--allow-insecure-ws", None, "allow plain ws:// on a non-loopback address (behind a TLS proxy)"))
    max_message_bytes: int = setting(2_000_000, Integer(1024))
    ping_interval_s: float = setting(20.0, _seconds(inclusive=True))  # 0 turns websocket pings off
    ping_timeout_s: float = setting(20.0, _seconds())
    outbound_buffer_bytes: int = setting(4_000_000, Integer(1024))
    unauthenticated_buffer_bytes: int = setting(65_536, Integer(1024))  # the outbound bound before login
    inbound_buffer_bytes: int = setting(8_000_000, Integer(1024))  # frames waiting behind a slow auth command
    auth_timeout_s: float = setting(30.0, _seconds())  # a connection not logged in by then is closed
    trust_forwarded_for: bool = setting(False, Switch())
    # Whose X-Forwarded-For counts (with trust_forwarded_for on): the reverse proxies.
    trusted_proxies: list[str] = setting(["127.0.0.0/8", "::1"], Names(
        "a list of proxy addresses or networks such as 127.0.0.1, ::1 or 10.0.0.0/8", is_proxy_entry))
    max_connections: int = setting(0, Integer(0))  # 0: derived from the descriptor limit minus a reserve
    max_connections_per_ip: int = setting(256, Integer(0))  # 0: no per-address cap
    http_header_timeout_s: float = setting(10.0, _seconds())
    http_body_timeout_s: float = setting(30.0, _seconds())
    # Empty: any Origin may open the websocket, and the login cookie counts from no Origin
    # or the server's own. Set: only these origins (upstream-0.1.md §27.2).
    allowed_origins: list[str] = setting([], Names(
        "a list of browser origins such as https://chat.example.org or http://127.0.0.1:8080 "
        "(scheme, host and optional port; no path)", is_origin))


@section
class LoggingSettings:
    """How much the server logs to standard error."""

    level: str = setting("INFO", Text("one of " + ", ".join(LOG_LEVELS) + " (any case)",
                                      lambda v: v.upper() in LOG_LEVELS),
                         Flag("--log-level", "LEVEL", "one of " + ", ".join(LOG_LEVELS) + " (default INFO)"))


@section
class WorldSettings:
    """The grids (rooms) and their size."""

    grid_size: int = setting(41, Integer(1, 1000),
                             Flag("--grid-size", "N", "side of the square grid, 1-1000 (default 41)"))
    grids: list[str] = setting(["main"], Names(
        "a non-empty list of distinct names of 1-64 letters, digits, '_', '.' or '-', "
        "starting with a letter or digit, not 'token'",
        _grid_path_ok, non_empty=True, distinct=True))
    # Per-grid grid_name / welcome_message over server.grid_name / server.welcome_message.
    branding: dict[str, dict[str, str]] = setting({}, GridBranding())


@section
class AuthSettings:
    """Account name and password policy and the cost of password hashing."""

    username_min_length: int = setting(2, Integer(1))
    username_max_length: int = setting(32, Integer(1))  # also >= username_min_length (chgrid.config)
    password_min_length: int = setting(8, Integer(1))
    password_max_length: int = setting(32, Integer(1))  # also >= password_min_length (chgrid.config)
    pbkdf2_iterations: int = setting(600_000, Integer(1))
    hash_concurrency: int = setting(8, Integer(1, 64))


@section
class RadioSettings:
    """How radio items fetch their stream's metadata."""

    allow_private_networks: bool = setting(False, Switch())
    poll_interval_s: float = setting(10.0, _seconds())
    fetch_timeout_s: float = setting(8.0, _seconds())
    # How long checking a new streamUrl may wait for DNS (it runs in the room's thread).
    dns_timeout_s: float = setting(2.0, Number(0, False, "seconds", 30))


def _host_suffix_ok(value: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?", value.strip().lower().lstrip(".")))


@section
class MediaProxySettings:
    """The media proxy (``<base>media_proxy.php?url=…``): radio and item sounds fetched
    for a signed-in player. Private addresses follow ``radio.allow_private_networks``."""

    enabled: bool = setting(True, Switch())
    # Streams one account may have open through the proxy at once; more get 429.
    max_per_session: int = setting(4, Integer(1, 64))
    # Each response ends cleanly here: a radio at 320 kbit/s fills 512 MiB in ~3.7 h.
    max_response_bytes: int = setting(536_870_912, Integer(1024))
    max_duration_s: float = setting(14_400.0, _seconds())
    connect_timeout_s: float = setting(10.0, _seconds())
    # Host suffixes the proxy may fetch from (example.org allows a.example.org); empty: any.
    allowlist: list[str] = setting([], Names(
        "a list of host names or suffixes such as example.org (empty: any public host)",
        _host_suffix_ok))


@section
class LimitsSettings:
    """Per-user flood control (chgrid.world.flood): a burst, then a sustained rate."""

    chat_burst: int = setting(10, Integer(1))
    chat_per_second: float = setting(1.0, _RATE)
    actions_burst: int = setting(20, Integer(1))
    actions_per_second: float = setting(2.0, _RATE)
    piano_notes_burst: int = setting(120, Integer(1))
    piano_notes_per_second: float = setting(40.0, _RATE)


@dataclass
class Settings:
    """Every setting of a chgrid server. ``auth_secret`` comes only from the environment
    (``CHGRID_AUTH_SECRET``) or the generated secret file in the data dir; it is never
    read from the config file and never logged."""

    server: ServerSettings = field(default_factory=ServerSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    web: WebSettings = field(default_factory=WebSettings)
    tls: TlsSettings = field(default_factory=TlsSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    world: WorldSettings = field(default_factory=WorldSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    radio: RadioSettings = field(default_factory=RadioSettings)
    media_proxy: MediaProxySettings = field(default_factory=MediaProxySettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    auth_secret: str = field(default="", repr=False)


# The TOML sections in order: name -> class. Everything that walks the settings uses this.
SECTIONS: dict[str, type] = {item.name: item.default_factory for item in fields(Settings)
                              if item.name != "auth_secret"}
