"""The package's import graph: no cycles, and one way into the embedded backend.

Every ``import``/``from ... import`` of every module under ``nemo_skill/`` is
read from its AST, wherever it sits: at the top, inside a function, or under
``if TYPE_CHECKING:``. A cycle hidden by a function-level import is still a
cycle: the two modules cannot be understood (or moved) one without the other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "nemo_skill"
ROOT = Path(__file__).resolve().parents[1]
LOCAL = "nemo_skill.local"

# The one module outside nemo_skill/local allowed to import it: the opener of backends
# (``--api-url local``, serve-local, animate's engine, the batch's render workers).
LOCAL_OPENERS: frozenset[str] = frozenset({"nemo_skill.backends"})

Graph = dict[str, set[str]]


def module_files(root: Path, package: str = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """Every module of ``package`` under ``root``: dotted name -> (file, is a package)."""
    found: dict[str, tuple[Path, bool]] = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        found[".".join(parts)] = (path, is_package)
    return found


def _imported(node: ast.AST, module: str, is_package: bool) -> Iterable[str]:
    """The dotted names an import node loads: ``from p import m`` names ``p.m`` or ``p``."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: from the module's own package upwards
            anchor = module.split(".") if is_package else module.split(".")[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join(anchor + ([base] if base else []))
        yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(root: Path = ROOT, package: str = PACKAGE) -> Graph:
    """Module -> the package's modules it imports, from every import node in its AST.

    ``from pkg import name`` is an edge to the module ``pkg.name`` when there is one,
    else to ``pkg`` (the module that defines ``name``).
    """
    modules = module_files(root, package)

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: Graph = {name: set() for name in modules}
    for name, (path, is_package) in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            for target in _imported(node, name, is_package):
                if target == package or target.startswith(package + "."):
                    found = owner(target)
                    if found is not None and found != name:
                        graph[name].add(found)
    return graph


def find_cycle(graph: Graph) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in sorted(graph):
        if start in state:
            continue
        path: list[str] = [start]
        todo = [iter(sorted(graph[start]))]
        state[start] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(sorted(graph[nxt])))
    return None


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 50 and graph["nemo_skill.skill"]  # the walk found the package
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_function_level_and_type_checking_imports_count(tmp_path: Path) -> None:
    """The graph sees the imports that hide cycles from Python: in functions, TYPE_CHECKING."""
    pkg = tmp_path / "demo"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from demo.b import g\n    return g\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from demo.sub import c\n"
    )
    (pkg / "sub" / "c.py").write_text("from .. import a\n")
    graph = import_graph(tmp_path, "demo")
    assert graph["demo.a"] == {"demo.b"}
    assert graph["demo.b"] == {"demo.sub.c"}
    assert graph["demo.sub.c"] == {"demo.a"}  # a relative import, resolved
    assert find_cycle(graph) == ["demo.a", "demo.b", "demo.sub.c", "demo.a"]
    (pkg / "sub" / "c.py").write_text("")
    assert find_cycle(import_graph(tmp_path, "demo")) is None


def test_config_settings_client_and_transfers_stand_apart() -> None:
    """The owners the cycles were cut along (issue 20): each imports only downwards."""
    graph = import_graph()
    assert "nemo_skill.config" not in graph["nemo_skill.settings"]
    assert graph["nemo_skill.storage"] == set()  # the 0600/atomic/lock helpers depend on nothing
    assert "nemo_skill.client" not in graph["nemo_skill.transfers"]
    assert "nemo_skill.render" not in graph["nemo_skill.client"]


def test_only_the_opener_imports_the_embedded_backend() -> None:
    graph = import_graph()
    outside = {
        name
        for name, targets in graph.items()
        if not (name == LOCAL or name.startswith(LOCAL + "."))
        and any(t == LOCAL or t.startswith(LOCAL + ".") for t in targets)
    }
    assert outside <= LOCAL_OPENERS, f"import {LOCAL} through the opener: {outside - LOCAL_OPENERS}"
