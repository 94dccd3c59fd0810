"""Chat command parsing and the texts of world.md §6."""
from __future__ import annotations

from dataclasses import dataclass

NOT_ALLOWED = "You are not allowed to send chat messages."
ME_USAGE = "Usage: /me <action>"
REBOOT_DENIED = "Not authorized to reboot server."
REBOOT_PENDING = "Server reboot already in progress."
REBOOT_DELAY_S = 5.0


@dataclass(frozen=True)
class ChatCommand:
    """A message whose first character is ``/``: the word (as typed) and the remainder.

    ``remainder`` is None when no space follows the word.
    """

    word: str
    remainder: str | None

    @property
    def name(self) -> str:
        return self.word.lower()


def parse_command(message: str) -> ChatCommand | None:
    if not message.startswith("/"):
        return None
    body = message[1:]
    word, sep, rest = body.partition(" ")
    return ChatCommand(word, rest if sep else None)


def format_uptime(seconds: float) -> str:
    total = max(0, int(seconds))
    days, rem = divmod(total, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, secs = divmod(rem, 60)
    parts = [f"{v}{unit}" for v, unit in ((days, "d"), (hours, "h"), (minutes, "m")) if v]
    if secs or not parts:
        parts.append(f"{secs}s")
    return " ".join(parts)


def reboot_announcement(remainder: str | None) -> str:
    base = "Server rebooting in 5 seconds."
    return f"{base} {remainder}" if remainder else base


def unknown_command(word: str) -> str:
    return f"Unknown command: /{word}"
