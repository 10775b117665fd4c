"""The indicators added to the catalogue, against values computed by hand on a small province,
through ``compute_all`` on both stores (GeoPackage and PostGIS).

Province P (one district D, communes c1 and c2: 10 × 10 km each, 100 km²). Villages: v0 and v1
split c1 into two 5 × 10 km halves (300 and 100 people; 60 households and unknown), v2 is all
of c2 (600 people, 100 households). 2G (mobifone) covers everything, 4G (viettel) covers v0,
3G (vinaphone) the western half of v2. Sites: a post office in c1 (a second one in c2 closed in
2023), commune radio stations in c1 (IP) and c2 (FM), a fibre PoP in c2, and three mobile sites:
viettel (2G, 4G) and mobifone (2G) 10 m apart in c1 — one shared tower, three base stations — and
vinaphone (3G) in c2.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from tests.compute.helpers import X0, Y0, box, coverage, villages
from villagecov.catalogue import CATALOGUE, lookup
from villagecov.compute_pipeline import compute_all
from villagecov.schema import METRIC_CRS, STORAGE_CRS
from villagecov.settings import Settings
from villagecov.storage import Store


def _units() -> gpd.GeoDataFrame:
    rows = [("P", "province", "Tỉnh P", None, box(0, 0, 20000, 10000)),
            ("D", "district", "Huyện D", "P", box(0, 0, 20000, 10000)),
            ("c1", "commune", "Xã Một", "D", box(0, 0, 10000, 10000)),
            ("c2", "commune", "Xã Hai", "D", box(10000, 0, 10000, 10000))]
    return gpd.GeoDataFrame(
        [{"code": c, "level": lv, "name": n, "parent_code": p, "version": "2019", "area_km2": 100.0 if lv == "commune"
          else 200.0, "as_of": "2019-04-01", "source": "SYNTHETIC", "geometry": g} for c, lv, n, p, g in rows],
        geometry="geometry", crs=METRIC_CRS).to_crs(STORAGE_CRS)


def _site(site_id: str, kind: str, operator: str, x: float, y: float, tech: str = "", to: str | None = None) -> dict:
    return {"site_id": site_id, "kind": kind, "operator": operator, "technologies": tech, "as_of": "2024-01-01",
            "in_service_from": "2010-01-01", "in_service_to": to, "source": "SYNTHETIC",
            "geometry": shapely.Point(X0 + x, Y0 + y)}


def _fill(store: Store) -> None:
    v = villages([
        {"geometry": box(0, 0, 5000, 10000), "population": 300, "households": 60},
        {"geometry": box(5000, 0, 5000, 10000), "population": 100, "households": None},
        {"geometry": box(10000, 0, 10000, 10000), "population": 600, "households": 100, "commune_code": "c2"},
    ])
    cov = pd.concat([
        coverage([{"geometry": box(0, 0, 20000, 10000), "operator": "mobifone", "technology": "2G"}]),
        coverage([{"geometry": box(0, 0, 5000, 10000), "operator": "viettel", "technology": "4G"}]),
        coverage([{"geometry": box(10000, 0, 5000, 10000), "operator": "vinaphone", "technology": "3G"}]),
    ], ignore_index=True)
    services = pd.DataFrame({"village_id": ["v0", "v1", "v2", "v0", "v1", "v2"],
                             "service": ["fixed_broadband"] * 3 + ["post"] * 3,
                             "available": [False, False, True, True, False, False],
                             "as_of": "2024-01-01", "source": "SYNTHETIC"})
    sites = gpd.GeoDataFrame([
        _site("po1", "post_office", "vnpost", 2000, 2000),
        _site("po2", "post_office", "vnpost", 12000, 2000, to="2023-01-01"),
        _site("r1", "commune_radio", "province", 3000, 3000, "IP"),
        _site("r2", "commune_radio", "province", 13000, 3000, "FM"),
        _site("f2", "fibre_pop", "viettel", 14000, 3000),
        _site("m1", "mobile_tower", "viettel", 1000, 1000, "2G,4G"),
        _site("m2", "mobile_tower", "mobifone", 1010, 1000, "2G"),
        _site("m3", "mobile_tower", "vinaphone", 15000, 5000, "3G"),
    ], geometry="geometry", crs=METRIC_CRS).to_crs(STORAGE_CRS)
    with store.transaction() as tx:
        tx.append("admin_units", _units())
        tx.append("villages", v)
        tx.append("coverage", gpd.GeoDataFrame(cov, crs=STORAGE_CRS))
        tx.append("services", services)
        tx.append("sites", sites)


@pytest.fixture
def computed(store: Store, tmp_path) -> pd.DataFrame:
    _fill(store)
    groups = tmp_path / "groups.csv"
    groups.write_text("group,level,code,source,as_of\nzone_iii,commune,c2,QĐ 861/QĐ-TTg,2021-06-04\n"
                      "ethnic_minority,village,v1,SYNTHETIC register,2024-01-01\n", encoding="utf-8")
    settings = Settings(store=store.url, archive_dir=tmp_path / "archive", target_groups_file=groups)
    compute_all(settings)
    ind = store.read("indicators")
    return ind[ind["boundary_version"] == "2019"].set_index(["indicator", "level", "unit_code"])


def test_coverage_indicators_cumulative_area_households(computed: pd.DataFrame) -> None:
    p = computed.xs(("province", "P"), level=("level", "unit_code"))
    assert p.loc["t8.population_4g_share", "value"] == pytest.approx(0.3)
    assert p.loc["t8.population_3g_share", "value"] == pytest.approx(0.3)  # half of v2's 600
    # SDG 9.c.1: at least 3G = v0 (4G) + half of v2 = 600 of 1,000; monotonic down the generations
    expected = {"2g": 1.0, "3g": 0.6, "4g": 0.3, "5g": 0.0}
    for t, value in expected.items():
        assert p.loc[f"t8.population_at_least_{t}_share", "value"] == pytest.approx(value, abs=1e-9)
        assert p.loc[f"t8.population_at_least_{t}_share", "denominator"] == pytest.approx(1000)
    # area: 200 km² of villages; 4G 50 km², 3G 50 km², 2G all
    assert p.loc["t8.area_4g_share", "value"] == pytest.approx(0.25)
    assert p.loc["t8.area_3g_share", "numerator"] == pytest.approx(50.0)
    assert p.loc["t8.area_2g_share", "value"] == pytest.approx(1.0)
    # households: v1's are unknown, so 60 of 160 known households live in a 4G village
    assert p.loc["t8.households_4g_share", "value"] == pytest.approx(60 / 160)
    assert p.loc["t9.households_fixed_broadband_share", "value"] == pytest.approx(100 / 160)
    assert p.loc["t9.households_fixed_broadband_share", "denominator"] == pytest.approx(160)
    assert p.loc["t8.villages_post_share", "value"] == pytest.approx(1 / 3)
    # no survey answers on loudspeakers: no data, not 0
    assert "t9.villages_loudspeaker_share" not in set(computed.index.get_level_values(0))
    v1 = computed.loc[("t9.households_fixed_broadband_share", "village", "v1")]
    assert pd.isna(v1["value"]) and v1["denominator"] == 0


def test_site_indicators(computed: pd.DataFrame) -> None:
    p = computed.xs(("province", "P"), level=("level", "unit_code"))
    assert p.loc["t8.communes_post_share", "value"] == pytest.approx(0.5)  # c2's post office closed in 2023
    assert p.loc["t8.people_per_post_point", "value"] == pytest.approx(1000.0)
    assert p.loc["t9.communes_radio_station_share", "value"] == pytest.approx(1.0)
    assert p.loc["t9.radio_stations_ip_share", "value"] == pytest.approx(0.5)
    assert p.loc["t8.communes_fibre_share", "value"] == pytest.approx(0.5)
    assert p.loc["t8.towers_per_10k_people", "value"] == pytest.approx(2 / 0.1)
    assert p.loc["t8.towers_per_100km2", "value"] == pytest.approx(2 / 2.0)
    assert p.loc["t8.bts_per_10k_people", "value"] == pytest.approx(4 / 0.1)
    assert p.loc["t8.bts_per_100km2", "value"] == pytest.approx(4 / 2.0)
    assert p.loc["t8.shared_towers_share", "value"] == pytest.approx(0.5)
    assert p.loc["t8.sites_per_10k_people", "value"] == pytest.approx(3 / 0.1)  # operators' sites, not towers
    c1 = computed.xs(("commune", "c1"), level=("level", "unit_code"))
    c2 = computed.xs(("commune", "c2"), level=("level", "unit_code"))
    assert c1.loc["t8.people_per_post_point", "value"] == pytest.approx(400.0)
    assert pd.isna(c2.loc["t8.people_per_post_point", "value"])  # no post point: no ratio
    assert c1.loc["t8.communes_post_share", "value"] == 1.0 and c2.loc["t8.communes_post_share", "value"] == 0.0
    assert c1.loc["t8.shared_towers_share", "value"] == 1.0 and c2.loc["t8.shared_towers_share", "value"] == 0.0
    d = computed.xs(("district", "D"), level=("level", "unit_code"))
    assert d.loc["t8.towers_per_100km2", "numerator"] == 2


def test_breakdowns_by_target_group(computed: pd.DataFrame) -> None:
    p = computed.xs(("province", "P"), level=("level", "unit_code"))
    assert p.loc["t8.villages_4g_share:zone_iii", "value"] == 0.0
    assert p.loc["t8.villages_4g_share:zone_iii", "denominator"] == 1
    assert p.loc["t9.villages_fixed_broadband_share:zone_iii", "value"] == 1.0
    assert p.loc["t8.population_at_least_2g_share:ethnic_minority", "denominator"] == 100
    assert p.loc["t8.villages_4g_share:ethnic_minority", "value"] == 0.0
    assert "t8.villages_4g_share:border" not in p.index  # no border list given: no breakdown
    assert lookup("t8.villages_4g_share:zone_iii").name_vi.endswith("xã khu vực III")
    # the breakdowns are not village rows
    assert not any(":" in i for i in computed.xs("village", level="level").index.get_level_values(0))


def test_targets_from_the_file_and_no_default_100(computed: pd.DataFrame) -> None:
    p = computed.xs(("province", "P"), level=("level", "unit_code"))
    assert p.loc["t8.communes_fibre_share", "target"] == 1.0  # QĐ 749/QĐ-TTg, 2025
    assert p.loc["t9.households_fixed_broadband_share", "target"] == 0.8
    assert pd.isna(p.loc["t8.villages_4g_share", "target"])  # "no official target"
    assert pd.isna(p.loc["t8.population_5g_share", "target"])


def test_every_computed_indicator_is_in_the_catalogue(computed: pd.DataFrame) -> None:
    ids = set(computed.index.get_level_values(0))
    assert {i.split(":")[0] for i in ids} <= set(CATALOGUE)
    missing = set(CATALOGUE) - ids - {"t9.villages_loudspeaker_share", "t8.median_dl_mbps"}
    assert not missing
