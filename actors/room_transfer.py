"""The room's item transfer packets (upstream-0.1 §6): target lists and transfers.

The checks and the change are pure (``chgrid.items.transfer``); this component gathers
what they need. Who is online the room knows (its roster); which accounts exist and are
active only the AccountActor knows, so the room asks it and waits, bounded like an
acknowledged account save (``room_roster._commit_state``): a list of accounts is one
small query, and a transfer must not name an account that was deleted or disabled.
When the AccountActor does not answer in time the request is refused, nothing changes.

A transfer is an ordinary item change afterwards: committed to the item store before
memory changes and before ``item_upsert`` and the result go out (``ItemPackets``).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

import pykka

from chgrid.actors.room_context import RoomContext
from chgrid.actors.room_item_book import ItemBook
from chgrid.actors.room_state import Player
from chgrid.items import transfer as tr
from chgrid.items.operations import ItemActionOutcome

log = logging.getLogger(__name__)

LIST_UNAVAILABLE = "The user list could not be loaded. Try again."
DEFAULT_ACCOUNT_WAIT_S = 0.75


class AccountLister(Protocol):
    """What the transfer needs of the AccountActor's proxy."""

    def active_accounts(self) -> pykka.Future[list[tuple[int, str]]]: ...


class ItemTransfers:
    """``item_transfer_targets`` and ``item_transfer`` of one room (room thread only).

    ``apply`` stores, keeps, broadcasts and acknowledges an outcome (``ItemPackets``).
    """

    def __init__(self, ctx: RoomContext, book: ItemBook, apply: Callable[[Player, ItemActionOutcome], None],
                 accounts: AccountLister | None, wait_s: float = DEFAULT_ACCOUNT_WAIT_S) -> None:
        self._ctx = ctx
        self._book = book
        self._apply = apply
        self._accounts = accounts
        self._wait_s = wait_s

    def handlers(self) -> dict[str, Callable[[Player, dict[str, Any]], None]]:
        return {"item_transfer_targets": self._on_targets, "item_transfer": self._on_transfer}

    def _active(self) -> dict[str, tr.Account] | None:
        """Active accounts by wire id; None when the AccountActor did not answer in time."""
        if self._accounts is None:
            return None
        try:
            rows = self._accounts.active_accounts().get(timeout=self._wait_s)
        except Exception as err:
            log.warning("room %s: account list not available: %s", self._ctx.name, err)
            return None
        return {str(uid): tr.Account(str(uid), name) for uid, name in rows}

    def _refuse(self, player: Player, message: str, item_id: str) -> None:
        payload: dict[str, Any] = {"ok": False, "action": tr.ACTION, "message": message}
        if self._book.get(item_id) is not None:
            payload["itemId"] = item_id
        self._ctx.send(player.client_id, "item_action_result", payload)

    def _on_targets(self, player: Player, data: dict[str, Any]) -> None:
        book, item_id = self._book, data["itemId"]
        item = book.get(item_id)
        refusal = tr.check_transfer(item, book.acting(player))
        if refusal:
            self._ctx.send(player.client_id, "item_action_result", tr.refused(refusal, item).result_payload())
            return
        assert item is not None
        active = self._active()
        if active is None:
            self._refuse(player, LIST_UNAVAILABLE, item_id)
            return
        online = {str(p.user_id) for p in self._ctx.state.players.values()}
        self._ctx.send(player.client_id, "item_transfer_targets", {
            "itemId": item.id, "targets": tr.transfer_targets(item, active.values(), online)})

    def _on_transfer(self, player: Player, data: dict[str, Any]) -> None:
        book, item_id, target = self._book, data["itemId"], data["targetUserId"]
        item, actor = book.get(item_id), book.acting(player)
        # The checks that need no account list first: a refused request costs no query.
        refusal = tr.check_transfer_request(item, actor, target)
        if refusal:
            self._apply(player, tr.refused(refusal, item))
            return
        assert item is not None
        active = self._active()
        if active is None:
            self._refuse(player, LIST_UNAVAILABLE, item_id)
            return
        item_type = book.type_of(item)
        label = item_type.label if item_type is not None else item.type
        roster = {str(p.user_id): p.username for p in self._ctx.state.players.values() if p.username}
        self._apply(player, tr.transfer_item(item, actor, target, active, label,
                                             self._ctx.clock.now_ms(), roster))
