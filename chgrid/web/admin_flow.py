"""Admin packets (permissions.md §3–5), checked against live permissions.

Permissions are read from the AccountActor for every admin packet, so a change applies
to the very next packet. After a change the affected accounts' connected clients get
``auth_permissions`` through their room (and a ban closes them there).
"""
from __future__ import annotations

import logging
from typing import Any

from chgrid.auth.policy import normalise_role_name, normalise_username
from chgrid.permissions import PERMISSION_DESCRIPTIONS, PERMISSION_KEYS
from chgrid.web.bridge import ask

log = logging.getLogger(__name__)

NOT_AUTHORIZED = "Not authorized."
ALL_PERMISSIONS = frozenset(PERMISSION_KEYS)

# packet -> (permissions, any of which suffices; action named in the denial)
GATES: dict[str, tuple[tuple[str, ...], str]] = {
    "admin_roles_list": (("role.manage", "user.change_role"), "role_update_permissions"),
    "admin_users_list": (("user.change_role", "user.ban_unban", "account.delete.any"), "user_set_role"),
    "admin_role_create": (("role.manage",), "role_create"),
    "admin_role_update_permissions": (("role.manage",), "role_update_permissions"),
    "admin_role_delete": (("role.manage",), "role_delete"),
    "admin_user_set_role": (("user.change_role",), "user_set_role"),
    "admin_user_ban": (("user.ban_unban",), "user_ban"),
    "admin_user_unban": (("user.ban_unban",), "user_unban"),
    "admin_user_delete": (("account.delete.any",), "user_delete"),
}


def is_allowed(packet_type: str, permissions: set[str] | frozenset[str]) -> bool:
    needed, _ = GATES[packet_type]
    return any(p in permissions for p in needed)


async def handle_admin_packet(conn: Any, packet_type: str, data: dict) -> None:
    ctx = conn.ctx
    authority = await ask(ctx.account.authority(conn.user_id))
    if authority.status != "active" or not is_allowed(packet_type, set(authority.permissions)):
        _, action = GATES[packet_type]
        conn.send_packet("admin_action_result", {"ok": False, "action": action, "message": NOT_AUTHORIZED})
        return
    account = ctx.account
    if packet_type not in ("admin_roles_list", "admin_users_list", "admin_role_create"):
        if await _escalates(account, packet_type, data, frozenset(authority.permissions)):
            _, action = GATES[packet_type]
            conn.send_packet("admin_action_result", {"ok": False, "action": action, "message": NOT_AUTHORIZED})
            return
    if packet_type == "admin_roles_list":
        roles = await ask(account.list_roles())
        conn.send_packet(
            "admin_roles_list",
            {
                "roles": roles,
                "permissionKeys": list(PERMISSION_KEYS),
                "permissionTooltips": dict(PERMISSION_DESCRIPTIONS),
            },
        )
        return
    if packet_type == "admin_users_list":
        users = await ask(account.list_users(data.get("action")))
        conn.send_packet("admin_users_list", {"users": users})
        return
    if packet_type == "admin_role_create":
        result = await ask(account.create_role(data["name"]))
    elif packet_type == "admin_role_update_permissions":
        result = await ask(account.update_role_permissions(data["role"], data["permissions"]))
    elif packet_type == "admin_role_delete":
        result = await ask(account.delete_role(data["role"], data["replacementRole"]))
    elif packet_type == "admin_user_set_role":
        result = await ask(account.set_user_role(data["username"], data["role"]))
    elif packet_type == "admin_user_ban":
        result = await ask(account.ban(data["username"]))
    elif packet_type == "admin_user_delete":
        # The deleted account's connections (on every node) get "Account deleted." and
        # close through the authority push below: a missing account reads as deleted.
        result = await ask(account.delete_account(data["username"]))
    else:
        result = await ask(account.unban(data["username"]))
    if result.ok and result.affected_user_ids:
        await push_authority(ctx, result.affected_user_ids)
    conn.send_packet(
        "admin_action_result", {"ok": result.ok, "action": result.action, "message": result.message}
    )


async def _escalates(account: Any, packet_type: str, data: dict, held: frozenset[str]) -> bool:
    """True when the change would reach permissions the sender does not hold.

    The reference lets a holder of ``user.change_role`` hand out ``admin`` (themselves
    included) and a ``role.manage`` holder grant any permission (permissions.md §8). Here
    nobody can give, take away, or act on a role whose permissions exceed their own;
    administrators hold every permission, so nothing changes for them.
    """
    if held >= ALL_PERMISSIONS:
        return False
    roles = {r["name"]: frozenset(r["permissions"]) for r in await ask(account.list_roles())}

    def beyond(role_name: str | None) -> bool:
        return role_name is not None and not roles.get(role_name, frozenset()) <= held

    async def role_of(username: str) -> str | None:
        wanted = normalise_username(username)
        for user in await ask(account.list_users(None)):
            if user["username"] == wanted:
                return user["role"]
        return None

    if packet_type == "admin_role_update_permissions":
        requested = {p.strip() for p in data["permissions"] if p.strip()}
        return beyond(normalise_role_name(data["role"])) or not requested <= held
    if packet_type == "admin_role_delete":
        return beyond(normalise_role_name(data["role"])) or beyond(normalise_role_name(data["replacementRole"]))
    if packet_type == "admin_user_set_role":
        return beyond(normalise_role_name(data["role"])) or beyond(await role_of(data["username"]))
    return beyond(await role_of(data["username"]))  # ban, unban, delete


async def push_authority(ctx: Any, user_ids) -> None:
    """Re-read each account's role, permissions and status and apply them in every room
    (on every node); returns once this node's rooms have queued the target's packets and
    close, so they go out before the admin's reply (permissions.md §4.7)."""
    await ctx.rooms.push_authority(user_ids)
