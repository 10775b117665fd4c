"""The `plan` and `plan-villages` collections and /plans on both stores (SYNTHETIC rows).

Two plans are made with `run_plan` over the hand-made province of tests/planning/test_plan.py
(gaps V3, V4, V2; a tower T1 without 4G next to V4; a fibre PoP 4 km north of V1):

- the older, target 1.0: co-location on T1 (500 M capex + 5 × 60 M opex = 800 M VND) for V4, and
  one new tower between V2 and V3 — 2 sites, 3 villages, 200 + 300 + 200 = 700 people;
- the latest, budget 2.8 billion VND: the new tower only — 1 site, V2 and V3, 500 people.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import mapbox_vector_tile
import morecantile
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import BACKENDS
from tests.conftest import drop_postgis_database, fresh_postgis_database
from tests.planning.test_plan import sites, village_coverage, villages
from villagecov.planning.run import run_plan
from villagecov.settings import Settings
from villagecov.storage import open_store

TMS = morecantile.tms.get("WebMercatorQuad")
SRC = "SYNTHETIC test fixture (tests/api/test_plan.py)"


@dataclass(frozen=True)
class Plans:
    settings: Settings
    older: str  # target 1.0
    latest: str  # budget 2.8e9
    site_lonlat: tuple[float, float]  # the co-location site T1


def _fill(settings: Settings) -> tuple[float, float]:
    with open_store(settings.store, initialize=True) as st, st.transaction() as tx:
        tx.append("villages", villages().assign(as_of="2024-01-01", source=SRC))
        tx.append("village_coverage", village_coverage().assign(run_id="test", status=None))
        tx.append("sites", sites().assign(as_of="2024-01-01", source=SRC))
    t1 = sites().geometry.iloc[0]
    return t1.x, t1.y


@pytest.fixture(scope="module", params=BACKENDS)
def plans(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Plans]:
    tmp = tmp_path_factory.mktemp(f"plan-{request.param}")
    url = str(tmp / "store.gpkg") if request.param == "geopackage" else fresh_postgis_database()
    try:
        s = Settings(store=url, archive_dir=tmp / "archive", plan_ilp_time_limit_s=20.0)
        t1 = _fill(s)
        older, _ = run_plan(s, "4G", tmp / "target", target_share=1.0, curve_points=0)
        latest, _ = run_plan(s, "4G", tmp / "budget", budget_vnd=2.8e9, curve_points=0)
        assert older.plan_id and latest.plan_id
        yield Plans(s, older.plan_id, latest.plan_id, t1)
    finally:
        if request.param == "postgis":
            drop_postgis_database(url)


@pytest.fixture(scope="module")
def client(plans: Plans) -> Iterator[TestClient]:
    from villagecov.api.app import create_app

    with TestClient(create_app(plans.settings)) as c:
        yield c


def _items(client: TestClient, cid: str, **params: str) -> dict:
    r = client.get(f"/collections/{cid}/items", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_plan_collections_are_listed(client: TestClient) -> None:
    ids = [c["id"] for c in client.get("/collections").json()["collections"]]
    assert "plan" in ids and "plan-villages" in ids
    plan = client.get("/collections/plan").json()
    minx, miny, maxx, maxy = plan["extent"]["spatial"]["bbox"][0]
    assert 106.5 < minx <= maxx < 107.5 and 17.0 < miny <= maxy < 18.0  # the hand-made province, UTM 48N


def test_items_show_the_latest_plan(client: TestClient, plans: Plans) -> None:
    body = _items(client, "plan")
    assert body["numberMatched"] == 1
    (f,) = body["features"]
    p = f["properties"]
    assert f["id"] == f"{plans.latest}-001" and f["geometry"]["type"] == "Point"
    assert p["plan_id"] == plans.latest and p["mode"] == "budget" and p["technology"] == "4G"
    assert p["rank"] == 1 and p["candidate_kind"] in ("grid", "hilltop")
    assert p["villages_covered"] == 2 and p["population_covered"] == 500.0  # V3 300 + V2 200 people
    assert sorted(p["village_ids"].split(";")) == ["V2", "V3"]
    assert p["cost_vnd"] <= 2.8e9 and p["synthetic"] is True
    # new tower: 1.5 G tower + 0.2 G power + backhaul (fibre ≤ 0.3 G or microwave 0.3 G), 5 years × 0.15 G opex
    assert p["opex_vnd_per_year"] == 150e6 and 1_700e6 < p["capex_vnd"] <= 2_000e6
    assert p["cost_vnd"] == p["capex_vnd"] + 5 * p["opex_vnd_per_year"]


def test_plan_id_selects_an_earlier_plan(client: TestClient, plans: Plans) -> None:
    body = _items(client, "plan", plan_id=plans.older)
    feats = body["features"]
    assert [f["properties"]["rank"] for f in feats] == [1, 2]
    assert {f["properties"]["plan_id"] for f in feats} == {plans.older}
    assert sum(f["properties"]["villages_covered"] for f in feats) == 3
    assert sum(f["properties"]["population_covered"] for f in feats) == 700.0
    coloc = next(f["properties"] for f in feats if f["properties"]["candidate_kind"] == "colocation")
    assert coloc["site_id"] == "T1" and coloc["village_ids"] == "V4" and coloc["backhaul"] == "existing"
    assert (coloc["capex_vnd"], coloc["opex_vnd_per_year"], coloc["cost_vnd"]) == (500e6, 60e6, 800e6)
    # one feature of the earlier plan by id
    fid = next(f["id"] for f in feats if f["properties"]["candidate_kind"] == "colocation")
    r = client.get(f"/collections/plan/items/{fid}")
    assert r.status_code == 200 and r.json()["properties"]["site_id"] == "T1"
    # plan_id combines with the other filters
    assert _items(client, "plan", plan_id=plans.older, candidate_kind="colocation")["numberMatched"] == 1


def test_unknown_plan_is_404(client: TestClient) -> None:
    r = client.get("/collections/plan/items", params={"plan_id": "nope"})
    assert r.status_code == 404 and "nope" in r.json()["detail"]
    assert client.get("/collections/plan/tiles/WebMercatorQuad/8/112/203", params={"plan_id": "nope"}).status_code == 404


def test_plan_villages(client: TestClient, plans: Plans) -> None:
    latest = _items(client, "plan-villages")
    assert sorted(f["properties"]["village_id"] for f in latest["features"]) == ["V2", "V3"]
    older = _items(client, "plan-villages", plan_id=plans.older)["features"]
    by_village = {f["properties"]["village_id"]: f["properties"] for f in older}
    assert set(by_village) == {"V2", "V3", "V4"}
    assert by_village["V4"]["name"] == "Bản Bốn" and by_village["V4"]["remote"] is True
    assert by_village["V4"]["status"] == "none" and by_village["V4"]["uncovered_population"] == 200.0
    assert by_village["V2"]["status"] == "partial" and by_village["V2"]["uncovered_population"] == 200.0
    sites_ = {f["id"]: f["properties"] for f in _items(client, "plan", plan_id=plans.older)["features"]}
    assert sites_[by_village["V4"]["plan_site_id"]]["candidate_kind"] == "colocation"
    assert by_village["V2"]["plan_site_id"] == by_village["V3"]["plan_site_id"]
    assert older[0]["geometry"]["type"] == "MultiPolygon"


def _tile(client: TestClient, cid: str, lon: float, lat: float, z: int, **params: str) -> dict:
    t = TMS.tile(lon, lat, z)
    r = client.get(f"/collections/{cid}/tiles/WebMercatorQuad/{z}/{t.y}/{t.x}", params=params)
    assert r.status_code == 200, r.text
    return mapbox_vector_tile.decode(r.content) if r.content else {}


def test_plan_tiles_latest_and_earlier(client: TestClient, plans: Plans) -> None:
    lon, lat = plans.site_lonlat
    latest = _tile(client, "plan", lon, lat, 8)
    assert [f["properties"]["rank"] for f in latest["plan"]["features"]] == [1]
    older = _tile(client, "plan", lon, lat, 8, plan_id=plans.older)
    props = sorted((f["properties"] for f in older["plan"]["features"]), key=lambda p: p["rank"])
    assert [p["rank"] for p in props] == [1, 2] and {p["plan_id"] for p in props} == {plans.older}
    assert {p["candidate_kind"] for p in props} >= {"colocation"}
    villages_ = _tile(client, "plan-villages", lon, lat, 8, plan_id=plans.older)
    assert sorted(f["properties"]["village_id"] for f in villages_["plan-villages"]["features"]) == ["V2", "V3", "V4"]
    tj = client.get("/collections/plan/tiles/WebMercatorQuad/tilejson.json", params={"plan_id": plans.older}).json()
    assert f"plan_id={plans.older}" in tj["tiles"][0]


def test_plans_listing_and_summary(client: TestClient, plans: Plans) -> None:
    body = client.get("/plans").json()
    assert body["latest"] == plans.latest
    assert [p["plan_id"] for p in body["plans"]] == [plans.latest, plans.older]  # newest first
    older = body["plans"][1]
    assert older["mode"] == "target" and older["target_share"] == 1.0 and older["sites"] == 2
    assert older["villages_covered"] == 3 and older["population_covered"] == 700.0
    assert older["exact_status"] == "optimal" and older["greedy_cost_vnd"] >= older["exact_cost_vnd"]
    assert older["cost_vnd"] == older["exact_cost_vnd"] and older["method"] == "ilp"
    one = client.get(f"/plans/{plans.older}").json()
    assert one["summary"]["gap_villages"] == 3 and one["summary"]["exact"]["status"] == "optimal"
    assert any(link["href"].endswith(f"plan_id={plans.older}") for link in one["links"])
    assert client.get("/plans/nope").status_code == 404


def test_a_store_without_plans(tmp_path: Path) -> None:
    from villagecov.api.app import create_app

    s = Settings(store=str(tmp_path / "store.gpkg"), archive_dir=tmp_path / "archive")
    _fill(s)
    with TestClient(create_app(s)) as c:
        assert "plan" in [x["id"] for x in c.get("/collections").json()["collections"]]
        assert c.get("/collections/plan/items").json()["numberMatched"] == 0
        r = c.get("/collections/plan/tiles/WebMercatorQuad/8/112/203")
        assert r.status_code == 200 and r.content == b""
        assert c.get("/plans").json() == {"plans": [], "latest": None}
