"""Fixtures of the API tests: one seeded store per backend per module, and a client on it.

The store holds the real boundaries (pipeline.ingest_boundaries) plus a few SYNTHETIC rows
written with ``tx.append``: 6 villages in 3 communes of 2019, their computed coverage (and the
village_summary the compute engine derives from it), sites,
declared coverage in two vintages, a signal raster (COG) and measurements, services and
indicators. Expected values in the tests are computed by hand from these rows.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from fastapi.testclient import TestClient

from tests.conftest import drop_postgis_database, fresh_postgis_database
from villagecov.pipeline import ingest_boundaries
from villagecov.settings import Settings
from villagecov.storage import open_store

SRC = "SYNTHETIC test fixture (tests/api)"
OLD, NEW = "2024-06-30", "2025-06-30"


@dataclass(frozen=True)
class Seeded:
    settings: Settings
    province_code: str
    communes: list[str]  # the 3 communes (2019 codes) holding the villages
    centres: dict[str, tuple[float, float]]  # village id -> lon, lat of its centre
    raster_path: Path


def _square(lon: float, lat: float, half: float = 0.004) -> shapely.MultiPolygon:
    return shapely.MultiPolygon([shapely.box(lon - half, lat - half, lon + half, lat + half)])


def write_signal_raster(path: Path) -> None:
    """SYNTHETIC 4G RSRP raster (dBm) in EPSG:4326 over 106.50–106.70 E, 17.40–17.60 N, 0.001° pixels.

    West half −80 dBm; north-east quarter −110 dBm; south-east quarter nodata (−9999).
    """
    import rasterio
    from affine import Affine

    data = np.full((200, 200), -80.0, dtype="float32")
    data[:100, 100:] = -110.0
    data[100:, 100:] = -9999.0
    profile = {"driver": "GTiff", "width": 200, "height": 200, "count": 1, "dtype": "float32", "crs": "EPSG:4326",
               "transform": Affine.translation(106.5, 17.6) @ Affine.scale(0.001, -0.001), "nodata": -9999.0, "tiled": True,
               "blockxsize": 128, "blockysize": 128}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
        dst.update_tags(VILLAGECOV_SYNTHETIC="yes")


def summaries(villages: gpd.GeoDataFrame, vc: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """village_summary rows as the compute engine derives them from these village_coverage rows
    (:func:`villagecov.compute.indicators.village_table`): at each vintage every village, from the
    latest row at or before it per village × operator × technology × evidence."""
    from villagecov.compute.indicators import village_table

    out = []
    remote = villages[["village_id", "remote"]].assign(remote_reasons=None)
    keys = ["village_id", "operator", "technology", "evidence"]
    for d in sorted(vc["as_of"].unique()):
        rows = vc[vc["as_of"] <= d].sort_values("as_of").drop_duplicates(keys, keep="last")
        vt = village_table(villages, rows.assign(contradicted=False), remote, None, pd.Series(dtype="float64"), settings)
        out.append(vt.assign(as_of=d))
    return pd.concat(out, ignore_index=True).assign(run_id="test")


def seed(settings: Settings, raster: Path) -> Seeded:
    ingest_boundaries(settings, settings.data_dir)
    store = open_store(settings.store)
    try:
        units = store.read("admin_units", where={"version": "2019"})
        province = str(units[units["level"] == "province"]["code"].iloc[0])
        communes = units[units["level"] == "commune"].sort_values("code").iloc[[0, 10, 20]]
        codes = [str(c) for c in communes["code"]]
        pts = [communes.geometry.iloc[i].representative_point() for i in range(3)]
        spec = [  # id, commune index, dx (deg), population
            ("V1", 0, -0.006, 1000), ("V2", 0, 0.006, 500), ("V3", 1, -0.006, 800),
            ("V4", 1, 0.006, 300), ("V5", 2, -0.006, 200), ("V6", 2, 0.006, 100),
        ]
        centres = {vid: (pts[ci].x + dx, pts[ci].y) for vid, ci, dx, _ in spec}
        villages = gpd.GeoDataFrame({
            "village_id": [s[0] for s in spec], "name": ["Thôn Một", "Thôn Hai", "Bản Ba", "Bản Bốn", "Thôn Năm",
                                                         "Tổ dân phố Sáu"],
            "commune_code": [codes[s[1]] for s in spec], "boundary_version": "2019",
            "population": [s[3] for s in spec], "households": [s[3] // 4 for s in spec],
            "remote": [False, False, True, True, False, False], "remote_official": False, "derived": False,
            "synthetic": True, "source": SRC, "as_of": "2024-01-01",
        }, geometry=[_square(*centres[s[0]]) for s in spec], crs="EPSG:4326")
        vc_rows = [  # village, operator, technology, status, pop share, as_of
            ("V1", "ANY", "4G", "covered", 0.95, OLD), ("V1", "viettel", "4G", "covered", 0.9, OLD),
            ("V1", "vinaphone", "4G", "covered", 0.85, OLD), ("V1", "mobifone", "4G", "partial", 0.3, OLD),
            ("V1", "ANY", "2G", "covered", 1.0, OLD),
            ("V2", "ANY", "4G", "partial", 0.5, OLD), ("V3", "ANY", "4G", "none", 0.0, OLD),
            ("V5", "ANY", "4G", "partial", 0.2, OLD),
            ("V6", "ANY", "4G", "none", 0.0, OLD), ("V6", "ANY", "4G", "covered", 0.9, NEW),
        ]
        vc = pd.DataFrame([{"village_id": v, "operator": o, "technology": t, "evidence": "declared", "as_of": d,
                            "covered_area_share": s, "covered_pop_share": s, "status": st, "run_id": "test"}
                           for v, o, t, st, s, d in vc_rows])
        # A measured row that must not count (evidence not in settings.indicator_evidence).
        vc = pd.concat([vc, pd.DataFrame([{"village_id": "V3", "operator": "ANY", "technology": "4G",
                                           "evidence": "measured", "as_of": OLD, "covered_pop_share": 1.0,
                                           "status": "covered", "run_id": "test"}])])
        c1, c2, c3 = centres["V1"], centres["V3"], centres["V5"]
        sites = gpd.GeoDataFrame({
            "site_id": ["S1", "S1", "S2", "S3"], "kind": ["mobile_tower", "mobile_tower", "mobile_tower", "post_office"],
            "operator": ["viettel", "viettel", "vinaphone", "vnpost"], "technologies": ["2G,4G", "2G,4G,5G", "4G", None],
            "height_m": [30.0, 42.0, 36.0, None], "synthetic": True, "source": SRC, "as_of": [OLD, NEW, OLD, OLD],
        }, geometry=[shapely.Point(c1), shapely.Point(c1), shapely.Point(c2), shapely.Point(c3)], crs="EPSG:4326")
        coverage = gpd.GeoDataFrame({
            "coverage_id": ["C1", "C2", "C3", "R1"], "operator": ["viettel", "viettel", "vinaphone", "viettel"],
            "technology": "4G", "evidence": ["declared", "declared", "declared", "modelled"],
            "raster_path": [None, None, None, str(raster)], "value_kind": ["polygon"] * 3 + ["signal_dbm"],
            "synthetic": True, "source": SRC, "as_of": [OLD, NEW, OLD, NEW],
        }, geometry=[_square(*c1, 0.05), _square(*c1, 0.08), _square(*c2, 0.05),
                     shapely.MultiPolygon([shapely.box(106.5, 17.4, 106.7, 17.6)])], crs="EPSG:4326")
        times = pd.to_datetime(["2025-03-01T08:00Z", "2025-03-01T09:00Z", "2025-04-01T08:00Z", "2025-05-01T08:00Z",
                                "2025-05-02T08:00Z"])
        mpts = [shapely.Point(c1[0] + d, c1[1]) for d in (-0.001, 0.0, 0.001, 0.002)] + [shapely.Point(c2)]
        measurements = gpd.GeoDataFrame({
            "measurement_id": [f"M{i}" for i in range(1, 6)], "kind": "drive_test", "time": times,
            "operator": ["viettel", "viettel", "viettel", "vinaphone", "viettel"], "technology": "4G",
            "rsrp_dbm": [-90.0, -95.0, -100.0, -110.0, -120.0], "dl_mbps": [20.0, 30.0, 40.0, 5.0, 1.0],
            "synthetic": True, "source": SRC, "as_of": "2025-05-31",
        }, geometry=mpts, crs="EPSG:4326")
        services = pd.DataFrame({"village_id": ["V1", "V1", "V2"], "service": ["fixed_broadband", "radio", "radio"],
                                 "available": [True, True, False], "synthetic": True, "source": SRC, "as_of": OLD})
        ind = [  # indicator, level, unit, as_of, value, num, den
            ("t8.villages_4g_share", "province", province, OLD, 1 / 6, 1, 6),
            ("t8.villages_4g_share", "province", province, NEW, 2 / 6, 2, 6),
            ("t8.villages_4g_share", "commune", codes[0], OLD, 0.5, 1, 2),
            ("t8.villages_4g_share", "village", "V1", OLD, 1.0, 1, 1),
            ("t9.villages_radio_share", "province", province, OLD, 1 / 6, 1, 6),
        ]
        indicators = pd.DataFrame([{"indicator": i, "level": lv, "unit_code": u, "unit_name": "Quảng Bình"
                                    if lv == "province" else u, "boundary_version": "2019", "as_of": d, "value": v,
                                    "numerator": n, "denominator": dn, "baseline": 1 / 6 if lv == "province" else v,
                                    "target": 1.0, "run_id": "test"} for i, lv, u, d, v, n, dn in ind])
        with store.transaction() as tx:
            tx.append("villages", villages)
            tx.append("village_coverage", vc)
            tx.append("village_summary", summaries(villages, vc, settings))
            tx.append("sites", sites)
            tx.append("coverage", coverage)
            tx.append("measurements", measurements)
            tx.append("services", services)
            tx.append("indicators", indicators)
    finally:
        store.close()
    return Seeded(settings, province, codes, centres, raster)


@contextmanager
def seeded_store(backend: str, tmp: Path, icu_locale: str | None = None, **overrides: object) -> Iterator[Seeded]:
    """A new store of ``backend`` seeded with :func:`seed`; PostGIS databases (collated by
    ``icu_locale`` if given) are dropped afterwards."""
    url = str(tmp / "store.gpkg") if backend == "geopackage" else fresh_postgis_database(icu_locale)
    raster = tmp / "SYNTHETIC_signal_4g.tif"
    write_signal_raster(raster)
    try:
        yield seed(Settings(store=url, archive_dir=tmp / "archive", **overrides), raster)
    finally:
        if backend == "postgis":
            drop_postgis_database(url)


BACKENDS = ["geopackage", pytest.param("postgis", marks=pytest.mark.postgis)]


@pytest.fixture(scope="package", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """A seeded store of each backend, shared by the read-only tests of tests/api."""
    with seeded_store(request.param, tmp_path_factory.mktemp(f"api-{request.param}")) as s:
        yield s


@pytest.fixture(scope="package")
def client(seeded: Seeded) -> Iterator[TestClient]:
    from villagecov.api.app import create_app

    with TestClient(create_app(seeded.settings)) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="package")
def server(seeded: Seeded) -> Iterator[str]:
    """The API served by uvicorn on a free loopback port, in a thread."""
    import uvicorn

    from villagecov.api.app import create_app

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(seeded.settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
