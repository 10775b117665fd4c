"""Byte-reproducible writers for the SYNTHETIC demo files (CSV, GeoJSON, GeoPackage, zipped Shapefile).

Same input → same bytes: GeoJSON and CSV are serialised here; GeoPackage timestamps are pinned
with GDAL's ``OGR_CURRENT_DATE``; Shapefile DBF dates and zip entry times are fixed.
"""

from __future__ import annotations

import json
import math
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

SYNTHETIC_METADATA = {"VILLAGECOV_SYNTHETIC": "yes"}
FIXED_ZIP_TIME = (2024, 12, 31, 0, 0, 0)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV, ``\\n`` line ends, no index; empty cells for missing values."""
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _json_value(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        return None if math.isnan(v) else float(v)
    return v


def _rounded(geom: shapely.Geometry, decimals: int) -> dict[str, Any]:
    snapped = shapely.set_precision(geom, 10.0**-decimals)
    return shapely.geometry.mapping(shapely.transform(snapped, lambda c: np.round(c, decimals)))


def write_geojson(frame: gpd.GeoDataFrame, path: Path, decimals: int = 6,
                  name: str | None = None) -> None:
    """GeoJSON FeatureCollection in the frame's CRS; a non-WGS 84 CRS is declared in a ``crs`` member."""
    props = [c for c in frame.columns if c != frame.geometry.name]
    features = []
    for row, geom in zip(frame[props].itertuples(index=False), frame.geometry.values, strict=True):
        features.append({
            "type": "Feature",
            "properties": {k: _json_value(v) for k, v in zip(props, row, strict=True)},
            "geometry": _rounded(geom, decimals),
        })
    doc: dict[str, Any] = {"type": "FeatureCollection", "name": name or path.stem}
    epsg = frame.crs.to_epsg() if frame.crs is not None else None
    if epsg is not None and epsg != 4326:
        doc["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
    doc["features"] = features
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def write_gpkg(path: Path, layers: Mapping[str, gpd.GeoDataFrame], description: str, as_of: str) -> None:
    """One GeoPackage with a layer per key, each tagged ``VILLAGECOV_SYNTHETIC=yes``."""
    path.unlink(missing_ok=True)
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": f"{as_of}T00:00:00.000Z"})
    try:
        for name, frame in layers.items():
            pyogrio.write_dataframe(
                frame, path, layer=name, driver="GPKG", promote_to_multi=True,
                layer_metadata={**SYNTHETIC_METADATA, "DESCRIPTION": description},
            )
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def write_zipped_shapefile(path: Path, frame: gpd.GeoDataFrame, layer: str, as_of: str) -> None:
    """A zip holding one Shapefile (``layer``.shp/.shx/.dbf/.prj/.cpg), fixed dates inside and out."""
    with tempfile.TemporaryDirectory() as tmp:
        shp = Path(tmp) / f"{layer}.shp"
        pyogrio.write_dataframe(
            frame, shp, driver="ESRI Shapefile", promote_to_multi=False,
            layer_options={"DBF_DATE_LAST_UPDATE": as_of, "ENCODING": "UTF-8"},
        )
        path.unlink(missing_ok=True)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for member in sorted(Path(tmp).iterdir()):
                info = zipfile.ZipInfo(member.name, date_time=FIXED_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, member.read_bytes())
