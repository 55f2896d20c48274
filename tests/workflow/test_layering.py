"""The import graph of the kit's packages flows one way and has no cycle.

Every import of the kit's own modules is read from the source (top-level and function-level
imports alike) and checked against the layers of README's "Layout": a module imports only its
own layer or those below it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kitbase", "datamodules", "indexers", "lightlm")
# Bottom to top; a module belongs to the longest prefix listed. The two top layers are siblings:
# neither the CLI nor the experiment machinery imports the other.
LAYERS = [
    ("kitbase",),
    ("datamodules",),
    ("indexers",),
    ("lightlm.networks",),
    ("lightlm.decoding",),
    ("lightlm",),
    ("lightlm.callbacks",),
    ("lightlm.cli", "lightlm.experiments"),
]


def imports_of(root: Path) -> dict[str, set[str]]:
    """{module: kit modules it imports}, e.g. {"lightlm.cli.app": {"lightlm.recommender", ...}}."""
    graph: dict[str, set[str]] = {}
    for path in sorted(root.glob("*/**/*.py")):
        rel = path.relative_to(root)
        if rel.parts[0] not in PACKAGES:
            continue
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
        graph[module] = {m for m in found if m.split(".")[0] in PACKAGES}
    return graph


def layer(module: str) -> tuple[int, str]:
    """(rank, prefix) of the layer `module` belongs to."""
    best = (-1, "")
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best[1]):
                best = (rank, prefix)
    return best


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in graph.items():
        rank, prefix = layer(module)
        for target in targets:
            t_rank, t_prefix = layer(target)
            if t_rank > rank or (t_rank == rank and t_prefix != prefix):
                bad.append(f"{module} -> {target}")
    return sorted(bad)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between modules (importing a package counts as importing its __init__)."""
    found, state = [], {}

    def visit(module: str, stack: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if target == module or target not in graph:
                continue
            if state.get(target) == "open":
                found.append(stack[stack.index(target) :] + [target])
            elif target not in state:
                visit(target, stack + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


def test_the_kit_imports_downward_only_and_without_cycles():
    graph = imports_of(ROOT)
    assert {"kitbase.errors", "datamodules.item_index", "lightlm.cli.app"} <= set(graph)
    assert graph["kitbase.errors"] == graph["kitbase.files"] - {"kitbase.errors"} == set()
    data_imports = {t for m, ts in graph.items() if m.startswith("datamodules") for t in ts}
    assert not any(t.startswith(("indexers", "lightlm")) for t in data_imports)
    assert upward_imports(graph) == []
    assert cycles(graph) == []


def test_the_checks_catch_an_upward_import_and_a_cycle(tmp_path):
    files = {
        "kitbase/__init__.py": "",
        "kitbase/errors.py": "",
        "datamodules/__init__.py": "",
        "datamodules/reader.py": "from kitbase.errors import x\n",
        "datamodules/split.py": "def f():\n    from indexers.base import Indexer  # late, still upward\n",
        "lightlm/__init__.py": "",
        "lightlm/a.py": "import lightlm.b\n",
        "lightlm/b.py": "from lightlm.a import y\n",
        "indexers/__init__.py": "",
        "indexers/base.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = imports_of(tmp_path)
    assert upward_imports(graph) == ["datamodules.split -> indexers.base"]
    assert cycles(graph) == [["lightlm.a", "lightlm.b", "lightlm.a"]]
