"""Server-owned UI metadata of ``welcome.uiDefinitions`` (upstream-0.1.md §5.3).

``commandMetadata`` gives the labels and tooltips of the command palette's main-mode
commands (the client decides their availability); ``itemManagement`` describes the
``Z`` menu's actions and the permissions each needs. Both are the same for every user
and are never filtered by permission: the client filters per item.
"""
from __future__ import annotations

import copy
from typing import Any

# (id, label, tooltip) in the order of upstream-0.1.md §5.3.
MAIN_MODE_ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("addItem", "Add item", "Open the add-item menu."),
    ("useItem", "Use item", "Use the carried item or a usable item on your current square."),
    ("secondaryUseItem", "Secondary item action",
     "Run the secondary action for the carried item or a usable item on your current square."),
    ("pickupDropItem", "Pick up or drop item", "Pick up an item or drop your carried item."),
    ("openItemManagement", "Item management", "Open item management actions for items on your square."),
    ("editItem", "Edit item properties", "Edit the carried item or an item on your current square."),
    ("inspectItem", "Inspect item properties",
     "Inspect all properties for the carried item or an item on your current square."),
)

# (id, label, tooltip, anyPermission, ownPermission) of the item management menu.
ITEM_MANAGEMENT_ACTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("transfer", "Transfer item", "Transfer this item to another user.", "item.transfer.any", "item.transfer.own"),
    ("delete", "Delete item", "Delete this item from the world.", "item.delete.any", "item.delete.own"),
)

_STATIC: dict[str, Any] = {
    "commandMetadata": {"mainModeActions": [
        {"id": ident, "label": label, "tooltip": tooltip} for ident, label, tooltip in MAIN_MODE_ACTIONS]},
    "itemManagement": {"actions": [
        {"id": ident, "label": label, "tooltip": tooltip, "anyPermission": any_perm, "ownPermission": own_perm}
        for ident, label, tooltip, any_perm, own_perm in ITEM_MANAGEMENT_ACTIONS]},
}


def static_ui_parts() -> dict[str, Any]:
    """``{commandMetadata, itemManagement}``, a fresh copy for the caller to keep."""
    return copy.deepcopy(_STATIC)


def with_ui_metadata(ui_definitions: dict[str, Any]) -> dict[str, Any]:
    """``ui_definitions`` with the two parts inserted before ``adminMenu`` (wire order
    ``itemTypeOrder, itemTypes, commandMetadata, itemManagement, adminMenu``)."""
    result = {key: value for key, value in ui_definitions.items() if key != "adminMenu"}
    result.update(static_ui_parts())
    if "adminMenu" in ui_definitions:
        result["adminMenu"] = ui_definitions["adminMenu"]
    return result
