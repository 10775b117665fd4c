"""Stores made before a schema change gain its columns and indexes: Alembic 0004 and 0005 on PostGIS,
``initialize`` on GeoPackage (village_summary status columns; indexes for the village tiles)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import sqlalchemy as sa

from tests.conftest import drop_postgis_database, fresh_postgis_database
from villagecov.storage import Store, open_store
from villagecov.storage.postgis import MIGRATIONS_DIR

NEW_COLUMNS = {"status_2g", "status_3g", "status_4g", "status_5g", "pop_share_4g"}
NEW_INDEXES = {"ix_village_summary_as_of_village_id", "ix_villages_village_id_as_of", "ix_village_coverage_village_id"}
ROW = pd.DataFrame({"village_id": ["v1"], "as_of": ["2025-06-30"], "status_4g": ["covered"], "pop_share_4g": [0.9]})


def downgrade(store: Store, revision: str) -> None:
    """Take a PostGIS store back to an Alembic ``revision`` (``store.initialize()`` goes to head)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with store._connect() as conn:  # type: ignore[attr-defined]
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
        conn.commit()


def _pg_state(url: str) -> tuple[set[str], set[str]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        cols = {r[0] for r in conn.execute(sa.text(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'village_summary'"))}
        idx = {r[0] for r in conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"))}
    engine.dispose()
    return cols, idx


@pytest.mark.postgis
def test_postgis_0004_adds_the_status_columns_and_indexes_and_goes_back() -> None:
    url = fresh_postgis_database()
    try:
        store = open_store(url, initialize=True)
        downgrade(store, "0003")
        cols, idx = _pg_state(url)
        assert not cols & NEW_COLUMNS and not idx & NEW_INDEXES and store.info()["schema_revision"] == "0003"
        store.initialize()  # back to head, as `villagecov doctor`/compute do
        cols, idx = _pg_state(url)
        assert NEW_COLUMNS <= cols and NEW_INDEXES <= idx
        with store.transaction() as tx:
            tx.append("village_summary", ROW)
        assert store.read("village_summary")["status_4g"].tolist() == ["covered"]
        store.close()
    finally:
        drop_postgis_database(url)


def test_geopackage_initialize_adds_missing_columns_and_indexes(tmp_path: Path) -> None:
    path = tmp_path / "old.gpkg"
    store = open_store(str(path), initialize=True)
    con = sqlite3.connect(path)  # make it look like a store created before the change
    for col in NEW_COLUMNS:
        con.execute(f'ALTER TABLE village_summary DROP COLUMN "{col}"')
    for name in NEW_INDEXES:
        con.execute(f'DROP INDEX "{name}"')
    con.commit()
    con.close()
    with pytest.raises(pyogrio.errors.DataLayerError):  # GDAL refuses fields the layer lacks
        with store.transaction() as tx:
            tx.append("village_summary", ROW)
    store.initialize()
    con = sqlite3.connect(path)
    cols = {r[1] for r in con.execute('PRAGMA table_info("village_summary")')}
    idx = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    con.close()
    assert NEW_COLUMNS <= cols and NEW_INDEXES <= idx
    with store.transaction() as tx:
        tx.append("village_summary", ROW)
    frame = store.read("village_summary")
    assert frame["status_4g"].tolist() == ["covered"] and frame["pop_share_4g"].tolist() == [0.9]
    before = path.stat().st_mtime_ns
    store.initialize()  # nothing missing: the file is not rewritten
    assert path.stat().st_mtime_ns == before


MERCATOR_TABLES = {"admin_units", "villages", "coverage", "plan_villages"}


def _mercator_tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = {r[0] for r in conn.execute(sa.text(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'geom_3857' "
            "AND is_generated = 'ALWAYS'"))}
    engine.dispose()
    return found


@pytest.mark.postgis
def test_postgis_0005_keeps_a_web_mercator_copy_that_follows_every_write() -> None:
    """0005 adds geom_3857 = ST_Transform(geometry, 3857) as a stored generated column to the
    polygon tables the tiles draw; PostgreSQL recomputes it on insert and update, reads never see it,
    and downgrading to 0004 removes it."""
    from tests.storage.test_contract import villages

    url = fresh_postgis_database()
    try:
        store = open_store(url, initialize=True)
        assert _mercator_tables(url) == MERCATOR_TABLES
        rows = villages("2024-01-01", [100, 200, 300])
        with store.transaction() as tx:
            tx.append("villages", rows)
        assert "geom_3857" not in store.read("villages").columns
        engine = sa.create_engine(url)
        check = ("SELECT count(*), sum(CASE WHEN ST_SRID(geom_3857) = 3857 AND ST_Equals(geom_3857, "
                 "ST_Transform(geometry, 3857)) THEN 1 ELSE 0 END) FROM villages")
        with engine.begin() as conn:
            n, same = conn.execute(sa.text(check)).one()
            assert n == len(rows) and same == n
            conn.execute(sa.text("UPDATE villages SET geometry = ST_Multi(ST_Buffer(geometry, 0.01))"))
            n, same = conn.execute(sa.text(check)).one()
            assert same == n
        engine.dispose()
        downgrade(store, "0004")
        assert _mercator_tables(url) == set() and store.info()["schema_revision"] == "0004"
        store.initialize()
        assert _mercator_tables(url) == MERCATOR_TABLES
        store.close()
    finally:
        drop_postgis_database(url)


@pytest.mark.postgis
def test_postgis_measurement_pages_walk_an_index_instead_of_sorting_the_table() -> None:
    """0006: the query of ``read_page("measurements", order_by=["measurement_id"])`` is answered by
    walking ix_measurements_page (measurement_id COLLATE "C", fid), with no sort node — from the
    start of the table or seeking from a key."""
    import json

    url = fresh_postgis_database()
    try:
        store = open_store(url, initialize=True)
        captured: list[tuple[str, object]] = []
        sa.event.listen(store.engine, "before_cursor_execute",
                        lambda conn, cur, stmt, params, ctx, many: captured.append((stmt, params)))
        assert store.read_page("measurements", order_by=["measurement_id"], limit=100, offset=200).empty
        assert store.read_page("measurements", order_by=["measurement_id"], limit=100, start=["M0001"]).empty
        pages = [(s, p) for s, p in captured if "ORDER BY" in s]
        assert len(pages) == 2 and ">=" in pages[1][0]
        for stmt, params in pages:  # by offset, and seeking from a key (the API's cursor)
            with store.engine.connect() as conn:
                # an empty table: make the planner show how it would read a large one (an ordered index walk)
                conn.execute(sa.text("SET enable_seqscan = off"))
                conn.execute(sa.text("SET enable_bitmapscan = off"))
                plan = json.dumps(conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + stmt, params).scalar())
            assert "ix_measurements_page" in plan and '"Sort"' not in plan
        store.close()
    finally:
        drop_postgis_database(url)


@pytest.mark.postgis
def test_postgis_0007_fills_the_village_layer_of_a_store_made_before_it() -> None:
    """A store written at 0006 has no village layer; upgrading creates it and ``initialize`` fills
    it from the rows already there; downgrading removes the layer and its triggers."""
    from tests.storage.test_contract import villages

    url = fresh_postgis_database()
    try:
        store = open_store(url, initialize=True)
        with store.transaction() as tx:  # rows first: a 0006 store cannot take the columns of later revisions
            tx.append("villages", villages("2024-01-01", [100, 200, 300]))
        downgrade(store, "0006")  # the rows stay; the layer and its triggers go
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT to_regclass('village_layer')")).scalar() is None
        store.initialize()
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT village_id, population FROM village_layer ORDER BY village_id")).all()
            stale = conn.execute(sa.text("SELECT stale FROM village_layer_state")).scalar()
        assert [tuple(r) for r in rows] == [("v0", 100), ("v1", 200), ("v2", 300)] and stale is False
        downgrade(store, "0006")
        with engine.connect() as conn:
            triggers = conn.execute(sa.text("SELECT count(*) FROM pg_trigger WHERE tgname = 'village_layer_stale'")).scalar()
            assert conn.execute(sa.text("SELECT to_regclass('village_layer')")).scalar() is None and triggers == 0
        engine.dispose()
        store.close()
    finally:
        drop_postgis_database(url)
