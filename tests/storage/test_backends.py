"""What differs between the backends: identical digests, spatial indexes, migrations, GeoPackage validity."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyogrio
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tests.conftest import drop_postgis_database, fresh_postgis_database
from tests.storage.test_contract import villages
from villagecov.schema import TABLES
from villagecov.storage import open_store
from villagecov.storage.postgis import MIGRATIONS_DIR


@pytest.mark.postgis
def test_same_content_gives_the_same_digest_on_both_backends(tmp_path: Path) -> None:
    url = fresh_postgis_database()
    try:
        digests = []
        for u in (str(tmp_path / "s.gpkg"), url):
            s = open_store(u, initialize=True)
            with s.transaction() as tx:
                tx.append("villages", villages("2024-12-31", [3, 4], ["Thôn Tân Lý", "Bản Dốc Mây"]))
            digests.append(s.digest())
            s.close()
        assert digests[0] == digests[1]
    finally:
        drop_postgis_database(url)


@pytest.mark.postgis
def test_postgis_schema_is_migrated_and_every_geometry_indexed() -> None:
    url = fresh_postgis_database()
    try:
        s = open_store(url, initialize=True)
        s.initialize()  # idempotent
        head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
        assert s.info()["schema_revision"] == head
        assert "POSTGIS=" in s.info()["postgis_full_version"]
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname='public'"))
            gist = {t for t, d in rows if "USING gist" in d}
        engine.dispose()
        s.close()
        # every canonical geometry table, and the village layer the tiles read (0007)
        assert gist == {name for name, spec in TABLES.items() if spec.geometry} | {"village_layer"}
    finally:
        drop_postgis_database(url)


def test_geopackage_is_a_valid_gpkg_with_rtree_per_geometry_table(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    s = open_store(str(path), initialize=True)
    with s.transaction() as tx:
        tx.append("villages", villages("2024-12-31", [1]))
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # 'GPKG'
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rtrees = {r[0] for r in con.execute("SELECT table_name FROM gpkg_extensions WHERE extension_name='gpkg_rtree_index'")}
    contents = dict(con.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
    con.close()
    assert rtrees == {name for name, spec in TABLES.items() if spec.geometry}
    assert contents["villages"] == "features" and contents["services"] == "attributes"
    info = pyogrio.read_info(path, layer="villages")
    assert info["crs"] == "EPSG:4326" and info["features"] == 1


def test_killed_writer_leftover_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "s.gpkg"
    s = open_store(str(path), initialize=True)
    before = s.digest()
    leftover = path.with_name(path.name + ".writing.gpkg")
    leftover.write_bytes(b"half-written")
    assert s.digest() == before
    with s.transaction() as tx:
        tx.append("villages", villages("2024-12-31", [1]))
    assert not leftover.exists()
    assert s.count("villages") == 1


def test_unknown_table_is_refused(tmp_path: Path) -> None:
    s = open_store(str(tmp_path / "s.gpkg"), initialize=True)
    with pytest.raises(KeyError, match="unknown table"):
        s.read("towers")


def test_an_empty_store_url_is_a_clear_error() -> None:
    from villagecov.errors import ConfigError

    with pytest.raises(ConfigError, match="set VILLAGECOV_STORE"):
        open_store("  ")
