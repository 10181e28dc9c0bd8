"""A house without circles: the import graph of `reflect/` has no cycle, and no module uses
another's private names."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reflect"
MODULES = {p.stem for p in PACKAGE.glob("*.py")}
#: Known and owed elsewhere: the CSV decoding helper is reworked by the CSV streaming import.
ALLOWED_PRIVATE = {("cli", "csvio", "_decode")}


def _imports(module: str) -> list[tuple[str, list[str]]]:
    """(imported module of the package, names taken from it) for every import, lazy ones included."""
    found = []
    for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [a.name for a in node.names]
            if node.level == 1 and node.module:
                found.append((node.module.split(".")[0], names))
            elif node.level == 1 or node.module == "reflect":
                found += [(n, []) for n in names if n in MODULES]
            elif node.module and node.module.startswith("reflect."):
                found.append((node.module.split(".")[1], names))
        elif isinstance(node, ast.Import):
            found += [(a.name.split(".")[1], []) for a in node.names if a.name.startswith("reflect.")]
    return [(m, names) for m, names in found if m in MODULES and m != module]


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


def test_the_import_graph_has_no_cycle():
    cycle = _cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_walk_sees_lazy_imports_and_finds_cycles():
    graph = _graph()
    assert "workers" in graph["publish"] and "pages" in graph["workers"]  # imports inside functions count
    assert _cycle({"publish": {"workers"}, "workers": {"pages", "publish"}, "pages": set()}) == [
        "publish", "workers", "publish"]


def test_no_module_uses_another_modules_private_names():
    used = []
    for module in sorted(MODULES):
        tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
        for target, names in _imports(module):
            used += [(module, target, n) for n in names if n.startswith("_") and not n.startswith("__")]
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in MODULES
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                used.append((module, node.value.id, node.attr))
    assert set(used) <= ALLOWED_PRIVATE, sorted(set(used) - ALLOWED_PRIVATE)
