"""Indicators, series, one village and exports on both stores."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Seeded


def test_indicators_latest_and_as_of(client: TestClient, seeded: Seeded) -> None:
    body = client.get("/indicators", params={"level": "province", "indicator": "t8.villages_4g_share"}).json()
    assert body["numberReturned"] == 1
    row = body["indicators"][0]
    assert row["as_of"] == "2025-06-30" and row["value"] == pytest.approx(2 / 6) and row["target"] == 1.0
    assert row["unit_code"] == seeded.province_code and row["unit_name"] == "Quảng Bình"
    old = client.get("/indicators", params={"level": "province", "as_of": "2024-12-31"}).json()["indicators"]
    assert {(r["indicator"], r["as_of"]) for r in old} == {("t8.villages_4g_share", "2024-06-30"),
                                                           ("t9.villages_radio_share", "2024-06-30")}
    com = client.get("/indicators", params={"level": "commune", "code": seeded.communes[0],
                                            "boundaries": "2019"}).json()["indicators"]
    assert [r["value"] for r in com] == [0.5]
    assert client.get("/indicators", params={"level": "planet"}).status_code == 400


def test_indicators_csv(client: TestClient) -> None:
    r = client.get("/indicators", params={"level": "province", "f": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(r.text))
    assert len(frame) == 2 and set(frame["indicator"]) == {"t8.villages_4g_share", "t9.villages_radio_share"}
    assert "Quảng Bình" in r.text


def test_series(client: TestClient, seeded: Seeded) -> None:
    s = client.get("/indicators/t8.villages_4g_share/series", params={"level": "province"}).json()
    assert [p["as_of"] for p in s["series"]] == ["2024-06-30", "2025-06-30"]
    assert [p["numerator"] for p in s["series"]] == [1, 2]
    assert s["baseline"] == pytest.approx(1 / 6) and s["target"] == 1.0 and s["unit_code"] == seeded.province_code
    assert client.get("/indicators/t8.nothing/series", params={"level": "province"}).status_code == 404


def test_village_detail(client: TestClient) -> None:
    v = client.get("/villages/V1").json()
    assert v["attributes"]["name"] == "Thôn Một" and v["attributes"]["status_4g"] == "covered"
    cov = {(c["operator"], c["technology"]): c["status"] for c in v["coverage"]}
    assert cov == {("ANY", "4G"): "covered", ("viettel", "4G"): "covered", ("vinaphone", "4G"): "covered",
                   ("mobifone", "4G"): "partial", ("ANY", "2G"): "covered"}
    assert {s["service"]: s["available"] for s in v["services"]} == {"fixed_broadband": True, "radio": True}
    meas = {(m["operator"]): m for m in v["measurements"]}
    assert meas["viettel"]["n"] == 3 and meas["viettel"]["dl_mbps_median"] == 30.0
    assert meas["vinaphone"]["n"] == 1 and meas["vinaphone"]["rsrp_dbm_median"] == -110.0
    assert v["geometry"]["type"] == "MultiPolygon" and v["indicators"][0]["value"] == 1.0
    assert client.get("/villages/V404").status_code == 404


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_exports(client: TestClient, fmt: str, tmp_path) -> None:
    r = client.get(f"/exports/villages.{fmt}")
    assert r.status_code == 200
    assert f'filename="villages.{fmt}"' in r.headers["content-disposition"]
    path = tmp_path / f"villages.{fmt}"
    path.write_bytes(r.content)
    if fmt == "csv":
        frame = pd.read_csv(path)
        assert "geometry" in frame and frame["geometry"].str.startswith("MULTIPOLYGON").all()
    else:
        frame = gpd.read_file(path)
        assert frame.crs.to_epsg() == 4326
    assert sorted(frame["village_id"]) == ["V1", "V2", "V3", "V4", "V5", "V6"]
    assert dict(zip(frame["village_id"], frame["status_4g"], strict=True))["V3"] == "none"
    if fmt == "geojson":
        assert json.loads(r.content)["type"] == "FeatureCollection"
