"""The extent of a coverage submission: the area it speaks for (EPSG:4326).

- ``declared``: ``--extent`` names admin-unit codes of the ingest's boundary version
  (``19594,19597`` — communes, or a district/province) or a polygon file (any vector format).
- ``valid_data``: a raster's valid-data area (its cells that are not nodata).
- ``footprint``: a vector file's communes — every commune (of the boundary version) of which
  its polygons cover at least ``FOOTPRINT_MIN_SHARE`` of the area. A file speaks for the
  communes it maps, including their parts it leaves uncovered, and for nothing else.

A newer submission supersedes earlier evidence of the same operator × technology × evidence
inside its extent only (:mod:`villagecov.compute.supersede`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from villagecov.errors import InputError
from villagecov.schema import METRIC_CRS, STORAGE_CRS

FOOTPRINT_MIN_SHARE = 0.01


def declared_extent(value: str, units: gpd.GeoDataFrame, version: str) -> tuple[shapely.Geometry, str]:
    """``--extent``: a polygon file, or comma-separated unit codes of ``units`` (code, geometry)."""
    path = Path(value)
    if path.suffix and path.is_file():
        try:
            frame = gpd.read_file(path)
        except Exception as exc:
            raise InputError(f"cannot read the extent polygons: {exc}", file=path.name, field="--extent") from None
        if frame.crs is None:
            raise InputError("the extent file has no CRS", file=path.name, field="--extent")
        polys = frame[frame.geometry.notna() & frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        if polys.empty:
            raise InputError("the extent file has no polygon", file=path.name, field="--extent")
        geom = shapely.union_all(shapely.make_valid(np.asarray(polys.to_crs(STORAGE_CRS).geometry.values)))
        return geom, f"declared: polygons of {path.name}"
    if path.suffix and not value.replace(",", "").strip().isdigit():
        raise InputError("no such file", file=value, field="--extent")
    codes = [c.strip() for c in value.split(",") if c.strip()]
    if not codes:
        raise InputError("--extent is empty: give unit codes CODE,CODE or a polygon file", field="--extent")
    known = dict(zip(units["code"], units.geometry.values, strict=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InputError(f"unknown unit code {unknown[0]!r} in boundaries {version}", field="--extent")
    return shapely.union_all([known[c] for c in codes]), f"declared: units {','.join(codes)}"


def footprint(coverage: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> tuple[shapely.Geometry | None, str]:
    """The communes a vector coverage file maps (see the module docstring); None when none."""
    geoms = coverage.geometry[coverage.geometry.notna()]
    if geoms.empty or communes.empty:
        return None, "footprint: no commune"
    cover = shapely.union_all(np.asarray(geoms.to_crs(METRIC_CRS).values, dtype=object))
    metric = communes.to_crs(METRIC_CRS)
    cells = np.asarray(metric.geometry.values, dtype=object)
    hits = shapely.STRtree(cells).query(cover, predicate="intersects")
    share = shapely.area(shapely.intersection(cells[hits], cover)) / np.maximum(shapely.area(cells[hits]), 1.0)
    chosen = hits[share >= FOOTPRINT_MIN_SHARE]
    if len(chosen) == 0:  # too small to speak for a commune: it speaks for its own polygons
        return shapely.union_all(np.asarray(geoms.values, dtype=object)), "footprint: its polygons"
    codes = sorted(communes["code"].to_numpy()[chosen])
    geom = shapely.union_all(np.asarray(communes.geometry.values, dtype=object)[chosen])
    return geom, f"footprint: {len(codes)} communes ({','.join(codes[:8])}{'…' if len(codes) > 8 else ''})"


def raster_extent(coverage: gpd.GeoDataFrame) -> tuple[shapely.Geometry | None, str]:
    """A raster's valid-data area: the footprint its reader traced (the row geometry)."""
    geoms = coverage.geometry[coverage.geometry.notna()]
    if geoms.empty:
        return None, "valid_data: none"
    return shapely.union_all(np.asarray(geoms.values, dtype=object)), "valid_data: the raster's valid cells"
