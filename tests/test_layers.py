"""The import graph: layered (pure logic < actors < web < application shell), no cycles,
and no top-level ``actors`` package imports.

Read from the sources with ``ast`` (imports under ``TYPE_CHECKING`` count too: a cycle
for the type checker is a cycle for a reader), so nothing is imported to check it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ((ROOT / "chgrid", "chgrid"), (ROOT / "actors", "chgrid.actors"))
SHELL = frozenset({"chgrid.server", "chgrid.cli", "chgrid.admin_cli", "chgrid.__main__"})
# A stateful item plug-in keeps its actor beside its pure modules; these module names
# inside a type's folder belong to the actor layer.
PLUGIN_ACTOR_MODULES = frozenset({"actor", "plugin"})
# chgrid.cluster (the Redis primitives) sits between the pure logic and the actors.
LAYERS = ("pure", "cluster", "actors", "web", "shell")
# Third-party packages a layer may not use, below the layer that owns them.
FORBIDDEN_THIRD_PARTY = {
    "pure": ("pykka", "tornado", "redis"),
    "cluster": ("pykka", "tornado"),
    "actors": ("tornado",),
}


def _module_files() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for folder, package in PACKAGES:
        for path in folder.rglob("*.py"):
            parts = [p for p in path.relative_to(folder).with_suffix("").parts if p != "__init__"]
            modules[".".join([package, *parts])] = path
    return modules


MODULES = _module_files()


def _imported_names(name: str, path: Path) -> set[str]:
    """Every dotted name an import statement of the module mentions (absolute form)."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _internal_edges(name: str, path: Path) -> set[str]:
    """Project modules imported by ``name``, ignoring its own parent packages (which
    Python imports first anyway)."""
    targets = set()
    for imported in _imported_names(name, path):
        if imported in MODULES and imported != name and not name.startswith(imported + "."):
            targets.add(imported)
    return targets


GRAPH = {name: _internal_edges(name, path) for name, path in MODULES.items()}


def layer_of(module: str) -> str:
    if module in SHELL:
        return "shell"
    if module.startswith(("chgrid.web", "chgrid.transport")):
        return "web"
    if module.startswith("chgrid.actors"):
        return "actors"
    if module == "chgrid.cluster" or module.startswith("chgrid.cluster."):
        return "cluster"
    parts = module.split(".")
    if parts[:3] == ["chgrid", "items", "types"] and len(parts) == 5 and parts[4] in PLUGIN_ACTOR_MODULES:
        return "actors"
    return "pure"


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read():
    assert "chgrid.actors.room" in MODULES and "chgrid.web.ws" in MODULES
    assert "chgrid.protocol" in GRAPH["chgrid.web.ws"]


def test_no_import_cycles():
    assert _cycles() == []


def test_the_cycle_finder_finds_a_cycle(monkeypatch):
    # ws imports the protocol package, which imports its field types: close the loop.
    monkeypatch.setitem(GRAPH, "chgrid.protocol.fields", GRAPH["chgrid.protocol.fields"] | {"chgrid.web.ws"})
    assert any({"chgrid.web.ws", "chgrid.protocol.fields"} <= set(cycle) for cycle in _cycles())


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_follow_the_layers(module):
    mine = LAYERS.index(layer_of(module))
    upward = sorted(t for t in GRAPH[module] if LAYERS.index(layer_of(t)) > mine)
    assert upward == [], f"{module} ({layer_of(module)}) imports a higher layer"
    banned = FORBIDDEN_THIRD_PARTY.get(layer_of(module), ())
    third_party = sorted(n for n in _imported_names(module, MODULES[module]) if n.split(".")[0] in banned)
    assert third_party == []


def test_layer_assignment():
    assert layer_of("chgrid.items.operations") == "pure"
    assert layer_of("chgrid.actors.room") == "actors"
    assert layer_of("chgrid.cluster.bus") == "cluster"
    assert layer_of("chgrid.web.ws") == "web"
    assert layer_of("chgrid.server") == "shell"


def test_nothing_imports_a_top_level_actors_package():
    offenders = []
    for folder in (ROOT / "chgrid", ROOT / "actors", ROOT / "tests", ROOT / "bench", ROOT / "scripts"):
        for path in folder.rglob("*.py"):
            for name in _imported_names("x", path):
                if name == "actors" or name.startswith("actors."):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
