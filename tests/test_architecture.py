"""The package's architecture, checked: no import circle, no function above complexity 15.

The import graph is read from the source (every ``import`` the interpreter can execute:
module-level and deferred ones inside functions; imports under ``if TYPE_CHECKING:`` never
run and are left out). A circle is any strongly connected set of two or more modules. The
complexity check is ruff's mccabe rule C901 at 15, configured in ``pyproject.toml``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "intensity"


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    """ids of the import nodes inside ``if TYPE_CHECKING:`` blocks."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    skip.update(id(n) for n in ast.walk(child))
    return skip


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (``from pkg import mod`` counts as ``mod``)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _type_checking_nodes(tree)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    sub = f"{source}.{alias.name}"
                    if sub in modules:
                        targets.add(sub)
                    elif source in modules:
                        targets.add(source)
        targets.discard(name)
        graph[name] = targets
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected sets of two or more modules (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_known_edges():
    graph = import_graph()
    # a relative import of a module, a deferred one and a plain one are all seen
    assert "intensity._negbin" in graph["intensity.dependence"]
    assert "intensity.plotting" in graph["intensity.seasonal"]  # deferred, inside .plot()
    assert "intensity.costs.base" in graph["intensity.costs.counts"]


def test_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle():
    found = circles(import_graph())
    assert found == [], f"import circles in the package: {found}"


def _room(module: str) -> str:
    """The package's room a module belongs to: its subpackage, or itself at the top."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_circle_between_subpackages():
    # intensity.breaks and intensity.multi imported each other (issue 27): also the rooms,
    # not only the modules, form no circle (the top package, which names every public
    # function lazily, is left out)
    rooms: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        if module == "intensity":
            continue
        rooms.setdefault(_room(module), set()).update(
            _room(t) for t in targets if t != "intensity" and _room(t) != _room(module)
        )
    found = circles(rooms)
    assert found == [], f"import circles between subpackages: {found}"


def _radon_above(limit: int) -> list[str]:
    from radon.complexity import cc_visit

    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if block.complexity > limit:
                where = path.relative_to(PACKAGE.parent)
                found.append(f"{where}:{block.lineno} {block.fullname} {block.complexity}")
    return found


def test_no_function_above_complexity_15():
    # radon's cyclomatic complexity, as issue 27 measured it (every branch, loop,
    # boolean operator and comprehension clause counts); ruff's C901 (in pyproject's lint
    # selection, for editors) counts fewer and is implied
    found = _radon_above(15)
    assert found == [], "functions above complexity 15:\n" + "\n".join(found)


def test_the_complexity_check_sees_a_complex_function(tmp_path):
    from radon.complexity import cc_visit

    body = "".join(f"    if x == {i} and y:\n        return {i}\n" for i in range(10))
    (block,) = cc_visit(f"def f(x, y):\n{body}    return -1\n")
    assert block.complexity == 21  # 1 + 10 ifs + 10 'and'
