"""The authentication commands of a websocket connection (auth.md §6–13).

Runs on the IOLoop as coroutines. Database work goes to the AccountActor through
``ask``; password hashing goes to the bounded hashing pool; nothing here blocks.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from chgrid.auth import messages as M
from chgrid.auth.passwords import parse_hash
from chgrid.auth.records import LoginRejected
from chgrid.auth.policy import normalise_email, normalise_username, registration_error
from chgrid.auth.ratelimit import failure_jitter_s
from chgrid.identity import BrandingTable, auth_required_extras
from chgrid.permissions import admin_menu_actions
from chgrid.web.bridge import ask
from chgrid.web.player_connection import PlayerConnection

log = logging.getLogger(__name__)

RESUME_IDENTITY = "resume"
MAX_TOKEN_LENGTH = 512


class AuthFailure(Exception):
    """An authentication attempt failed; ``message`` goes to the client."""

    def __init__(self, message: str, internal: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.internal = internal or message


async def handle_auth_command(conn: PlayerConnection, packet_type: str, data: dict) -> None:
    ctx = conn.ctx
    if packet_type == "auth_logout":
        await logout(conn)
        return
    if conn.authenticated:
        conn.send_packet("auth_result", _failure_payload(ctx, M.ALREADY_AUTHENTICATED))
        return
    if packet_type == "auth_login":
        identity = data["username"].strip().lower()
        await attempt(conn, identity, lambda: _login(conn, data), M.LOGIN_FAILED, M.SERVER_ERROR)
    elif packet_type == "auth_register":
        identity = data["username"].strip().lower()
        await attempt(
            conn, identity, lambda: _register(conn, data), None, M.REGISTRATION_SERVER_ERROR
        )
    elif packet_type == "auth_resume":
        await attempt(
            conn, RESUME_IDENTITY, lambda: _resume(conn, data["sessionToken"]),
            M.RESUME_FAILED, M.SERVER_ERROR,
        )


async def cookie_resume(conn: PlayerConnection, token: str) -> bool:
    """Handshake cookie login (protocol.md §3.2–3.3). True when the connection is in.

    Its ``auth_result`` carries no ``sessionToken``: the browser already holds the cookie,
    and a same-site page whose handshake carried that HttpOnly cookie must not be handed
    a token it could keep (issue 11). Both the bundled and the reference client only
    store a cookie when the field is present.
    """
    return await attempt(
        conn, RESUME_IDENTITY, lambda: _resume(conn, token), M.RESUME_FAILED, M.SERVER_ERROR,
        reveal_token=False,
    )


async def attempt(
    conn, identity, work, generic_failure, server_error, *, reveal_token: bool = True
) -> bool:
    """Rate limit, run ``work``, reply. ``generic_failure`` hides specific reasons;
    ``reveal_token`` puts the session token into a successful ``auth_result``."""
    ctx = conn.ctx
    if await ctx.limiter.is_limited(conn.ip, identity):
        await asyncio.sleep(failure_jitter_s(ctx.rng))
        conn.send_packet("auth_result", _failure_payload(ctx, M.RATE_LIMITED))
        return False
    try:
        grant = await work()
    except AuthFailure as failure:
        log.info("auth failure for %s from %s: %s", identity, conn.ip, failure.internal)
        message = generic_failure or failure.message
    except Exception:
        log.exception("auth command failed")
        message = server_error
    else:
        await ctx.limiter.record_success(conn.ip, identity)
        if conn.closed:
            return False
        activate(conn, grant, reveal_token=reveal_token)
        return True
    await ctx.limiter.record_failure(conn.ip, identity)
    await asyncio.sleep(failure_jitter_s(ctx.rng))
    conn.send_packet("auth_result", _failure_payload(ctx, message))
    return False


async def _login(conn: PlayerConnection, data: dict) -> Any:
    """Password login. Unknown, wrong-password and disabled accounts take one path: one
    verification (against the dummy hash when there is no usable stored hash), then the
    decision, so the reply time does not tell them apart (issue 11)."""
    ctx = conn.ctx
    username = normalise_username(data["username"])
    record = await ask(ctx.account.find_login(username))
    usable = record is not None and parse_hash(record.password_hash) is not None
    stored = record.password_hash if usable else ctx.dummy_hash
    ok, needs_rehash = await ctx.hasher.verify(data["password"], stored)
    if not (usable and ok):
        raise AuthFailure(M.LOGIN_FAILED, "Invalid username or password.")
    if record.status != "active":
        raise AuthFailure(M.LOGIN_FAILED, "Account is disabled.")
    new_hash = await ctx.hasher.hash(data["password"]) if needs_rehash else None
    try:
        return await ask(ctx.account.complete_login(record.user_id, new_hash))
    except LoginRejected as rejected:  # banned or deleted since find_login
        raise AuthFailure(M.LOGIN_FAILED, str(rejected)) from None


async def _register(conn: PlayerConnection, data: dict) -> Any:
    ctx = conn.ctx
    username = normalise_username(data["username"])
    error = registration_error(username, data["password"], ctx.policy)
    if error:
        raise AuthFailure(error)
    password_hash = await ctx.hasher.hash(data["password"])
    result = await ask(
        ctx.account.register(username, password_hash, normalise_email(data.get("email")))
    )
    if isinstance(result, str):
        raise AuthFailure(result)
    return result


async def _resume(conn: PlayerConnection, token: str) -> Any:
    token = token.strip()
    if not token:
        raise AuthFailure(M.RESUME_FAILED, "Missing session token.")
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthFailure(M.RESUME_FAILED, "Invalid session.")
    result = await ask(conn.ctx.account.resume(token))
    if isinstance(result, str):
        raise AuthFailure(M.RESUME_FAILED, result)
    return result


def activate(conn: PlayerConnection, grant: Any, *, reveal_token: bool = True) -> None:
    """Bind the connection to the account, answer, and hand it to the grid."""
    ctx = conn.ctx
    conn.bind(grant)
    result = {
        "ok": True,
        "message": M.AUTHENTICATED,
        "sessionToken": grant.token,
        "username": grant.username,
        "role": grant.role,
        "permissions": list(grant.permissions),
        "adminMenuActions": admin_menu_actions(grant.permissions),
        "nickname": grant.nickname,
        "authPolicy": ctx.policy.as_wire(),
    }
    if not reveal_token:
        del result["sessionToken"]
    conn.send_packet("auth_result", result)
    ctx.rooms.room(conn.grid).join(conn.client_id, grant)


async def logout(conn: PlayerConnection) -> None:
    ctx = conn.ctx
    if conn.token:
        try:
            await ask(ctx.account.revoke(conn.token))
        except Exception:
            log.exception("token revocation failed")
    conn.send_packet(
        "auth_result", {"ok": True, "message": M.LOGGED_OUT, "authPolicy": ctx.policy.as_wire()}
    )
    conn.close_with(1000, "Logged out.")


def auth_required_payload(conn: PlayerConnection) -> dict:
    """``auth_required`` (upstream-0.1.md §4): the 2026-02-28 pair, then the grid's
    branding and the version fields."""
    ctx = conn.ctx
    branding = BrandingTable.from_settings(ctx.settings).of(conn.grid)
    return {"message": M.AUTH_REQUIRED, "authPolicy": ctx.policy.as_wire(),
            **auth_required_extras(ctx.versions, branding)}


def _failure_payload(ctx, message: str) -> dict:
    return {"ok": False, "message": message, "authPolicy": ctx.policy.as_wire()}
