"""A tiny SYNTHETIC province for the map tests: 2 districts, 4 communes, 8 villages, sites,
coverage (two vintages), services and indicators. Geometry EPSG:4326 near Quảng Bình.

Layout (lon 106.0–106.8, lat 17.2–17.6): district 01 = communes 0101 (west) and 0102,
district 02 = communes 0201 and 0202 (east); each commune holds two villages side by side.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from villagecov.frames import normalize
from villagecov.maps.inputs import MapInputs
from villagecov.schema import TABLES

V1, V2 = "2023-01-01", "2025-06-30"  # baseline and latest vintages
CRS = "EPSG:4326"

# village_id, name, commune, population, remote, reasons, class at V1 (ANY), class at V2 (ANY)
VILLAGES = [
    ("V1", "Thôn Đồng Hóa", "0101", 900, False, "", "3G", "4G"),
    ("V2", "Bản Dốc Mây", "0101", 412, True, "elevation=512m>400m;border_commune", "none", "partial"),
    ("V3", "Thôn Tân Lý", "0102", 1500, False, "", "4G", "4G"),
    ("V4", "Bản Ón", "0102", 120, True, "distance_to_seat=31.2km>25km", "none", "none"),
    ("V5", "Thôn Phú Xuân", "0201", 800, False, "", "2G", "4G"),
    ("V6", "Thôn Quảng Phú", "0201", 650, False, "", "partial", "3G"),
    ("V7", "Bản Cà Xen", "0202", 300, True, "official", "none", "2G"),
    ("V8", "Tổ dân phố Đức Ninh", "0202", 2200, False, "", "4G", "5G"),
]
COMMUNES = [
    ("0101", "Xã Trọng Hóa", "01", (106.0, 17.2, 106.2, 17.6)),
    ("0102", "Xã Dân Hóa", "01", (106.2, 17.2, 106.4, 17.6)),
    ("0201", "Xã Quảng Phú", "02", (106.4, 17.2, 106.6, 17.6)),
    ("0202", "Phường Đức Ninh", "02", (106.6, 17.2, 106.8, 17.6)),
]
DISTRICTS = [("01", "Huyện Minh Hóa", (106.0, 17.2, 106.4, 17.6)), ("02", "Thành phố Đồng Hới", (106.4, 17.2, 106.8, 17.6))]


def _frame(name: str, rows: list[dict], geoms: list | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    if geoms is not None:
        df = gpd.GeoDataFrame(df, geometry=geoms, crs=CRS)
    return normalize(df, TABLES[name])


def village_box(i: int) -> tuple[float, float, float, float]:
    """Village i (0-based) occupies the west or east half of its commune, lat 17.3–17.5."""
    commune = COMMUNES[i // 2][3]
    x0 = commune[0] + (0.1 if i % 2 else 0.0)
    return (x0 + 0.01, 17.3, x0 + 0.09, 17.5)


def village_centre(village_id: str) -> tuple[float, float]:
    """(lon, lat) of the centre of a village polygon."""
    i = [v[0] for v in VILLAGES].index(village_id)
    b = village_box(i)
    return ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)


def villages_gdf() -> gpd.GeoDataFrame:
    rows = [
        dict(village_id=v, name=n, commune_code=c, boundary_version="2019", population=p, households=p // 4,
             remote=r, remote_reasons=why or None, derived=False, synthetic=True, source="SYNTHETIC test", as_of=V1)
        for v, n, c, p, r, why, _a, _b in VILLAGES
    ]
    return _frame("villages", rows, [box(*village_box(i)) for i in range(len(VILLAGES))])


def _coverage_rows(cls: str) -> list[tuple[str, str]]:
    """(technology, status) rows of operator ANY that give class ``cls``."""
    techs = ("2G", "3G", "4G", "5G")
    if cls in techs:
        k = techs.index(cls)
        return [(tch, "covered" if i <= k else "none") for i, tch in enumerate(techs)]
    return [(tch, "partial" if (cls == "partial" and tch == "2G") else "none") for tch in techs]


def village_coverage() -> pd.DataFrame:
    rows = []
    for v, *_rest, c1, c2 in VILLAGES:
        for as_of, cls in ((V1, c1), (V2, c2)):
            for tech, status in _coverage_rows(cls):
                rows.append(dict(village_id=v, operator="ANY", technology=tech, evidence="declared", as_of=as_of,
                                 covered_pop_share={"covered": 1.0, "partial": 0.5, "none": 0.0}[status], status=status))
                if status == "covered":
                    rows.append(dict(village_id=v, operator="viettel", technology=tech, evidence="declared",
                                     as_of=as_of, covered_pop_share=1.0, status=status))
    return _frame("village_coverage", rows)


def sample_inputs() -> MapInputs:
    communes = _frame(
        "admin_units",
        [dict(code=c, level="commune", name=n, parent_code=p, version="2019") for c, n, p, _b in COMMUNES],
        [box(*b) for *_x, b in COMMUNES],
    )
    districts = _frame(
        "admin_units",
        [dict(code=c, level="district", name=n, parent_code="44", version="2019") for c, n, _b in DISTRICTS],
        [box(*b) for *_x, b in DISTRICTS],
    )
    province = _frame(
        "admin_units", [dict(code="44", level="province", name="Tỉnh Quảng Bình", version="2019")],
        [box(106.0, 17.2, 106.8, 17.6)],
    )
    sites = _frame(
        "sites",
        [
            dict(site_id="S1", kind="mobile_tower", operator="viettel", technologies="2G,4G", height_m=42.0,
                 in_service_from="2019-05-01", synthetic=True, as_of=V2),
            dict(site_id="S2", kind="mobile_tower", operator="vinaphone", technologies="4G", height_m=36.0,
                 in_service_from="2024-03-15", synthetic=True, as_of=V2),
            dict(site_id="S3", kind="mobile_tower", operator="mobifone", technologies="3G,4G", height_m=30.0,
                 in_service_from="2021-01-10", synthetic=True, as_of=V2),
        ],
        [Point(106.25, 17.55), Point(106.55, 17.25), Point(106.72, 17.55)],
    )
    coverage = _frame(
        "coverage",
        [
            dict(coverage_id="C-vt-4g-1", operator="viettel", technology="4G", evidence="declared", value_kind="polygon",
                 synthetic=True, as_of=V1),
            dict(coverage_id="C-vt-4g-2", operator="viettel", technology="4G", evidence="declared", value_kind="polygon",
                 synthetic=True, as_of=V2),
            dict(coverage_id="R-vt-4g", operator="viettel", technology="4G", evidence="modelled",
                 raster_path="archive/r.tif", value_kind="signal_dbm", synthetic=True, as_of=V2),
        ],
        [box(106.0, 17.3, 106.3, 17.6), box(106.0, 17.2, 106.6, 17.6), None],
    )
    services = _frame(
        "services",
        [
            dict(village_id=v, service=s, available=(v in ("V3", "V8") or s != "press"), synthetic=True, as_of=V2)
            for v, *_r in VILLAGES
            for s in ("fixed_broadband", "radio", "tv", "press")
        ],
    )
    ind = []
    for level, code, name in [("province", "44", "Tỉnh Quảng Bình"), ("district", "01", "Huyện Minh Hóa"),
                              ("commune", "0101", "Xã Trọng Hóa")]:
        for as_of, share in ((V1, 0.25), (V2, 0.5)):
            ind.append(dict(indicator="t8.villages_4g_share", level=level, unit_code=code, unit_name=name,
                            boundary_version="2019", as_of=as_of, value=share, numerator=share * 8, denominator=8,
                            baseline=0.25, target=1.0))
            ind.append(dict(indicator="t8.villages_no_signal", level=level, unit_code=code, unit_name=name,
                            boundary_version="2019", as_of=as_of, value=3 if as_of == V1 else 1, baseline=3, target=0))
    return MapInputs(
        province=province,
        communes=communes,
        districts=districts,
        villages=villages_gdf(),
        boundary_version="2019",
        village_coverage=village_coverage(),
        sites=sites,
        coverage=coverage,
        services=services,
        indicators=_frame("indicators", ind),
    )
