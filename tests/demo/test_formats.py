"""Every demo file opens with pyogrio/rasterio and has the columns of docs/input-formats.md."""

from __future__ import annotations

from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import rasterio
import shapely

from villagecov.demo import DemoManifest
from villagecov.schema import SERVICES, TECHNOLOGIES

OPENCELLID = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal".split(",")
GENERIC_SITES = "site_id,kind,operator,technologies,height_m,eirp_dbm,in_service_from,in_service_to,lon,lat".split(",")
DRIVE = "time,lon,lat,operator,technology,rsrp_dbm,rsrq_db,sinr_db,dl_mbps,ul_mbps,latency_ms".split(",")
OOKLA = "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices".split(",")
SURVEY = "village_id,as_of,source,fixed_broadband,radio,tv,press,post,loudspeaker".split(",")
VILLAGE_POINTS = "ma_thon,ten_thon,ma_xa,dan_so,so_ho,dbkk,lon,lat".split(",")
LON, LAT = (105.5, 107.1), (16.8, 18.2)


def _csv(demo: DemoManifest, needle: str) -> pd.DataFrame:
    entry = next(e for e in demo.entries if needle in e.path.name)
    return pd.read_csv(entry.path, dtype={"quadkey": str, "village_id": str}, keep_default_na=False)


def _in_province(frame: pd.DataFrame) -> bool:
    return bool(frame["lon"].between(*LON).all() and frame["lat"].between(*LAT).all())


def test_villages_columns(demo: DemoManifest) -> None:
    poly = next(e for e in demo.by_kind("villages") if e.path.suffix == ".geojson")
    frame = pyogrio.read_dataframe(poly.path)
    assert {"village_id", "name", "commune_code", "population", "households", "remote"} <= set(frame.columns)
    assert frame.crs.to_epsg() == 4326
    points = _csv(demo, "villages_points")
    assert list(points.columns[: len(VILLAGE_POINTS)]) == VILLAGE_POINTS
    assert set(points["dbkk"]) == {"true", "false", ""}
    assert _in_province(points)


def test_opencellid_cells(demo: DemoManifest) -> None:
    cells = _csv(demo, "opencellid")
    assert list(cells.columns) == [*OPENCELLID, "synthetic"]
    assert set(cells["mcc"]) == {452}
    assert set(cells["radio"]) == {"GSM", "UMTS", "LTE", "NR"}
    assert (cells["radio"] == "NR").sum() < 0.02 * len(cells)
    assert _in_province(cells)
    assert not cells.duplicated(["radio", "net", "cell"]).any()
    lo, hi = datetime(2019, 1, 1, tzinfo=UTC).timestamp(), datetime(2025, 1, 1, tzinfo=UTC).timestamp()
    assert cells["created"].between(lo, hi).all()
    assert (cells["updated"] >= cells["created"]).all()
    years = pd.to_datetime(cells["created"], unit="s").dt.year
    assert set(years) == {2019, 2020, 2021, 2022, 2023, 2024}


def test_sites_aggregate_to_about_1500_towers(demo: DemoManifest) -> None:
    cells = _csv(demo, "opencellid")
    per_net = {int(net): _towers(group) for net, group in cells.groupby("net")}
    assert 1400 <= sum(per_net.values()) <= 1600
    assert per_net[4] > per_net[2] > per_net[1] > per_net[5] > per_net[7]


def _towers(cells: pd.DataFrame, within_m: float = 50.0) -> int:
    """Groups of cells chained within ``within_m`` metres (the ingest's aggregation rule)."""
    pts = gpd.GeoSeries(gpd.points_from_xy(cells["lon"], cells["lat"]), crs="EPSG:4326").to_crs("EPSG:32648")
    left, right = shapely.STRtree(pts.values).query(pts.values, predicate="dwithin", distance=within_m)
    label = np.arange(len(pts))
    while True:  # label propagation to the smallest index in each connected group
        new = label.copy()
        np.minimum.at(new, left, label[right])
        if np.array_equal(new, label):
            return len(np.unique(label))
        label = new


def test_generic_sites(demo: DemoManifest) -> None:
    sites = _csv(demo, "sites_nonmobile")
    assert list(sites.columns) == [*GENERIC_SITES, "synthetic"]
    kinds = sites["kind"].value_counts()
    assert kinds["post_office"] == kinds["commune_radio"] == kinds["fibre_pop"] == 159
    assert 1 <= kinds["fm_transmitter"] <= 10 and 1 <= kinds["dtt_transmitter"] <= 5
    assert sites["site_id"].is_unique and _in_province(sites)
    pd.to_datetime(sites["in_service_from"], format="%Y-%m-%d")


def test_terrain_geotiff(demo: DemoManifest) -> None:
    (dem,) = demo.by_kind("terrain")
    with rasterio.open(dem.path) as ds:
        assert ds.crs.to_epsg() == 32648 and ds.dtypes == ("float32",) and ds.nodata == -9999
        assert ds.res == (90.0, 90.0)
        z = ds.read(1, masked=True)
    assert 0.0 <= z.min() and z.max() <= 2000.0 and z.max() > 1500.0
    cols = np.arange(z.shape[1])
    east_half = np.ma.median(z[:, cols > z.shape[1] * 0.7])
    west_part = np.ma.median(z[:, cols < z.shape[1] * 0.3])
    assert east_half < 100.0 < 500.0 < west_part  # coastal plain east, Annamite range west


def test_declared_coverage_files(demo: DemoManifest) -> None:
    suffixes = set()
    for entry in demo.by_kind("coverage"):
        path, opts = entry.path, entry.options
        suffixes.add("".join(path.suffixes[-2:]) if path.name.endswith(".shp.zip") else path.suffix)
        if path.suffix == ".tif":
            with rasterio.open(path) as ds:
                assert ds.crs.to_epsg() == 32648 and ds.nodata == -9999 and ds.dtypes == ("float32",)
                rsrp = ds.read(1, masked=True)
            assert opts["value"] == "signal_dbm"
            assert -131.0 <= rsrp.min() and rsrp.max() <= -44.0
            continue
        layers = pyogrio.list_layers(path if path.suffix != ".zip" else f"/vsizip/{path}")[:, 0]
        if path.suffix == ".gpkg":
            assert set(layers) <= set(TECHNOLOGIES) and "2G" in layers
        for layer in layers:
            frame = pyogrio.read_dataframe(path if path.suffix != ".zip" else f"/vsizip/{path}", layer=layer)
            assert len(frame) == 1 and frame.geometry.iloc[0].is_valid
            assert set(frame["operator"]) == {opts["operator"]} and {str(v)[:10] for v in frame["as_of"]} == {opts["as_of"]}
            if path.suffix == ".geojson":
                assert frame.crs.to_epsg() == 32648
            elif path.suffix != ".gpkg":
                assert frame.crs.to_epsg() == 4326
    assert suffixes == {".gpkg", ".shp.zip", ".geojson", ".tif"}


def test_measurements(demo: DemoManifest) -> None:
    drive = _csv(demo, "drive_test")
    assert list(drive.columns) == [*DRIVE, "synthetic"]
    assert 2000 <= len(drive) <= 6000 and _in_province(drive)
    assert set(drive["operator"]) == {"viettel", "vinaphone", "mobifone"}
    times = pd.to_datetime(drive["time"], utc=True)
    assert times.min().year == times.max().year == 2024
    assert drive["rsrp_dbm"].between(-140, -44).all()
    tiles = _csv(demo, "ookla")
    assert list(tiles.columns) == [*OOKLA, "synthetic"]
    assert len(tiles) > 500 and tiles["quadkey"].str.fullmatch(r"[0-3]{16}").all()
    assert tiles["quadkey"].is_unique and (tiles["devices"] <= tiles["tests"]).all()


def test_surveys(demo: DemoManifest) -> None:
    entries = demo.by_kind("services")
    assert [e.options["as_of"] for e in entries] == ["2019-12-31", "2024-12-31"]
    for entry in entries:
        frame = pd.read_csv(entry.path, dtype={"village_id": str})
        assert list(frame.columns) == [*SURVEY, "synthetic"]
        assert set(frame["as_of"]) == {entry.options["as_of"]}
        assert set(np.unique(frame[list(SERVICES)].to_numpy())) <= {0, 1}
        assert 1200 <= len(frame) <= 1400
