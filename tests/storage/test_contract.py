"""One contract suite, run on the GeoPackage and the PostGIS store (the `store` fixture)."""

from __future__ import annotations

import geopandas as gpd
import geopandas.testing
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from villagecov.frames import normalize
from villagecov.schema import TABLES
from villagecov.storage import Store


def villages(as_of: str, pops: list[int], names: list[str] | None = None) -> gpd.GeoDataFrame:
    names = names or [f"Thôn {i}" for i in range(len(pops))]
    return gpd.GeoDataFrame(
        {
            "village_id": [f"v{i}" for i in range(len(pops))],
            "name": names,
            "commune_code": "18853",
            "population": pops,
            "households": [None] * len(pops),
            "remote": [True] + [False] * (len(pops) - 1),
            "derived": False,
            "source": "test",
            "as_of": as_of,
        },
        geometry=[box(106 + i * 0.01, 17, 106.005 + i * 0.01, 17.005) for i in range(len(pops))],
        crs="EPSG:4326",
    )


def test_every_table_exists_empty(store: Store) -> None:
    for name in TABLES:
        frame = store.read(name)
        assert frame.empty
        assert list(frame.columns) == TABLES[name].column_names


def test_round_trip_keeps_values_types_and_diacritics(store: Store) -> None:
    frame = villages("2024-12-31", [120, 85], ["Bản Ka Ai", "Tổ dân phố Đồng Phú"])
    with store.transaction() as tx:
        assert tx.append("villages", frame) == 2
    back = store.read("villages")
    expected = normalize(frame, TABLES["villages"])
    geopandas.testing.assert_geodataframe_equal(back, expected, check_less_precise=False)
    assert back["name"].tolist() == ["Bản Ka Ai", "Tổ dân phố Đồng Phú"]
    assert back["population"].dtype == "Int64"
    assert back["households"].isna().all()
    assert back.geometry.iloc[0].geom_type == "MultiPolygon"


def test_timestamps_and_mixed_geometries(store: Store) -> None:
    frame = gpd.GeoDataFrame(
        {
            "measurement_id": ["m1", "m2"],
            "kind": ["drive_test", "ookla_tile"],
            "time": pd.to_datetime(["2024-05-01T08:30:00+07:00", None], utc=True),
            "operator": ["viettel", None],
            "rsrp_dbm": [-97.5, None],
            "tests": [None, 12],
            "as_of": "2024-06-30",
        },
        geometry=[Point(106.6, 17.47), box(106.6, 17.4, 106.61, 17.41)],
        crs="EPSG:4326",
    )
    with store.transaction() as tx:
        tx.append("measurements", frame)
    back = store.read("measurements")
    assert str(back["time"].iloc[0]) == "2024-05-01 01:30:00+00:00"
    assert pd.isna(back["time"].iloc[1])
    assert back.geometry.geom_type.tolist() == ["Point", "Polygon"]
    assert back["tests"].tolist()[1] == 12


def test_projected_input_is_stored_in_4326(store: Store) -> None:
    frame = villages("2024-12-31", [10]).to_crs("EPSG:32648")
    with store.transaction() as tx:
        tx.append("villages", frame)
    back = store.read("villages")
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].bounds[0] == pytest.approx(106.0, abs=1e-7)


def test_where_bbox_and_count(store: Store) -> None:
    with store.transaction() as tx:
        tx.append("villages", villages("2024-12-31", [1, 2, 3]))
    assert store.read("villages", where={"village_id": ["v0", "v2"]})["population"].tolist() == [1, 3]
    assert store.read("villages", where={"village_id": "v1"})["population"].tolist() == [2]
    assert store.count("villages", {"households": None}) == 3
    assert store.read("villages", bbox=(106.009, 16.9, 106.016, 17.1))["village_id"].tolist() == ["v1"]
    with pytest.raises(KeyError):
        store.read("villages", where={"no_such_column": 1})


def test_read_page_orders_by_code_point_filters_and_pages(store: Store) -> None:
    """One page in order (text by code point: "Thôn" after "Thon", ties by insertion), equal to the
    same slice of the whole table sorted in pandas; filters as ``read``; past the end: empty."""
    names = ["Thôn Bốn", "Thon A", "Bản Ba", "Thôn Bốn", "Ấp Một", "thôn nhỏ"]
    with store.transaction() as tx:
        tx.append("villages", villages("2024-12-31", [10, 20, 30, 40, 50, 60], names=names))
    whole = store.read("villages").sort_values(["name"], kind="stable").reset_index(drop=True)
    assert [p.tolist() for p in (whole["name"],)] == [sorted(names)]
    pages = [store.read_page("villages", order_by=["name"], limit=4, offset=o) for o in (0, 4)]
    assert [len(p) for p in pages] == [4, 2]
    assert pages[0]["village_id"].tolist() + pages[1]["village_id"].tolist() == whole["village_id"].tolist()
    assert pages[0]["village_id"].tolist()[2:4] == ["v0", "v3"]  # the two "Thôn Bốn" in insertion order
    assert pages[1].geometry.iloc[0].equals(whole.geometry.iloc[4])
    assert str(pages[0]["population"].dtype) == str(whole["population"].dtype)
    filtered = store.read_page("villages", order_by=["population"], limit=10, where={"village_id": ["v5", "v1"]})
    assert filtered["population"].tolist() == [20, 60]
    assert store.read_page("villages", order_by=["name"], limit=10, offset=6).empty
    assert list(store.read_page("villages", order_by=["name"], limit=0).columns) == list(whole.columns)
    with pytest.raises(KeyError):
        store.read_page("villages", order_by=["no_such_column"], limit=1)



def test_read_page_from_a_start_key_seeks_like_the_offset(store: Store) -> None:
    """Keyset paging: from ``start`` (the order values of a row) the pages are those of the offset
    walk — text by code point with diacritics, ties (the two "Thôn Bốn") in insertion order,
    reached by skipping the ones already seen."""
    names = ["Thôn Bốn", "Thon A", "Bản Ba", "Thôn Bốn", "Ấp Một", "thôn nhỏ", "Thôn Bốn"]
    with store.transaction() as tx:
        tx.append("villages", villages("2024-12-31", [10, 20, 30, 40, 50, 60, 70], names=names))
    walk = store.read_page("villages", order_by=["name"], limit=10)["village_id"].tolist()
    assert walk == ["v2", "v1", "v0", "v3", "v6", "v5", "v4"]
    seek = store.read_page("villages", order_by=["name"], limit=2, start=["Thôn Bốn"], offset=1)
    assert seek["village_id"].tolist() == ["v3", "v6"]  # the 2nd and 3rd "Thôn Bốn"
    assert store.read_page("villages", order_by=["name"], limit=10, start=["Thon"])["village_id"].tolist() == walk[1:]
    assert store.read_page("villages", order_by=["name"], limit=10, start=["Ấp Một"])["village_id"].tolist() == ["v4"]
    assert store.read_page("villages", order_by=["name"], limit=10, start=["Ấp Mộu"]).empty
    two = store.read_page("villages", order_by=["population", "village_id"], limit=2, start=[30, "v2"])
    assert two["village_id"].tolist() == ["v2", "v3"]
    filtered = store.read_page("villages", order_by=["name"], limit=10, start=["Thôn"], where={"population": [20, 70]})
    assert filtered["village_id"].tolist() == ["v6"]
    with pytest.raises(ValueError, match="one non-null value per order_by column"):
        store.read_page("villages", order_by=["name"], limit=1, start=[None])

def test_vintages_are_append_only_and_read_as_of(store: Store) -> None:
    with store.transaction() as tx:
        tx.append("villages", villages("2019-12-31", [100, 200]))
    with store.transaction() as tx:
        tx.append("villages", villages("2024-12-31", [110]))
    assert store.vintages("villages") == ["2019-12-31", "2024-12-31"]
    assert store.count("villages") == 3  # the new vintage did not overwrite the old one
    at_2020 = store.read("villages", as_of="2020-06-01")
    assert at_2020["population"].tolist() == [100, 200]
    latest = store.read("villages", as_of="2025-01-01")
    assert dict(zip(latest["village_id"], latest["population"], strict=True)) == {"v0": 110, "v1": 200}
    assert store.read("villages", as_of="2018-01-01").empty


def test_failure_half_way_leaves_store_exactly_as_before(store: Store) -> None:
    with store.transaction() as tx:
        tx.append("villages", villages("2019-12-31", [100, 200]))
    before = store.digest()
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as tx:
        tx.append("villages", villages("2024-12-31", [5, 6, 7]))
        tx.delete("villages", {"as_of": "2019-12-31"})
        tx.append("services", pd.DataFrame({"village_id": ["v0"], "service": ["tv"], "available": [True],
                                            "as_of": ["2024-12-31"]}))
        raise RuntimeError("boom")
    assert store.digest() == before
    assert store.count("services") == 0


def test_a_bad_row_in_the_middle_of_a_write_aborts_all_of_it(store: Store) -> None:
    before = store.digest()
    bad = pd.DataFrame({"village_id": ["v0"], "service": ["tv"], "available": [True], "as_of": ["not a date"]})
    with pytest.raises(Exception), store.transaction() as tx:  # noqa: B017 - any error must roll back
        tx.append("villages", villages("2024-12-31", [1]))
        tx.append("services", bad)
    assert store.digest() == before


def test_delete_refuses_an_empty_filter(store: Store) -> None:
    with pytest.raises(ValueError), store.transaction() as tx:
        tx.delete("villages", {})


def test_geometry_polygon_is_promoted_to_multipolygon(store: Store) -> None:
    poly = Polygon([(106, 17), (106.1, 17), (106.1, 17.1)])
    frame = gpd.GeoDataFrame({"coverage_id": ["c1"], "operator": ["viettel"], "technology": ["4G"],
                              "evidence": ["declared"], "as_of": ["2024-12-31"]}, geometry=[poly], crs=4326)
    with store.transaction() as tx:
        tx.append("coverage", frame)
    assert store.read("coverage").geometry.iloc[0].geom_type == "MultiPolygon"
