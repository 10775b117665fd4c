"""The web layer never branches on the store's backend nor reaches into it: what differs between
GeoPackage and PostGIS (SQL, engines, state tokens, tile encoding) lives behind the ``Store``
interface (``villagecov.storage``). Checked on the syntax tree of every module under ``api/``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
BACKENDS = {"postgis", "geopackage"}
# Database drivers and SQL toolkits: SQL text is the store's business.
DRIVERS = {"sqlalchemy", "geoalchemy2", "psycopg", "psycopg2", "sqlite3", "alembic", "pyogrio", "fiona"}
# What the web layer may import from the storage package: the interface, its filter values and
# the tile types; never a backend, its SQL or its migrations.
STORAGE_PUBLIC = {"villagecov.storage", "villagecov.storage.base", "villagecov.storage.tiles"}
BACKEND_CLASSES = {"PostGISStore", "GeoPackageStore"}
SQL = re.compile(r"\b(SELECT\b.*\bFROM|INSERT\s+INTO|DELETE\s+FROM|UPDATE\b.*\bSET|CREATE\s+(TABLE|INDEX|VIEW))\b",
                 re.DOTALL)


def _storeish(node: ast.expr) -> bool:
    """``store``, ``self.store``, ``request.app.state.store``, ``st``…: an expression naming a store."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return "store" in name.lower() or name == "st"


def violations(source: str, filename: str = "<api>") -> list[str]:
    """Each backend branch or reach into a store in ``source``, as ``file:line: what``."""
    found: list[str] = []

    def say(node: ast.AST, what: str) -> None:
        found.append(f"{filename}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.split(".")[0] in DRIVERS:
                    say(node, f"imports {name} (SQL and drivers belong to villagecov.storage)")
                if name.startswith("villagecov.storage") and name not in STORAGE_PUBLIC:
                    say(node, f"imports {name} (use the Store interface: {', '.join(sorted(STORAGE_PUBLIC))})")
            if isinstance(node, ast.ImportFrom) and node.module in STORAGE_PUBLIC:
                for alias in node.names:
                    if alias.name in BACKEND_CLASSES or alias.name in BACKENDS:
                        say(node, f"imports the backend {alias.name}")
        elif isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if isinstance(side, ast.Attribute) and side.attr == "kind" and _storeish(side.value):
                    say(node, "compares the store's kind (a backend branch)")
                if isinstance(side, ast.Constant) and isinstance(side.value, str) and side.value in BACKENDS:
                    say(node, f"compares with the backend name {side.value!r}")
                if isinstance(side, ast.Tuple | ast.List | ast.Set) and any(
                        isinstance(e, ast.Constant) and e.value in BACKENDS for e in side.elts):
                    say(node, "compares with a backend name")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "isinstance":
            classes = node.args[1:] if len(node.args) > 1 else []
            for cls in classes:
                names = {n.id for n in ast.walk(cls) if isinstance(n, ast.Name)} | {
                    n.attr for n in ast.walk(cls) if isinstance(n, ast.Attribute)}
                if names & BACKEND_CLASSES:
                    say(node, "isinstance test on a backend class")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            say(node, "holds SQL text (the store writes its own SQL)")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__") \
                and _storeish(node.value):
            say(node, f"touches the store's private member {node.attr}")
    return found


def test_the_api_has_no_backend_branches_and_no_sql() -> None:
    files = sorted(API.rglob("*.py"))
    assert files, f"no modules under {API}"
    found = [v for path in files for v in violations(path.read_text(encoding="utf-8"), str(path.relative_to(API.parent)))]
    assert not found, "the web layer branches on or reaches into the store:\n" + "\n".join(found)


def test_the_check_catches_what_it_is_meant_to() -> None:
    """Each rule on a small example (so that a check that silently stopped matching shows up)."""
    bad = {
        "if store.kind == 'postgis': pass": "kind",
        "if self.store.kind != 'geopackage': pass": "kind",
        "x = 'postgis' == kind": "backend name",
        "with store._connect() as conn: pass": "_connect",
        "e = store._engine": "_engine",
        "import sqlalchemy as sa": "sqlalchemy",
        "from sqlalchemy import text": "sqlalchemy",
        "import sqlite3": "sqlite3",
        "from villagecov.storage.postgis import PostGISStore": "villagecov.storage.postgis",
        "from villagecov.storage.village_layer import villages_sql": "village_layer",
        "ok = isinstance(store, PostGISStore)": "isinstance",
        "q = f'SELECT max(fid) FROM {name}'": "SQL",
        "q = 'DELETE FROM villages'": "SQL",
    }
    for source, word in bad.items():
        found = violations(source)
        assert found and any(word in f for f in found), (source, found)
    fine = ("if form.kind not in KINDS: pass", "n = store.count('villages')", "from villagecov.storage import Store",
            "from villagecov.storage.tiles import Tile", "label = store.kind", "self._lock = None",
            "msg = 'select a layer from the list'")
    for source in fine:
        assert violations(source) == [], source
