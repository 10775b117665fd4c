"""The bad-input corpus: each file gives its expected one-line message and leaves the store
exactly as it was (digest before = digest after), on both backends."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from ingest_files import (
    OCID_HEADER,
    coverage_geotiff,
    coverage_polygons,
    drive_csv,
    frame_to_csv,
    generic_sites,
    ookla_csv,
    place,
    services_csv,
    square,
    villages_frame,
    write_vector,
    zip_shapefile,
)

from villagecov.errors import InputError
from villagecov.ingest import ingest_file
from villagecov.settings import Settings
from villagecov.sources.common import IngestOptions
from villagecov.storage import Store

Maker = Callable[[Path], Path]
AS_OF = "2024-06-30"


def text(name: str, body: str) -> Maker:
    def make(d: Path) -> Path:
        (d / name).write_text(body, encoding="utf-8")
        return d / name
    return make


def raw(name: str, data: bytes) -> Maker:
    def make(d: Path) -> Path:
        (d / name).write_bytes(data)
        return d / name
    return make


def village_csv(*rows: str, header: str = "village_id,name,lon,lat,population,as_of") -> Maker:
    return text("thon.csv", header + "\n" + "\n".join(rows) + "\n")


def geojson(name: str, geoms: list[object], crs: str = "EPSG:4326", **cols: list[object]) -> Maker:
    def make(d: Path) -> Path:
        n = len(geoms)
        frame = gpd.GeoDataFrame({"village_id": [f"V{i}" for i in range(n)], "name": ["Thôn Một"] * n, **cols},
                                 geometry=geoms, crs=crs)
        return write_vector(frame, d / name)
    return make


def mixed_polygons(d: Path) -> Path:
    frame = coverage_polygons(1)
    frame.loc[0, "geometry"] = shapely.Point(*place(50)[1:])
    return write_vector(frame, d / "cov_points.geojson")


def _lon_lat() -> tuple[float, float]:
    return place(10)[1], place(10)[2]


LON, LAT = _lon_lat()
UTM = gpd.GeoSeries([shapely.Point(LON, LAT)], crs=4326).to_crs("EPSG:32648").iloc[0]


def no_prj(d: Path) -> Path:
    return zip_shapefile(villages_frame(2).to_crs("EPSG:32648"), d, "thon_noprj", drop_prj=True)


def truncated_geojson(d: Path) -> Path:
    path = write_vector(villages_frame(2), d / "cut.geojson")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def traversal_zip(d: Path) -> Path:
    path = d / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../etc/cron.d/evil.shp", b"x" * 100)
    return path


def bomb_zip(d: Path) -> Path:
    path = d / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("thon.geojson", b" " * (24 * 2**20))  # 24 MB of spaces in ≈ 24 KB
    return path


def two_layers(d: Path) -> Path:
    path = d / "two.gpkg"
    write_vector(villages_frame(1), path, layer="a")
    write_vector(villages_frame(1), path, layer="b")
    return path


def truncated_tif(d: Path) -> Path:
    path = coverage_geotiff(d / "cut.tif")
    data = path.read_bytes()
    path.write_bytes(data[:600])
    return path


def big_csv(d: Path) -> Path:
    path = d / "big.csv"
    with open(path, "w") as fh:
        fh.write("time,lon,lat,mnc,technology,rsrp_dbm\n")
        fh.write(f"2024-01-01T00:00:00,{LON},{LAT},4,4G,-90\n" * 40_000)  # ≈ 1.8 MB
    return path


def ocid(*rows: str) -> Maker:
    return text("cells.csv", OCID_HEADER + "\n" + "\n".join(rows) + "\n")


def site_csv(**change: object) -> Maker:
    def make(d: Path) -> Path:
        frame = generic_sites().iloc[:1].copy()
        for k, v in change.items():
            frame[k] = v
        return frame_to_csv(frame, d / "sites.csv")
    return make


CASES: list[tuple[str, str, Maker, dict[str, object], str]] = [
    # id, kind, file, options, expected message part
    ("empty-file", "villages", raw("thon.csv", b""), {}, "thon.csv: empty file"),
    ("blank-csv", "villages", text("thon.csv", "\n  \n"), {}, "thon.csv: empty file"),
    ("header-only", "villages", text("thon.csv", "village_id,name,lon,lat\n"), {}, "no data rows"),
    ("too-large", "measurements", big_csv, {"_max_mb": 1}, "big.csv: file is 2 MB, larger than the limit of 1 MB"),
    ("missing-crs", "villages", no_prj, {"as_of": AS_OF}, "no CRS declared"),
    ("projected-as-4326", "villages", geojson("utm.geojson", [shapely.Point(UTM.x, UTM.y)]), {"as_of": AS_OF},
     "field geometry: coordinates look projected"),
    ("swapped-lon-lat", "villages", village_csv(f"V1,Thôn Một,{LAT},{LON},10,{AS_OF}"), {},
     "longitude and latitude look swapped"),
    ("far-away", "villages", geojson("hanoi.geojson", [shapely.Point(105.85, 21.03)]), {"as_of": AS_OF},
     "far from Quảng Bình"),
    ("outside-province", "villages", village_csv(f"V1,Thôn Lào,105.2,17.6,10,{AS_OF}"), {},
     "row 1, field geometry: no usable rows: 1 rejected, e.g. outside Quảng Bình"),
    ("empty-geometry", "villages", geojson("null.geojson", [None], as_of=[AS_OF]), {}, "e.g. empty geometry"),
    ("invalid-geometry", "villages",
     geojson("line.geojson", [shapely.Polygon([(LON, LAT), (LON + 0.01, LAT), (LON + 0.02, LAT)])]),
     {"as_of": AS_OF}, "invalid geometry (Self-intersection) that cannot be repaired"),
    ("points-as-coverage", "coverage", mixed_polygons, {"operator": "viettel", "technology": "4G", "as_of": AS_OF},
     "geometry is Point, expected polygon"),
    ("unknown-operator-option", "coverage", lambda d: write_vector(coverage_polygons(1), d / "c.geojson"),
     {"operator": "orange", "technology": "4G", "as_of": AS_OF}, "field --operator: unknown value 'orange'"),
    ("unknown-technology", "coverage",
     lambda d: write_vector(coverage_polygons(1).assign(technology="6G"), d / "c.geojson"),
     {"operator": "viettel", "as_of": AS_OF}, "field technology: no usable rows: 1 rejected, e.g. unknown technology '6G'"),
    ("no-technology", "coverage", lambda d: write_vector(coverage_polygons(1), d / "c.geojson"),
     {"operator": "viettel", "as_of": AS_OF}, "no technology: give --technology"),
    ("unknown-operator", "sites", site_csv(operator="Orange"), {"as_of": AS_OF}, "unknown operator 'Orange'"),
    ("unknown-mnc", "sites", ocid(f"LTE,452,9,1,1,0,{LON},{LAT},1,1,1,1600000000,1700000000,0"), {},
     "field net: no usable rows: 1 rejected, e.g. unknown MNC '9' for MCC 452"),
    ("wrong-mcc", "sites", ocid(f"LTE,454,4,1,1,0,{LON},{LAT},1,1,1,1600000000,1700000000,0"), {},
     "mcc '454' is not Viet Nam (452)"),
    ("unknown-radio", "sites", ocid(f"WIMAX,452,4,1,1,0,{LON},{LAT},1,1,1,1600000000,1700000000,0"), {},
     "unknown radio 'WIMAX'"),
    ("unknown-site-kind", "sites", site_csv(kind="satellite"), {"as_of": AS_OF}, "unknown site kind 'satellite'"),
    ("bad-number", "measurements",
     text("m.csv", f"time,lon,lat,mnc,technology,rsrp_dbm\n2024-01-01T08:00:00,{LON},{LAT},4,4G,abc\n"), {},
     "field rsrp_dbm: no usable rows: 1 rejected, e.g. rsrp_dbm 'abc' is not a number"),
    ("out-of-range", "measurements",
     text("m.csv", f"time,lon,lat,mnc,technology,rsrp_dbm\n2024-01-01T08:00:00,{LON},{LAT},4,4G,45\n"), {},
     "rsrp_dbm '45' is out of range -160…-20"),
    ("bad-time", "measurements",
     text("m.csv", f"time,lon,lat,mnc,technology,rsrp_dbm\n2024-13-45 99:00,{LON},{LAT},4,4G,-90\n"), {},
     "time '2024-13-45 99:00' is not a date-time"),
    ("bad-date", "villages", village_csv(f"V1,Thôn Một,{LON},{LAT},10,31/02/2024"), {},
     "as_of '31/02/2024' is not a date"),
    ("bad-population", "villages", village_csv(f"V1,Thôn Một,{LON},{LAT},nhiều,{AS_OF}"), {},
     "population 'nhiều' is not a number"),
    ("unknown-commune", "villages",
     village_csv(f"V1,Thôn Một,{LON},{LAT},99999,{AS_OF}", header="village_id,name,lon,lat,ma_xa,as_of"), {},
     "unknown commune code '99999' (boundaries 2019)"),
    ("missing-column", "villages", text("thon.csv", f"ten,lon,lat\nThôn Một,{LON},{LAT}\n"), {"as_of": AS_OF},
     "field village_id: missing column village_id"),
    ("truncated-geojson", "villages", truncated_geojson, {"as_of": AS_OF}, "cut.geojson: cannot read"),
    ("corrupt-geopackage", "villages", raw("thon.gpkg", b"SQLite format 3\x00" + bytes(range(256)) * 8), {},
     "thon.gpkg: cannot read gpkg file"),
    ("malformed-csv", "villages", text("thon.csv", f'village_id,name,lon,lat\nV1,"Thôn Một,{LON},{LAT}\n'), {},
     "malformed CSV"),
    ("binary-as-csv", "villages", raw("thon.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), {}, "binary data"),
    ("zip-path-traversal", "villages", traversal_zip, {}, "points outside the archive (path traversal)"),
    ("zip-bomb", "villages", bomb_zip, {"_max_uncompressed": 16}, "(zip bomb?)"),
    ("several-layers", "villages", two_layers, {"as_of": AS_OF}, "several layers (a, b): choose one with --layer"),
    ("tif-no-georef", "coverage", lambda d: coverage_geotiff(d / "nogeo.tif", georef=False),
     {"operator": "viettel", "technology": "4G", "as_of": AS_OF}, "GeoTIFF has no georeferencing"),
    ("tif-truncated", "coverage", truncated_tif, {"operator": "viettel", "technology": "4G", "as_of": AS_OF},
     "cut.tif: cannot"),
    ("tif-not-dbm", "coverage",
     lambda d: coverage_geotiff(d / "pct.tif", values=np.full((64, 64), 55.0)),
     {"operator": "viettel", "technology": "4G", "as_of": AS_OF}, "values from 55 to 55 are not signal strengths in dBm"),
    ("tif-all-nodata", "coverage", lambda d: coverage_geotiff(d / "nd.tif", values=np.full((64, 64), -9999.0)),
     {"operator": "viettel", "technology": "4G", "as_of": AS_OF}, "every pixel is nodata"),
    ("tif-bad-class", "coverage",
     lambda d: coverage_geotiff(d / "cls.tif", classes=True, values=np.full((64, 64), 7)),
     {"operator": "viettel", "technology": "4G", "as_of": AS_OF, "value": "class"}, "class 7 is not a coverage class"),
    ("tif-no-as-of", "coverage", lambda d: coverage_geotiff(d / "r.tif"), {"operator": "viettel", "technology": "4G"},
     "field --as-of: a coverage raster needs --as-of"),
    ("bad-quadkey", "measurements", lambda d: ookla_csv(d / "ookla.csv", keys=["1324x"]), {"as_of": AS_OF},
     "quadkey '1324x' is not a tile quadkey"),
    ("ookla-no-as-of", "measurements", lambda d: ookla_csv(d / "ookla.csv"), {}, "no as_of column and no --as-of given"),
    ("unknown-village", "services", lambda d: services_csv(d / "ks.csv", ["V404"]), {},
     "unknown village_id 'V404' (not in the store: ingest villages first)"),
    ("drive-no-technology", "measurements",
     text("m.csv", f"time,lon,lat,mnc\n2024-01-01T08:00:00,{LON},{LAT},4\n"), {}, "no technology column and no --technology"),
    ("bad-as-of-option", "measurements", lambda d: drive_csv(d / "m.csv"), {"as_of": "hôm qua"},
     "field --as-of: 'hôm qua' is not a date"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input(case: tuple, loaded: Store, settings: Settings, files: Path, template) -> None:  # type: ignore[no-untyped-def]
    _, kind, make, options, expected = case
    options = dict(options)
    limits = {}
    if "_max_mb" in options:
        limits["max_upload_mb"] = options.pop("_max_mb")
    if "_max_uncompressed" in options:
        limits["max_uncompressed_mb"] = options.pop("_max_uncompressed")
    settings = settings.model_copy(update=limits)
    path = make(files)
    with pytest.raises(InputError) as info:
        ingest_file(settings, loaded, kind, path, IngestOptions(**options))  # type: ignore[arg-type]
    message = str(info.value)
    assert expected in message
    assert "\n" not in message
    assert loaded.digest() == template.digest


def test_corpus_is_large_enough() -> None:
    assert len({c[0] for c in CASES}) >= 30


def test_all_rejected_rows_still_get_a_quarantine_report(loaded: Store, settings: Settings, files: Path) -> None:
    path = village_csv(f"V1,Thôn Lào,105.2,17.6,10,{AS_OF}", f"V2,Thôn Hai,{LON},{LAT},x,{AS_OF}")(files)
    with pytest.raises(InputError) as info:
        ingest_file(settings, loaded, "villages", path, IngestOptions())
    report = Path(str(info.value).split("(report: ")[1].rstrip(")"))
    rows = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))["rows"]
    assert [(r["row"], r["field"], r["reason"]) for r in rows] == [
        (1, "geometry", "outside Quảng Bình"), (2, "population", "population 'x' is not a number")]


def test_square_helper_is_inside() -> None:
    assert square(LON, LAT).contains(shapely.Point(LON, LAT))
