"""Item types that exist only for the tests: the worked example of docs/item-plugins.md.

Discovered next to the built-in types with
``ItemRegistry.discover("chgrid.items.types", "tests.plugin_types")``; nothing in
``chgrid`` or ``actors`` names them.
"""
