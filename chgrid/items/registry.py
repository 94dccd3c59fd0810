"""Discovery of item-type plug-ins and the ``welcome.uiDefinitions`` they describe.

Every sub-package of ``chgrid.items.types`` that exposes ``ITEM_TYPE`` is a type; adding
a folder is all it takes (docs/item-plugins.md). Types are ordered by their ``order``
value, which fixes the add-item menu (items.md §9). The registry remembers each type's
package, where the actor layer looks for the type's optional ``plugin`` module
(``chgrid.actors.item_plugin``); more packages of types can be discovered beside the
built-in one (the plug-in example of the tests does so).
"""
from __future__ import annotations

import copy
import importlib
import logging
import pkgutil
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from chgrid.items.base import TITLE_METADATA, ItemType

log = logging.getLogger(__name__)

TYPES_PACKAGE = "chgrid.items.types"

# The 19 keys every type's propertyMetadata starts with (items.md §9.2), in order.
GLOBAL_PROPERTY_METADATA: dict[str, dict[str, Any]] = {
    "type": {"valueType": "text", "label": "Type", "tooltip": "Item type id for this object."},
    "x": {"valueType": "number", "label": "X", "tooltip": "Item X coordinate on the grid."},
    "y": {"valueType": "number", "label": "Y", "tooltip": "Item Y coordinate on the grid."},
    "carrierId": {"valueType": "text", "label": "Carrier",
                  "tooltip": "User id currently carrying this item, or none."},
    "version": {"valueType": "number", "label": "Version",
                "tooltip": "Server-side item version incremented on each update."},
    "createdBy": {"valueType": "text", "label": "Created by",
                  "tooltip": "Display name of the user who originally created this item."},
    "updatedBy": {"valueType": "text", "label": "Updated by",
                  "tooltip": "Display name of the user who most recently updated this item."},
    "createdAt": {"valueType": "text", "label": "Created at",
                  "tooltip": "Creation timestamp for this item."},
    "updatedAt": {"valueType": "text", "label": "Updated at",
                  "tooltip": "Last update timestamp for this item."},
    "capabilities": {"valueType": "text", "label": "Capabilities",
                     "tooltip": "Supported actions for this item type."},
    "useSound": {"valueType": "sound",
                 "tooltip": "One-shot sound played when this item is used successfully.",
                 "maxLength": 2048},
    "emitSound": {"valueType": "sound",
                  "tooltip": "Looping sound emitted from this item on the grid.",
                  "maxLength": 2048},
    "useCooldownMs": {"valueType": "number",
                      "tooltip": "Global cooldown in milliseconds between uses for this item type."},
    "emitRange": {"valueType": "number",
                  "tooltip": "Maximum distance in squares where emitted audio can be heard."},
    "directional": {"valueType": "boolean",
                    "tooltip": "Whether emitted audio favors the item's facing direction."},
    "emitSoundSpeed": {"valueType": "number",
                       "tooltip": "Global emitted sound speed/pitch percent. 50 is normal.",
                       "range": {"min": 0, "max": 100, "step": 0.1}},
    "emitSoundTempo": {"valueType": "number",
                       "tooltip": "Global emitted sound tempo percent. 50 is normal.",
                       "range": {"min": 0, "max": 100, "step": 0.1}},
    "emitInitialDelay": {"valueType": "number",
                         "tooltip": "Delay in seconds before emitted audio starts after this sound is enabled.",
                         "range": {"min": 0, "max": 300, "step": 0.1}},
    "emitLoopDelay": {"valueType": "number",
                      "tooltip": "Delay in seconds between each emitted playback.",
                      "range": {"min": 0, "max": 300, "step": 0.1}},
}


class RegistryError(RuntimeError):
    """A plug-in package is broken (missing or duplicate ``ITEM_TYPE``)."""


def global_properties(item_type: ItemType) -> dict[str, Any]:
    """The per-type ``globalProperties`` block."""
    return {
        "useSound": item_type.use_sound or "none",
        "emitSound": item_type.emit_sound or "none",
        "useCooldownMs": item_type.cooldown_ms,
        "emitRange": item_type.emit_range,
        "directional": item_type.directional,
        "emitSoundSpeed": 50,
        "emitSoundTempo": 50,
        "emitInitialDelay": 0,
        "emitLoopDelay": 0,
    }


def property_metadata(item_type: ItemType) -> dict[str, Any]:
    """Global keys first, then ``title`` and the type's own keys.

    A type key that repeats a global key replaces its value but keeps the global
    position (dict update semantics, like the reference's object spread).
    """
    merged: dict[str, Any] = copy.deepcopy(GLOBAL_PROPERTY_METADATA)
    merged["title"] = copy.deepcopy(TITLE_METADATA)
    for key, meta in item_type.property_metadata.items():
        merged[key] = copy.deepcopy(dict(meta))
    return merged


def type_definition(item_type: ItemType) -> dict[str, Any]:
    """One ``uiDefinitions.itemTypes[]`` entry."""
    return {
        "type": item_type.type_id,
        "label": item_type.label,
        "tooltip": item_type.tooltip,
        "capabilities": list(item_type.capabilities),
        "editableProperties": list(item_type.editable_properties),
        "propertyMetadata": property_metadata(item_type),
        "globalProperties": global_properties(item_type),
    }


class ItemRegistry:
    """The known item types, ordered for the add-item menu.

    ``packages`` maps a type id to the package it was found in (types given directly
    have none, and so no stateful plug-in).
    """

    def __init__(self, types: Iterable[ItemType], packages: Mapping[str, str] | None = None) -> None:
        by_id: dict[str, ItemType] = {}
        for item_type in types:
            if not isinstance(item_type, ItemType):
                raise RegistryError(f"not an ItemType: {item_type!r}")
            if item_type.type_id in by_id:
                raise RegistryError(f"duplicate item type {item_type.type_id!r}")
            by_id[item_type.type_id] = item_type
        self._ordered = tuple(sorted(by_id.values(), key=lambda t: (t.order, t.type_id)))
        self._by_id = by_id
        self._packages = {type_id: name for type_id, name in (packages or {}).items() if type_id in by_id}
        self._static_ui: dict[str, Any] | None = None

    @classmethod
    def discover(cls, *packages: str) -> ItemRegistry:
        """Import every sub-package of each package (default: the built-in types) and
        collect its ``ITEM_TYPE``."""
        types: list[ItemType] = []
        found_in: dict[str, str] = {}
        for package in packages or (TYPES_PACKAGE,):
            root = importlib.import_module(package)
            for info in pkgutil.iter_modules(root.__path__):
                if not info.ispkg or info.name.startswith("_"):
                    continue
                name = f"{package}.{info.name}"
                item_type = getattr(importlib.import_module(name), "ITEM_TYPE", None)
                if item_type is None:
                    raise RegistryError(f"{name} has no ITEM_TYPE")
                types.append(item_type)
                found_in.setdefault(item_type.type_id, name)
        registry = cls(types, found_in)
        log.debug("item types: %s", ", ".join(registry.type_ids()))
        return registry

    def get(self, type_id: str) -> ItemType | None:
        return self._by_id.get(type_id)

    def package_of(self, type_id: str) -> str | None:
        """The package the type was discovered in (None for types given directly)."""
        return self._packages.get(type_id)

    def __contains__(self, type_id: object) -> bool:
        return type_id in self._by_id

    def ordered(self) -> tuple[ItemType, ...]:
        return self._ordered

    def type_ids(self) -> list[str]:
        return [item_type.type_id for item_type in self._ordered]

    def ui_definitions(self, admin_actions: list[dict[str, str]]) -> dict[str, Any]:
        """``welcome.uiDefinitions``; only ``adminMenu`` differs between users."""
        if self._static_ui is None:
            self._static_ui = {
                "itemTypeOrder": self.type_ids(),
                "itemTypes": [type_definition(item_type) for item_type in self._ordered],
            }
        # Copied so a caller editing the result cannot corrupt the cached part.
        result = copy.deepcopy(self._static_ui)
        result["adminMenu"] = {"actions": [dict(action) for action in admin_actions]}
        return result


@lru_cache(maxsize=1)
def default_registry() -> ItemRegistry:
    """The registry of the built-in plug-in folder, discovered once per process."""
    return ItemRegistry.discover()
