"""SYNTHETIC villages: census totals, inside their communes, remote ones in the west."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from tests.demo.conftest import DATA_DIR
from villagecov.demo import DemoManifest

COMMUNES = DATA_DIR / "boundaries" / "quangbinh_communes_2019_vietnam63.geojson"


def load_villages(demo: DemoManifest) -> gpd.GeoDataFrame:
    """Both village files in canonical columns (EPSG:4326): polygons and points."""
    polygons = next(e for e in demo.by_kind("villages") if e.path.suffix == ".geojson")
    points = next(e for e in demo.by_kind("villages") if e.path.suffix == ".csv")
    poly = gpd.read_file(polygons.path)
    csv = pd.read_csv(points.path, dtype={"ma_thon": str, "ma_xa": str, "dbkk": str}, keep_default_na=False)
    csv = csv.rename(columns=points.options["columns"])
    pts = gpd.GeoDataFrame(csv, geometry=gpd.points_from_xy(csv["lon"], csv["lat"]), crs="EPSG:4326")
    cols = ["village_id", "name", "commune_code", "population", "households", "remote", "geometry"]
    out = pd.concat([poly[cols], pts[cols]], ignore_index=True)
    # the official flag is text: "true"/"false", none where the register has no flag
    out["remote"] = out["remote"].map({"true": True, "false": False}).astype(object)
    out["remote"] = out["remote"].where(out["remote"].notna(), None)
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


@pytest.fixture(scope="module")
def villages(demo: DemoManifest) -> gpd.GeoDataFrame:
    return load_villages(demo)


@pytest.fixture(scope="module")
def communes() -> gpd.GeoDataFrame:
    return gpd.read_file(COMMUNES)


def test_about_1300_unique_villages(villages: gpd.GeoDataFrame) -> None:
    assert 1200 <= len(villages) <= 1400
    assert villages["village_id"].is_unique
    assert not villages.duplicated(["commune_code", "name"]).any()


def test_populations_sum_to_each_commune_census(villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> None:
    totals = villages.groupby("commune_code")["population"].sum()
    census = communes.set_index("commune_code")["pop_2019"].astype(int)
    assert len(census) == 159
    pd.testing.assert_series_equal(totals.sort_index(), census.sort_index(), check_names=False)
    assert (villages["population"] > 0).all()
    ratio = villages["population"].sum() / villages["households"].sum()
    assert 3.5 <= ratio <= 4.3


def test_every_village_lies_in_its_commune(villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> None:
    v = villages.to_crs("EPSG:32648")
    c = communes.to_crs("EPSG:32648").set_index("commune_code").geometry
    outside = [
        vid for vid, code, geom in zip(v["village_id"], v["commune_code"], v.geometry, strict=True)
        if not c[code].buffer(2.0).covers(geom)  # 2 m: coordinates are rounded to 1e-6°
    ]
    assert outside == []
    assert {"Point", "Polygon"} <= set(v.geometry.geom_type) <= {"Point", "Polygon", "MultiPolygon"}


def test_polygons_and_points_split_by_district(villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> None:
    district = communes.set_index("commune_code")["district_code"]
    v = villages.assign(district=villages["commune_code"].map(district))
    by_kind = v.groupby(v.geometry.geom_type == "Point")["district"].agg(lambda s: set(s))
    assert by_kind[True] == {"454", "457", "458"}
    assert by_kind[False] == {"450", "452", "453", "455", "456"}


def test_official_remote_flag_only_for_some_and_in_the_west(villages: gpd.GeoDataFrame) -> None:
    flagged = villages[villages["remote"].notna()]
    assert 0.2 < len(flagged) / len(villages) < 0.6
    remote = flagged[flagged["remote"].astype(bool)]
    others = flagged[~flagged["remote"].astype(bool)]
    assert len(remote) >= 50
    r = remote.to_crs("EPSG:32648").geometry.representative_point()
    o = others.to_crs("EPSG:32648").geometry.representative_point()
    # west and smaller: the Annamite side of the province
    assert r.x.mean() < o.x.mean() - 10_000
    assert remote["population"].median() < others["population"].median()


def test_names_look_vietnamese(villages: gpd.GeoDataFrame) -> None:
    prefixes = villages["name"].str.extract(r"^(Thôn|Bản|Tổ dân phố|Tiểu khu) ")[0]
    assert prefixes.notna().all()
    assert set(prefixes) == {"Thôn", "Bản", "Tổ dân phố", "Tiểu khu"}
    assert villages["name"].str.contains(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹàáèéìíòóùúý]").any()


def test_remote_villages_are_mostly_in_mountain_districts(demo: DemoManifest, villages: gpd.GeoDataFrame,
                                                         communes: gpd.GeoDataFrame) -> None:
    # the generator's truth for every village is in the manifest facts; the flag covers a subset
    assert demo.facts["villages_remote"] >= 150
    district = villages["commune_code"].map(communes.set_index("commune_code")["district_code"])
    remote = villages["remote"].fillna(False).astype(bool)
    west = district.isin(["452", "453", "455", "456", "457"])
    assert (remote & west).sum() / remote.sum() > 0.9
