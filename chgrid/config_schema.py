"""Marshmallow schemas for chgrid settings: one per TOML section, strict types, ranges.

``chgrid.config`` merges the layers and loads each section through these; every field
carries ``metadata["accepted"]``, the human description of what it takes, which goes
into error messages and ``docs/running.md``.
"""
from __future__ import annotations

import re
import typing
from urllib.parse import urlsplit

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from chgrid.web.origins import is_origin

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Strict fields: TOML and flags already carry typed values, and environment strings are
# converted before validation, so a string where a number belongs is a mistake to report
# rather than something to coerce.


class _StrictBoolean(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class _StrictFloat(fields.Float):
    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def _int(low: int, high: int | None = None) -> fields.Integer:
    accepted = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
    return fields.Integer(strict=True, required=True, validate=validate.Range(min=low, max=high),
                          metadata={"accepted": accepted})


def _seconds(low: float, *, inclusive: bool) -> fields.Float:
    accepted = f"a number of seconds {'>=' if inclusive else '>'} {low:g}"
    return _StrictFloat(required=True, validate=validate.Range(min=low, min_inclusive=inclusive),
                        metadata={"accepted": accepted})


def _bool() -> fields.Boolean:
    return _StrictBoolean(required=True, metadata={"accepted": "true or false"})


def _text(accepted: str, check: typing.Callable[[str], bool] | None = None) -> fields.String:
    validators = [_predicate(check)] if check is not None else []
    return fields.String(required=True, validate=validators, metadata={"accepted": accepted})


def _predicate(check: typing.Callable[[str], bool]) -> typing.Callable[[str], None]:
    def run(value: str) -> None:
        if not check(value):
            raise ValidationError("rejected")
    return run


_HOST_RE = re.compile(r"\[?[A-Za-z0-9._:%-]+\]?")
_GRID_NAME_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


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


class _Section(Schema):
    class Meta:
        unknown = RAISE


class ServerSchema(_Section):
    host = _text("a host name or IP address such as 127.0.0.1, localhost, 0.0.0.0 or ::",
                 lambda v: bool(_HOST_RE.fullmatch(v)))
    # 0 is accepted from every layer: the OS picks a free port, which suits tests.
    port = _int(0, 65535)


class StorageSchema(_Section):
    data_dir = _text("a directory path", lambda v: v.strip() != "")
    database_url = _text("a Peewee database URL", _database_url_ok)
    commit_wait_s = _seconds(0, inclusive=False)


class WebSchema(_Section):
    root = _text("empty (the bundled client) or a directory path")
    # A header value: no line breaks, printable ASCII (Tornado would refuse it at answer time).
    content_security_policy = _text(
        "'default' (the policy the bundled client needs), 'none' or empty (send no policy), "
        "or a Content-Security-Policy header value in printable ASCII",
        lambda v: all(" " <= c <= "~" for c in v))


class TlsSchema(_Section):
    cert_file = _text("empty or the path of a PEM certificate (chain) file")
    key_file = _text("empty or the path of a PEM private key file (not passphrase-protected)")


class NetworkSchema(_Section):
    allow_insecure_ws = _bool()
    max_message_bytes = _int(1024)
    ping_interval_s = _seconds(0, inclusive=True)  # 0 turns websocket pings off
    ping_timeout_s = _seconds(0, inclusive=False)
    outbound_buffer_bytes = _int(1024)
    unauthenticated_buffer_bytes = _int(1024)
    inbound_buffer_bytes = _int(1024)
    auth_timeout_s = _seconds(0, inclusive=False)
    trust_forwarded_for = _bool()
    max_connections = _int(0)  # 0: derived from the descriptor limit
    max_connections_per_ip = _int(0)  # 0: no per-address cap
    http_header_timeout_s = _seconds(0, inclusive=False)
    http_body_timeout_s = _seconds(0, inclusive=False)
    allowed_origins = fields.List(
        fields.String(validate=_predicate(is_origin)),
        required=True,
        metadata={"accepted": "a list of browser origins such as https://chat.example.org or "
                              "http://127.0.0.1:8080 (scheme, host and optional port; no path)"},
    )


class LoggingSchema(_Section):
    level = _text("one of " + ", ".join(LOG_LEVELS) + " (any case)", lambda v: v.upper() in LOG_LEVELS)


class WorldSchema(_Section):
    grid_size = _int(1, 1000)
    grids = fields.List(
        fields.String(validate=_predicate(lambda v: bool(_GRID_NAME_RE.fullmatch(v)))),
        required=True,
        validate=[validate.Length(min=1), _predicate(lambda v: len(set(v)) == len(v))],
        metadata={"accepted": "a non-empty list of distinct names of 1-64 letters, digits, '_', '.' or '-'"},
    )


class AuthSchema(_Section):
    username_min_length = _int(1)
    username_max_length = _int(1)
    password_min_length = _int(1)
    password_max_length = _int(1)
    pbkdf2_iterations = _int(1)
    hash_concurrency = _int(1, 64)


class RadioSchema(_Section):
    allow_private_networks = _bool()
    poll_interval_s = _seconds(0, inclusive=False)
    fetch_timeout_s = _seconds(0, inclusive=False)


def _rate() -> fields.Float:
    return _StrictFloat(required=True, validate=validate.Range(min=0, min_inclusive=False),
                        metadata={"accepted": "a number of packets per second > 0"})


class LimitsSchema(_Section):
    chat_burst = _int(1)
    chat_per_second = _rate()
    actions_burst = _int(1)
    actions_per_second = _rate()
    piano_notes_burst = _int(1)
    piano_notes_per_second = _rate()


SECTION_SCHEMAS: dict[str, type[Schema]] = {
    "server": ServerSchema, "storage": StorageSchema, "web": WebSchema, "tls": TlsSchema,
    "network": NetworkSchema, "logging": LoggingSchema, "world": WorldSchema, "auth": AuthSchema,
    "radio": RadioSchema, "limits": LimitsSchema,
}




def accepted_values(section: str, key: str) -> str:
    """What ``section.key`` accepts, in words."""
    if (section, key) == ("storage", "database_url"):
        return _database_url_accepted()
    field = SECTION_SCHEMAS[section]().fields.get(key)
    return field.metadata.get("accepted", "see docs/running.md") if field else "see docs/running.md"
