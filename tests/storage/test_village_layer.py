"""The prepared village layer of a PostGIS store (Alembic 0007, ``villagecov.storage.village_layer``):
it equals the villages and gaps the API computes in pandas, follows every store write in the same
commit, is left as it was by a failed write, is never served stale after a write that bypassed the
store, and stays right when two writers change its sources at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.api.conftest import Seeded, seeded_store
from tests.api.test_tiles import decode, tile_url
from villagecov.storage import open_store
from villagecov.storage.village_layer import is_fresh

pytestmark = pytest.mark.postgis
LAYER = ("SELECT village_id, name, commune_code, population, remote, status_2g, status_3g, status_4g, status_5g, "
         "pop_share_4g, operators_4g, uncovered_population, gap_rank, ST_AsBinary(geometry) AS wkb "
         "FROM village_layer ORDER BY village_id")


@pytest.fixture()
def seeded_pg(tmp_path: Path) -> Iterator[Seeded]:
    with seeded_store("postgis", tmp_path) as s:
        yield s


def layer(url: str) -> pd.DataFrame:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = pd.read_sql(sa.text(LAYER), conn)
    engine.dispose()
    return out


def fresh(url: str) -> bool:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = is_fresh(conn)
    engine.dispose()
    return out


def execute(url: str, sql: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def test_the_layer_holds_the_villages_and_gaps_the_api_computes_in_pandas(seeded_pg: Seeded) -> None:
    from villagecov.publishing import gaps_frame, villages_frame

    store = open_store(seeded_pg.settings.store)
    try:
        villages, gaps = villages_frame(store, None), gaps_frame(store, None)
    finally:
        store.close()
    got = layer(seeded_pg.settings.store)
    assert got["village_id"].tolist() == villages["village_id"].tolist() == ["V1", "V2", "V3", "V4", "V5", "V6"]
    for col in ("name", "commune_code", "population", "remote", "status_2g", "status_3g", "status_4g", "status_5g",
                "operators_4g"):
        assert got[col].astype(object).where(got[col].notna(), None).tolist() == \
            villages[col].astype(object).where(villages[col].notna(), None).tolist(), col
    pd.testing.assert_series_equal(got["pop_share_4g"], villages["pop_share_4g"].astype("float64"), check_names=False)
    assert got["wkb"].map(bytes).tolist() == villages.geometry.to_wkb().tolist()
    ranked = got.dropna(subset=["gap_rank"]).sort_values("gap_rank")
    assert ranked["village_id"].tolist() == gaps["village_id"].tolist()  # V6 is covered in the latest vintage
    assert ranked["gap_rank"].tolist() == gaps["rank"].astype(int).tolist()
    assert ranked["uncovered_population"].tolist() == gaps["uncovered_population"].astype(int).tolist()
    assert fresh(seeded_pg.settings.store)


def test_the_layer_follows_each_store_write_and_a_failed_one_changes_nothing(seeded_pg: Seeded) -> None:
    from tests.storage.test_contract import villages

    url = seeded_pg.settings.store
    before = layer(url)
    store = open_store(url)
    try:
        with pytest.raises(RuntimeError, match="half way"), store.transaction() as tx:
            tx.append("villages", villages("2025-01-01", [50]).assign(village_id="V9"))
            raise RuntimeError("half way")
        pd.testing.assert_frame_equal(layer(url), before)
        assert fresh(url)
        with store.transaction() as tx:  # a new register row of V2 and a new village
            new = villages("2025-01-01", [777, 50]).assign(village_id=["V2", "V9"], name=["Thôn Hai mới", "Bản Chín"])
            tx.append("villages", new)
        after = layer(url).set_index("village_id")
        assert after.loc["V2", "population"] == 777 and after.loc["V2", "name"] == "Thôn Hai mới"
        assert after.loc["V2", "status_4g"] == "partial"  # its status is kept: the summary is per village id
        assert after.loc["V9", "name"] == "Bản Chín" and pd.isna(after.loc["V9", "status_4g"])
        assert len(after) == 7 and fresh(url)
        with store.transaction() as tx:
            tx.delete("villages", {"village_id": "V9"})
        assert "V9" not in set(layer(url)["village_id"])
    finally:
        store.close()


def test_a_write_that_bypasses_the_store_is_never_served_from_a_stale_layer(seeded_pg: Seeded) -> None:
    from villagecov.api.app import create_app

    url = seeded_pg.settings.store
    execute(url, "UPDATE villages SET population = 4242 WHERE village_id = 'V1'")
    assert not fresh(url) and layer(url).set_index("village_id").loc["V1", "population"] == 1000

    def shown() -> dict[str, int]:
        with TestClient(create_app(seeded_pg.settings.model_copy(update={"tile_cache_mb": 0}))) as c:
            feats = decode(c.get(tile_url("villages", *seeded_pg.centres["V1"], 8)).content)["villages"]["features"]
        return {f["properties"]["village_id"]: f["properties"]["population"] for f in feats}

    assert shown()["V1"] == 4242  # joined from the tables, not read from the stale layer
    store = open_store(url)
    assert store.info()["village_layer"].startswith("stale")  # `villagecov doctor` says so
    store.initialize()  # as `villagecov serve`, ingest and compute do first: a stale layer is rebuilt
    assert store.info()["village_layer"].startswith("fresh, 6 villages, rebuilt 20")
    store.close()
    assert fresh(url) and layer(url).set_index("village_id").loc["V1", "population"] == 4242
    assert shown()["V1"] == 4242


def test_two_writers_at_once_both_reach_the_layer(seeded_pg: Seeded) -> None:
    """The first writer's trigger locks the layer's state row until it commits, so the second
    writer's rebuild runs after that commit and sees both writes. Without the lock the second would
    rebuild while the first's rebuilt rows are still uncommitted, and both sets would remain."""
    from tests.storage.test_contract import villages
    from villagecov.storage.village_layer import refresh_if_stale

    url = seeded_pg.settings.store
    first_rebuilt, errors = threading.Event(), []

    def first() -> None:  # what PostGISStore.transaction does, with a pause between rebuild and commit
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO villages (village_id, name, population, as_of, geometry) "
                                     "VALUES ('A1', 'Thôn A', 11, '2025-02-01', ST_Multi(ST_MakeEnvelope("
                                     "106.2, 17.2, 106.201, 17.201, 4326)))"))
                assert refresh_if_stale(conn)
                first_rebuilt.set()
                threading.Event().wait(1.0)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            engine.dispose()

    t = threading.Thread(target=first)
    t.start()
    assert first_rebuilt.wait(30)
    store = open_store(url)
    try:
        with store.transaction() as tx:
            tx.append("villages", villages("2025-02-01", [22]).assign(village_id="B1"))
    finally:
        store.close()
    t.join(30)
    assert not errors
    ids = layer(url)["village_id"]
    assert {"A1", "B1"} <= set(ids) and ids.is_unique and fresh(url)
