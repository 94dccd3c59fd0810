"""Item-type plug-ins: one package per type, each exposing ``ITEM_TYPE``.

``chgrid.items.registry.ItemRegistry`` imports every sub-package found here, so adding a
type means adding a folder; see docs/item-plugins.md.
"""
