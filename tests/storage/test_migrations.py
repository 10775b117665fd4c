"""One schema truth: the frozen Alembic revisions build exactly what ``villagecov.schema`` declares
(through ``villagecov.storage.metadata``), never by importing it; new revisions are generated against
it; a GeoPackage made by an older version upgrades to the tables and columns a new store has."""

from __future__ import annotations

import ast
import gzip
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from tests.conftest import drop_postgis_database, fresh_postgis_database
from villagecov.schema import TABLES
from villagecov.storage import open_store
from villagecov.storage.geopackage import GPKG_TYPES
from villagecov.storage.metadata import METADATA, include_object
from villagecov.storage.postgis import MIGRATIONS_DIR

VERSIONS = MIGRATIONS_DIR / "versions"
FIXTURES = Path(__file__).with_name("fixtures")
# What a revision may import: the migration tools, never the project (whose schema moves on).
MIGRATION_IMPORTS = {"alembic", "sqlalchemy", "geoalchemy2", "__future__"}


def _config(script_location: Path, conn: sa.Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.attributes["connection"] = conn
    return cfg


def _differences(conn: sa.Connection) -> list[Any]:
    """Alembic's autogenerate comparison of the database with schema.py's metadata, filtered as
    ``env.py`` filters it (``include_object``): PostGIS's own ``spatial_ref_sys`` is not ours, and
    ``ix_measurements_page`` cannot be compared (reflection drops its COLLATE "C"; checked below).
    Nothing else is ignored: the GiST indexes carry the names the metadata gives them
    (``idx_<table>_geometry``, GeoAlchemy2's), so they are compared like any other index."""
    context = MigrationContext.configure(conn, opts={"include_object": include_object, "compare_type": True})
    return compare_metadata(context, METADATA)


def _page_index(conn: sa.Connection) -> str:
    return str(conn.execute(sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_measurements_page'"))
               .scalar())


@pytest.mark.postgis
def test_postgis_upgrade_head_on_an_empty_database_equals_schema_py() -> None:
    url = fresh_postgis_database()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            cfg = _config(MIGRATIONS_DIR, conn)
            command.upgrade(cfg, "head")
            conn.commit()
            assert _differences(conn) == []
            assert _page_index(conn).endswith('USING btree (measurement_id COLLATE "C", fid)')
            command.downgrade(cfg, "base")  # every revision's downgrade undoes exactly its upgrade
            conn.commit()
            assert set(sa.inspect(conn).get_table_names()) == {"spatial_ref_sys", "alembic_version"}
            command.upgrade(cfg, "head")
            conn.commit()
            assert _differences(conn) == []
    finally:
        engine.dispose()
        drop_postgis_database(url)


@pytest.mark.postgis
def test_postgis_store_of_the_first_revision_upgrades_to_schema_py_with_its_rows() -> None:
    """A store left at 0001 (as the first version made it) with a village in it: ``initialize``
    brings it to head, equal to schema.py, the village kept and in the village layer."""
    url = fresh_postgis_database()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            command.upgrade(_config(MIGRATIONS_DIR, conn), "0001")
            conn.execute(sa.text("INSERT INTO villages (village_id, name, population, as_of, geometry) VALUES "
                                 "('v1', 'Thôn Tân Lý', 120, '2024-12-31', ST_Multi(ST_MakeEnvelope(106.5, 17.4, "
                                 "106.51, 17.41, 4326)))"))
            conn.commit()
        with open_store(url, initialize=True) as store:
            assert store.read("villages")["name"].tolist() == ["Thôn Tân Lý"]
        with engine.connect() as conn:
            assert _differences(conn) == []
            assert conn.execute(sa.text("SELECT village_id FROM village_layer")).scalars().all() == ["v1"]
    finally:
        engine.dispose()
        drop_postgis_database(url)


@pytest.mark.postgis
def test_postgis_autogenerate_writes_the_next_revision_from_schema_py(tmp_path: Path) -> None:
    """The way a column or table is added: with the newest revision not written yet, ``alembic
    revision --autogenerate`` against schema.py writes it out (numbered next, explicit operations),
    and running it gives the database schema.py declares (``alembic check`` agrees)."""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / "0010_challenges.py").unlink()  # schema.py has challenges, the scripts not yet
    url = fresh_postgis_database()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            cfg = _config(scripts, conn)
            command.upgrade(cfg, "head")
            conn.commit()
            command.revision(cfg, message="challenges", autogenerate=True)
            written = sorted((scripts / "versions").glob("0010_*.py"))
            assert [p.name for p in written] == ["0010_challenges.py"]
            text = written[0].read_text()
            assert "op.create_table('challenges'" in text and "op.create_index('ix_challenges_status'" in text
            assert not _project_imports(written[0])
            command.upgrade(cfg, "head")
            conn.commit()
            assert _differences(conn) == []
            command.check(cfg)  # `alembic check`: raises when schema.py and the database differ
    finally:
        engine.dispose()
        drop_postgis_database(url)


def _project_imports(path: Path) -> list[str]:
    """Modules ``path`` imports beyond the migration tools, and uses of the live metadata."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] not in MIGRATION_IMPORTS]
        elif isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").split(".")[0] not in MIGRATION_IMPORTS:
                found.append("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name in ("METADATA", "create_all", "drop_all", "import_module", "__import__"):
                found.append(name)
    return found


def test_no_revision_imports_the_live_schema() -> None:
    revisions = sorted(VERSIONS.glob("[0-9]*.py"))
    assert len(revisions) >= 10
    assert {p.name: _project_imports(p) for p in revisions} == {p.name: [] for p in revisions}


def _gpkg_layout(path: Path) -> dict[str, dict[str, str]]:
    """Table -> column -> declared type; index names under "<indexes>" (GeoPackage internals left out)."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents ORDER BY table_name")]
        out = {t: {r[1]: r[2] for r in con.execute(f'PRAGMA table_info("{t}")')} for t in tables}
        out["<indexes>"] = {r[0]: r[1] for r in con.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_%'")}
        out["<features>"] = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents"))
        out["<rtree>"] = {r[0]: "rtree" for r in con.execute(
            "SELECT table_name FROM gpkg_extensions WHERE extension_name = 'gpkg_rtree_index'")}
    finally:
        con.close()
    return out


def test_geopackage_of_the_first_version_upgrades_to_the_tables_and_columns_of_schema_py(tmp_path: Path) -> None:
    """``fixtures/store_0001.gpkg.gz``: a store made by the first version (commit 87b9aef, schema of
    revision 0001) holding one SYNTHETIC village and one submission. ``initialize`` gives it every
    table, column and index of schema.py, declared as a new store declares them, and keeps its rows."""
    old = tmp_path / "old.gpkg"
    with gzip.open(FIXTURES / "store_0001.gpkg.gz") as src, open(old, "wb") as dst:
        shutil.copyfileobj(src, dst)
    assert "village_summary" not in _gpkg_layout(old)
    new = tmp_path / "new.gpkg"
    open_store(str(new), initialize=True)
    store = open_store(str(old), initialize=True)

    upgraded, fresh = _gpkg_layout(old), _gpkg_layout(new)
    assert upgraded == fresh
    for name, spec in TABLES.items():  # and both are what schema.py declares
        expected = {"fid": "INTEGER", **{c: GPKG_TYPES[k] for c, k in spec.columns.items()}}
        assert {c: t for c, t in fresh[name].items() if c != "geom"} == expected
        assert ("geom" in fresh[name]) == bool(spec.geometry)
        assert {i for i, t in fresh["<indexes>"].items() if t == name} == {
            f"ix_{name}_{'_'.join(cols)}" for cols in spec.indexes}

    villages = store.read("villages")
    assert villages["name"].tolist() == ["Thôn Tân Lý (SYNTHETIC)"] and villages["submission_id"].isna().all()
    assert store.read("submissions")["filename"].tolist() == ["thon.geojson"]
    with store.transaction() as tx:  # columns added by the upgrade take rows like a new store's
        tx.append("submissions", pd.DataFrame({"sha256": ["cd34"], "kind": ["services"], "options": ["{}"],
                                               "as_of": ["2025-06-30"], "submission_id": ["sub-1"]}))
        tx.append("villages", gpd.GeoDataFrame({"village_id": ["v2"], "as_of": ["2025-06-30"],
                                                "submission_id": ["sub-1"]},
                                               geometry=[shapely.box(106.6, 17.5, 106.61, 17.51)], crs="EPSG:4326"))
    subs = store.read("submissions", where={"sha256": "cd34"})
    assert subs[["as_of", "submission_id"]].values.tolist() == [["2025-06-30", "sub-1"]]
    assert store.read("villages", where={"village_id": "v2"})["submission_id"].tolist() == ["sub-1"]
    before = old.stat().st_mtime_ns
    store.initialize()  # nothing missing now: the file is not rewritten
    assert old.stat().st_mtime_ns == before
