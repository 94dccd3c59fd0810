"""The room's chat: messages, slash commands, the reboot command, and voice signalling.

Chat lines pass the per-account chat bucket first (``chgrid.world.flood``); the command
rules and texts are the pure ``chgrid.world.chat``. ``signal`` relays WebRTC offers,
answers and candidates to one other player, with the sender's position.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chgrid.actors.room_context import RoomContext
from chgrid.actors.room_routes import Charge, Route
from chgrid.actors.room_state import Player
from chgrid.world import chat as chat_rules
from chgrid.world.flood import CHAT_LIMITED, Admission


class Chat:
    """Chat and signalling of one room (room thread only).

    ``on_reboot`` (the server's shutdown request) is scheduled once, by the first
    ``/reboot`` of someone allowed to.
    """

    def __init__(self, ctx: RoomContext, on_reboot: Callable[[], None] | None) -> None:
        self._ctx = ctx
        self._on_reboot = on_reboot
        self.reboot_pending = False

    def routes(self) -> dict[str, Route]:
        return {
            "chat_message": Route(self._on_chat_message, Charge.CHAT, self._refuse_chat),
            "signal": Route(self._on_signal),
        }

    def _refuse_chat(self, player: Player, data: dict[str, Any], verdict: Admission) -> None:
        if verdict is Admission.REFUSED_NOTIFY:
            self._ctx.system_line(player.client_id, CHAT_LIMITED)

    def _on_chat_message(self, player: Player, data: dict[str, Any]) -> None:
        ctx = self._ctx
        message = data["message"]
        if "chat.send" not in player.permissions:
            ctx.system_line(player.client_id, chat_rules.NOT_ALLOWED)
            return
        command = chat_rules.parse_command(message)
        if command is None:
            self._say(player, message, action=False)
            return
        name = command.name
        if name == "me":
            if not command.remainder:
                ctx.system_line(player.client_id, chat_rules.ME_USAGE)
            else:
                self._say(player, f"{player.nickname} {command.remainder}", action=True)
        elif name == "up":
            uptime = ctx.clock.monotonic() - ctx.world.started_monotonic
            ctx.system_line(player.client_id, f"Server uptime: {chat_rules.format_uptime(uptime)}")
        elif name == "version":
            # v0.1.0 wording (upstream-0.1.md §2.2): serverVersion, not serverInfo.version;
            # a chat line, so a 2026-02-28 client just shows it.
            ctx.system_line(player.client_id, f"Server version: {ctx.world.versions.server_version}")
        elif name == "reboot":
            self._reboot(player, command.remainder)
        else:
            ctx.system_line(player.client_id, chat_rules.unknown_command(command.word))

    def _say(self, player: Player, message: str, action: bool) -> None:
        self._ctx.send_all("chat_message", {
            "message": message,
            "senderId": player.client_id,
            "senderNickname": player.nickname,
            "system": False,
            "action": action,
        })

    def _reboot(self, player: Player, remainder: str | None) -> None:
        ctx = self._ctx
        if "server.allow_reboot" not in player.permissions:
            ctx.system_line(player.client_id, chat_rules.REBOOT_DENIED)
            return
        if self.reboot_pending:
            ctx.system_line(player.client_id, chat_rules.REBOOT_PENDING)
            return
        ctx.journal.assign(self, "reboot_pending", True)
        ctx.system_all(chat_rules.reboot_announcement(remainder))
        if self._on_reboot is not None:
            ctx.later(chat_rules.REBOOT_DELAY_S, self._on_reboot)

    def _on_signal(self, player: Player, data: dict[str, Any]) -> None:
        ctx = self._ctx
        if "voice.send" not in player.permissions:
            return
        target = data["targetId"]
        if target not in ctx.state.players:
            return
        ctx.send(target, "signal", {
            "senderId": player.client_id,
            "senderNickname": player.nickname,
            "x": player.x,
            "y": player.y,
            "sdp": data.get("sdp"),
            "ice": data.get("ice"),
        })
