"""The import rules of docs/architecture.md, read from the code itself (every import statement,
also those inside functions and under TYPE_CHECKING):

- the layers: the CLI (the edge) may import anything; the web layer (villagecov.api) may import
  the maps' package and the library; the maps (villagecov.maps) only the library; the library
  never imports the CLI, the web layer or the maps;
- the pure core: villagecov.compute does no I/O of its own, so it never imports the store, the
  readers, ingest or the layers that use it (planning, analysis, reporting, pipelines);
- no import cycle between any two modules (a cycle hidden by an import inside a function counts);
- no import of the old top-level names ``api`` and ``maps`` anywhere, and no dynamic imports of
  project modules (``importlib.import_module``, ``__import__``) that would hide an edge.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIRS = {name: ROOT / folder for name, folder in
                tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"].items()}
EDGE = ("villagecov.cli", "villagecov.cli_common", "villagecov.cli_records", "villagecov.cli_report",
        "villagecov.cli_scale")
WEB, MAPS = "villagecov.api", "villagecov.maps"
CORE = "villagecov.compute"
# what the pure core may not import (the store, readers, ingest and every layer built on compute)
NOT_FROM_CORE = ("villagecov.storage", "villagecov.sources", "villagecov.ingest", "villagecov.jobs",
                 "villagecov.pipeline", "villagecov.compute_pipeline", "villagecov.planning",
                 "villagecov.analysis", "villagecov.reporting", "villagecov.propagation")


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def project_modules() -> dict[str, Path]:
    """Module name → file, for every file of the packages in pyproject's package-dir mapping."""
    mapped = {folder.resolve() for folder in PACKAGE_DIRS.values()}
    modules: dict[str, Path] = {}
    for package, folder in PACKAGE_DIRS.items():
        for path in folder.rglob("*.py"):
            if any(parent.resolve() in mapped - {folder.resolve()} for parent in path.parents):
                continue  # a mapped package nested in this folder's tree is named by its own mapping
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join([package, *parts])] = path
    return modules


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in modules else prefix for a in node.names]


def import_graph() -> tuple[dict[str, set[str]], dict[str, list[str]]]:
    """(module → project modules it imports, module → raw top-level names imported and dynamic imports)."""
    modules = project_modules()
    edges: dict[str, set[str]] = defaultdict(set)
    raw: dict[str, list[str]] = defaultdict(list)
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in ("importlib.import_module", "import_module", "__import__"):
                    raw[module].append(f"dynamic import {ast.unparse(node)} (line {node.lineno})")
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(module, path, node, modules):
                raw[module].append(target)
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    edges[module].add(target)
    return edges, raw


EDGES, RAW = import_graph()


def test_the_graph_sees_every_layer() -> None:
    """The checker must see the mapped folders (a wrong mapping would make every rule pass)."""
    names = set(project_modules())
    assert {"villagecov.cli", "villagecov.api.app", "villagecov.maps.build", "villagecov.compute.run",
            "villagecov.storage.base"} <= names
    assert len(names) > 150
    assert any(_in(t, WEB) for t in EDGES["villagecov.cli"]), "the CLI wires the web layer"


def reaching_up(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Library modules importing the CLI, the web layer or the maps."""
    return sorted((m, t) for m, ts in edges.items() for t in ts
                  if not _in(m, WEB) and not _in(m, MAPS) and m not in EDGE
                  and (_in(t, WEB) or _in(t, MAPS) or t in EDGE))


def test_the_library_never_reaches_up() -> None:
    bad = reaching_up(EDGES)
    assert not bad, f"library modules importing the CLI, the web layer or the maps: {bad}"


def test_maps_never_import_the_web_layer_or_the_cli() -> None:
    bad = sorted((m, t) for m, ts in EDGES.items() if _in(m, MAPS) for t in ts if _in(t, WEB) or t in EDGE)
    assert not bad, bad


def test_the_web_layer_never_imports_the_cli() -> None:
    bad = sorted((m, t) for m, ts in EDGES.items() if _in(m, WEB) for t in ts if t in EDGE)
    assert not bad, bad


def test_the_compute_core_does_no_io_of_its_own() -> None:
    bad = sorted((m, t) for m, ts in EDGES.items() if _in(m, CORE)
                 for t in ts if any(_in(t, p) for p in NOT_FROM_CORE))
    assert not bad, f"villagecov.compute importing I/O or higher layers: {bad}"


def test_no_import_cycles() -> None:
    """Tarjan's strongly connected components over the module graph: none may hold two modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(EDGES.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(project_modules()):
        if module not in index:
            visit(module)
    assert not cycles, f"import cycles: {cycles}"


def test_no_generic_top_level_names_or_dynamic_imports() -> None:
    bad = sorted((m, t) for m, ts in RAW.items() for t in ts
                 if t.startswith("dynamic import") or t.split(".")[0] in ("api", "maps"))
    assert not bad, bad
    # nor in the tests, scripts, benchmarks and notebooks, which would import a second copy
    for folder in ("tests", "scripts", "benchmarks", "notebooks"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    assert node.module.split(".")[0] not in ("api", "maps"), f"{path}:{node.lineno}"
                elif isinstance(node, ast.Import):
                    assert all(a.name.split(".")[0] not in ("api", "maps") for a in node.names), f"{path}:{node.lineno}"


def test_the_checker_finds_a_planted_violation(tmp_path: Path) -> None:
    """The rules can fail: a library module importing the web layer inside a function is seen."""
    source = "def f():\n    from villagecov.api.app import create_app\n    return create_app\n"
    tree = ast.parse(source)
    modules = {"villagecov.x": tmp_path / "x.py", "villagecov.api.app": tmp_path / "app.py"}
    found = [t for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
             for t in _targets("villagecov.x", tmp_path / "x.py", node, modules)]
    assert found == ["villagecov.api.app"]
    assert reaching_up({"villagecov.x": set(found)}) == [("villagecov.x", "villagecov.api.app")]
    assert reaching_up({"villagecov.cli": set(found)}) == []
