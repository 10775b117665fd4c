"""Zonal statistics of coverage rasters over villages (exactextract: exact per-cell fractions).

A raster holds either signal strength in dBm (``signal_dbm``) or coverage classes (``class``:
0 none, 1 outdoor, 2 in-car, 3 indoor). A cell is covered when its signal reaches the
technology's threshold (dBm, from settings) or its class is at least outdoor. The covered area
share of a village is Σ(cell fraction inside the village × covered) × cell area / village area,
both in the raster's CRS, so parts of a village outside the raster count as not covered;
``best_signal_dbm`` is the maximum over the cells the village touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
from affine import Affine
from pyproj import CRS, Transformer

from villagecov.errors import InputError
from villagecov.schema import METRIC_CRS


@dataclass(frozen=True)
class RasterLayer:
    """One band as float64 with NaN for nodata; ``transform``/``crs`` of the grid."""

    values: np.ndarray
    transform: Affine
    crs: CRS
    value_kind: str  # signal_dbm | class

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        h, w = self.values.shape
        x0, y0 = self.transform @ (0, 0)
        x1, y1 = self.transform @ (w, h)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def read_raster(path: str | Path, value_kind: str) -> RasterLayer:
    """Read band 1 of a GeoTIFF (COG) into a :class:`RasterLayer`."""
    import rasterio

    try:
        with rasterio.open(path) as src:
            band = src.read(1, masked=True).astype("float64")
            if src.crs is None:
                raise InputError("raster has no CRS", file=str(path))
            return RasterLayer(band.filled(np.nan), src.transform, CRS.from_user_input(src.crs), value_kind)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"cannot read raster: {exc}", file=str(path)) from None


def covered_cells(layer: RasterLayer, threshold_dbm: float) -> np.ndarray:
    """1.0 where a cell is covered, else 0.0 (nodata counts as not covered)."""
    v = layer.values
    ok = v >= (1.0 if layer.value_kind == "class" else threshold_dbm)
    return np.where(np.isnan(v), 0.0, ok.astype("float64"))


def covered_polygons(layer: RasterLayer, threshold_dbm: float) -> np.ndarray:
    """The covered cells of a raster as polygons (cell edges exact) in EPSG:32648.

    Lets raster coverage join the exact vector engine: a declared raster and declared polygons
    of the same operator and technology are unioned, and ANY unions rasters across operators.
    """
    import rasterio.features
    import shapely

    mask = covered_cells(layer, threshold_dbm) > 0
    if not mask.any():
        return np.empty(0, dtype=object)
    shapes = rasterio.features.shapes(mask.astype("uint8"), mask=mask, transform=layer.transform, connectivity=4)
    geoms = np.array([shapely.geometry.shape(g) for g, _ in shapes], dtype=object)
    if layer.crs.equals(CRS.from_user_input(METRIC_CRS)):
        return geoms
    return np.asarray(gpd.GeoSeries(geoms, crs=layer.crs).to_crs(METRIC_CRS).values, dtype=object)


def best_signal(villages: gpd.GeoSeries, layer: RasterLayer) -> np.ndarray:
    """Best signal (dBm) per village over the cells it touches; NaN for class rasters."""
    if layer.value_kind != "signal_dbm":
        return np.full(len(villages), np.nan)
    return zonal(villages, layer, np.inf)[1]


def zonal(villages: gpd.GeoSeries, layer: RasterLayer, threshold_dbm: float) -> tuple[np.ndarray, np.ndarray]:
    """(covered area share, best signal dBm or NaN) per village, in the order of ``villages``.

    The share is exactextract's per-cell fractions; the engine itself unions the covered cells
    as polygons (:func:`covered_polygons`) so that rasters and polygons combine exactly."""
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    n = len(villages)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    geoms = villages.to_crs(layer.crs)
    frame = gpd.GeoDataFrame({"vidx": np.arange(n)}, geometry=geoms.values, crs=layer.crs)
    xmin, ymin, xmax, ymax = layer.bounds
    wkt = layer.crs.to_wkt()
    # exactextract wants north-up rows: flip if the transform is south-up
    flip = layer.transform.e > 0
    values = layer.values[::-1] if flip else layer.values
    cov = covered_cells(layer, threshold_dbm)
    cov = cov[::-1] if flip else cov
    sources = [NumPyRasterSource(cov, xmin, ymin, xmax, ymax, name="cov", srs_wkt=wkt)]
    ops = ["sum"]
    # the value band is always passed so that output columns are named "<band>_<op>"
    sources.append(NumPyRasterSource(values, xmin, ymin, xmax, ymax, nodata=np.nan, name="sig", srs_wkt=wkt))
    # cells touched by less than 1e-6 of their area (edges shared to floating-point precision)
    # do not count for the best signal
    ops.append("max(min_coverage_frac=0.000001)")
    out = exact_extract(sources, frame, ops, include_cols=["vidx"], output="pandas")
    out = out.sort_values("vidx") if "vidx" in out.columns else out
    cell_area = abs(layer.transform.a * layer.transform.e - layer.transform.b * layer.transform.d)
    area = geoms.area.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(area > 0, out["cov_sum"].to_numpy(dtype="float64") * cell_area / area, 0.0)
    share = np.clip(np.nan_to_num(share), 0.0, 1.0)
    if layer.value_kind == "signal_dbm":
        best = out["sig_max"].to_numpy(dtype="float64")
    else:
        best = np.full(n, np.nan)
    return share, best


def sample_values(layer: RasterLayer, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Raster values (NaN outside or nodata) at points in EPSG:32648; used for terrain."""
    tr = Transformer.from_crs(METRIC_CRS, layer.crs, always_xy=True)
    rx, ry = tr.transform(x, y)
    col, row = ~layer.transform @ (np.asarray(rx), np.asarray(ry))
    col, row = np.floor(col).astype(np.int64), np.floor(row).astype(np.int64)
    h, w = layer.values.shape
    inside = (row >= 0) & (row < h) & (col >= 0) & (col < w)
    out = np.full(len(x), np.nan)
    out[inside] = layer.values[row[inside], col[inside]]
    return out
