"""SYNTHETIC test inputs built in code: villages cut from real communes, coverage discs, tests.

Coordinates: built in EPSG:32648 (metres), returned in EPSG:4326 as the store keeps them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from villagecov.schema import METRIC_CRS, STORAGE_CRS

OPERATORS = ("viettel", "vinaphone", "mobifone")


def villages_from_communes(communes: gpd.GeoDataFrame, as_of: str, per_side: int = 2) -> gpd.GeoDataFrame:
    """Cut each commune into per_side × per_side villages (bbox grid ∩ commune), SYNTHETIC."""
    metric = communes.to_crs(METRIC_CRS)
    rows = []
    for code, geom, version in zip(metric["code"], metric.geometry, metric["version"], strict=True):
        minx, miny, maxx, maxy = geom.bounds
        dx, dy = (maxx - minx) / per_side, (maxy - miny) / per_side
        k = 0
        for i in range(per_side):
            for j in range(per_side):
                cell = shapely.box(minx + i * dx, miny + j * dy, minx + (i + 1) * dx, miny + (j + 1) * dy)
                part = shapely.intersection(geom, cell)
                if part.area < 1000:
                    continue
                k += 1
                rows.append({"village_id": f"{code}-{k:02d}", "name": f"Thôn {k} SYNTHETIC", "commune_code": code,
                             "boundary_version": version, "population": 100 * k, "households": 25 * k,
                             "remote": None, "remote_official": None, "derived": True, "synthetic": True,
                             "source": "SYNTHETIC test", "as_of": as_of, "geometry": part})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS).to_crs(STORAGE_CRS)


def coverage_discs(bounds: tuple[float, float, float, float], n: int, radius_m: float, seed: int,
                   operator: str, technology: str, as_of: str, rows: int = 1) -> gpd.GeoDataFrame:
    """Union of n random discs (EPSG:32648 bounds) as `rows` coverage rows, SYNTHETIC."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(bounds[0], bounds[2], n)
    y = rng.uniform(bounds[1], bounds[3], n)
    discs = shapely.buffer(shapely.points(x, y), rng.uniform(0.5, 1.0, n) * radius_m, quad_segs=8)
    groups = np.array_split(discs, rows)
    geoms = [shapely.union_all(g) for g in groups]
    return gpd.GeoDataFrame({
        "coverage_id": [f"{operator}-{technology}-{as_of}-{i}" for i in range(rows)],
        "operator": operator, "technology": technology, "evidence": "declared", "raster_path": None,
        "value_kind": "polygon", "synthetic": True, "source": "SYNTHETIC test", "as_of": as_of,
    }, geometry=geoms, crs=METRIC_CRS).to_crs(STORAGE_CRS)
