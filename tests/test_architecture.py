"""A house a newcomer can read: the package is built in layers, each importing only from the layers
before it; the import graph of `reflect/` has no cycle; and no module uses another's private names."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reflect"
#: The layers, lowest first. A module may import from its own layer and the layers before it.
LAYERS = ("errors", "system", "domain", "storage", "analytics", "views", "reporting", "servers", "cli")
#: Modules, by dotted name under `reflect` ("storage.store"); a package's `__init__` is a module named for
#: its package ("cli": the command line's root group and main), the kit's own `reflect/__init__.py` none.
MODULES = {
    (p.parent if p.name == "__init__.py" else p.with_suffix("")).relative_to(PACKAGE).as_posix().replace("/", "."): p
    for p in PACKAGE.rglob("*.py")
    if p != PACKAGE / "__init__.py" and "__pycache__" not in p.parts
}
#: (module, module it reaches into, private name) pairs let through: none.
ALLOWED_PRIVATE: set[tuple[str, str, str]] = set()


def _layer(module: str) -> str:
    return module.split(".")[0]


def _target(base: str, name: str) -> str | None:
    """The module of the package that ``from reflect.<base> import <name>`` reaches, if any."""
    for candidate in (f"{base}.{name}".strip("."), base):
        if candidate in MODULES:
            return candidate
    return None


def _imports(module: str) -> list[tuple[str, list[str]]]:
    """(imported module of the package, names taken from it) for every import, lazy ones included."""
    package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            elif node.module == "reflect" or (node.module or "").startswith("reflect."):
                base = node.module.removeprefix("reflect").lstrip(".")
            else:
                continue
            for name in (a.name for a in node.names):
                if f"{base}.{name}".strip(".") in MODULES:  # a module of a package: ``from reflect.cli import common``
                    found.append((f"{base}.{name}".strip("."), []))
                elif base in MODULES:
                    found.append((base, [name]))
                elif t := _target(base, name):
                    found.append((t, []))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("reflect.") and (t := alias.name.removeprefix("reflect.")) in MODULES:
                    found.append((t, []))
    return [(m, names) for m, names in found if m != module]


def _graph() -> dict[str, set[str]]:
    return {m: {target for target, _ in _imports(m)} for m in MODULES}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of ``graph`` (as a path that ends where it starts), or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_every_module_lives_in_a_layer():
    assert {_layer(m) for m in MODULES} <= set(LAYERS), sorted({_layer(m) for m in MODULES} - set(LAYERS))
    assert not [p for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "errors")]
    # the command line is one package, one layer: its root group (`cli`), what its commands share, a module a subject
    assert {"cli", "cli.common", "cli.checkins", "cli.rituals"} <= {m for m in MODULES if _layer(m) == "cli"}


def test_a_layer_imports_only_from_the_layers_before_it():
    upward = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for target in targets
        if LAYERS.index(_layer(target)) > LAYERS.index(_layer(module))
    ]
    assert not upward, upward


def test_the_import_graph_has_no_cycle():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_walk_sees_lazy_imports_and_finds_cycles():
    graph = _graph()
    # imports inside functions count, in every spelling
    assert "reporting.workers" in graph["reporting.publish"] and "reporting.rendering" in graph["reporting.workers"]
    assert "storage.store" in graph["cli.checkins"] and "errors" in graph["storage.store"]
    # a package's __init__ is walked too, and ``from package import module`` reaches the module
    assert {"cli.common", "cli.checkins", "cli.rituals"} <= graph["cli"] and "cli.common" in graph["cli.rituals"]
    assert _cycle({"publish": {"workers"}, "workers": {"pages", "publish"}, "pages": set()}) == [
        "publish", "workers", "publish"]


def test_no_module_uses_another_modules_private_names():
    used = []
    for module in sorted(MODULES):
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        imported = _imports(module)
        for target, names in imported:
            used += [(module, target, n) for n in names if n.startswith("_") and not n.startswith("__")]
        by_name = {target.split(".")[-1]: target for target, _ in imported}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in by_name
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                used.append((module, by_name[node.value.id], node.attr))
    assert set(used) <= ALLOWED_PRIVATE, sorted(set(used) - ALLOWED_PRIVATE)
