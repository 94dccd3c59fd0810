"""Typed server settings: one dataclass per TOML section, defaults included.

This module only declares the shape; ``chgrid.config`` loads and validates values from
the command line, the environment (``CHGRID_<SECTION>_<KEY>``) and a TOML file.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8765


@dataclass
class StorageSettings:
    data_dir: str = "./chgrid-data"
    database_url: str = ""  # empty: sqlite:///<data_dir>/chgrid.db
    # How long an acknowledged change (nickname, teleport, item) may wait for its commit
    # before the sender is told it failed (and nothing changes).
    commit_wait_s: float = 5.0


@dataclass
class WebSettings:
    root: str = ""  # empty: the bundled web/ client
    # Sent on every HTTP answer; "default" is chgrid.web.headers.DEFAULT_CSP, "" sends none.
    content_security_policy: str = "default"


@dataclass
class TlsSettings:
    cert_file: str = ""
    key_file: str = ""


@dataclass
class NetworkSettings:
    allow_insecure_ws: bool = False
    max_message_bytes: int = 2_000_000
    ping_interval_s: float = 20.0
    ping_timeout_s: float = 20.0
    outbound_buffer_bytes: int = 4_000_000
    unauthenticated_buffer_bytes: int = 65_536  # the outbound bound before login
    inbound_buffer_bytes: int = 8_000_000  # frames waiting behind a slow auth command
    auth_timeout_s: float = 30.0  # a connection not logged in by then is closed
    trust_forwarded_for: bool = False
    max_connections: int = 0  # 0: derived from the descriptor limit minus a reserve
    max_connections_per_ip: int = 256  # 0: no per-address cap
    http_header_timeout_s: float = 10.0
    http_body_timeout_s: float = 30.0
    # Browser origins besides the server's own that may use the login cookie.
    allowed_origins: list[str] = field(default_factory=list)


@dataclass
class LoggingSettings:
    level: str = "INFO"


@dataclass
class WorldSettings:
    grid_size: int = 41
    grids: list[str] = field(default_factory=lambda: ["main"])


@dataclass
class AuthSettings:
    username_min_length: int = 2
    username_max_length: int = 32
    password_min_length: int = 8
    password_max_length: int = 32
    pbkdf2_iterations: int = 600_000
    hash_concurrency: int = 8


@dataclass
class RadioSettings:
    allow_private_networks: bool = False
    poll_interval_s: float = 10.0
    fetch_timeout_s: float = 8.0


@dataclass
class LimitsSettings:
    """Per-user flood control (chgrid.world.flood): a burst, then a sustained rate."""

    chat_burst: int = 10
    chat_per_second: float = 1.0
    actions_burst: int = 20
    actions_per_second: float = 2.0
    piano_notes_burst: int = 120
    piano_notes_per_second: float = 40.0


@dataclass
class Settings:
    """Every setting of a chgrid server. ``auth_secret`` comes only from the environment
    (``CHGRID_AUTH_SECRET``) or the generated secret file in the data dir; it is never
    read from the config file and never logged."""

    server: ServerSettings = field(default_factory=ServerSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    web: WebSettings = field(default_factory=WebSettings)
    tls: TlsSettings = field(default_factory=TlsSettings)
    network: NetworkSettings = field(default_factory=NetworkSettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    world: WorldSettings = field(default_factory=WorldSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    radio: RadioSettings = field(default_factory=RadioSettings)
    limits: LimitsSettings = field(default_factory=LimitsSettings)
    auth_secret: str = field(default="", repr=False)
