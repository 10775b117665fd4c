"""Population as weighted points (EPSG:32648) and population-weighted covered shares.

A population surface (people per cell GeoTIFF) becomes one point per populated cell at the cell
centre carrying that cell's people; settlement points carry their own population. A village's
covered population share is the weight of its points inside coverage over the weight of all its
points; a village without population points falls back to its area share.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from villagecov.compute.tiling import TiledLayer
from villagecov.schema import METRIC_CRS


@dataclass(frozen=True)
class WeightedPoints:
    """Points in EPSG:32648 (metres), weight = people, ``village`` = index of the village or -1."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray
    village: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


def no_points() -> WeightedPoints:
    e = np.empty(0)
    return WeightedPoints(e, e, e, np.empty(0, dtype=np.int64))


def raster_points(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell centres (x, y in EPSG:32648) and people of the populated cells of a GeoTIFF."""
    import rasterio
    from pyproj import Transformer

    with rasterio.open(path) as src:
        band = src.read(1, masked=True).astype("float64")
        rows, cols = np.nonzero(~np.ma.getmaskarray(band) & (band.filled(0) > 0))
        people = band.data[rows, cols]
        xs, ys = rasterio.transform.xy(src.transform, rows, cols, offset="center")
        crs = src.crs
    tr = Transformer.from_crs(crs, METRIC_CRS, always_xy=True)
    x, y = tr.transform(np.asarray(xs, dtype="float64"), np.asarray(ys, dtype="float64"))
    return np.asarray(x), np.asarray(y), people


def assign_villages(x: np.ndarray, y: np.ndarray, weight: np.ndarray, villages: np.ndarray) -> WeightedPoints:
    """Attach each point to the village containing it (first by index on shared edges)."""
    village = np.full(len(x), -1, dtype=np.int64)
    if len(x) and len(villages):
        tree = shapely.STRtree(villages)
        pts = shapely.points(x, y)
        ip, iv = tree.query(pts, predicate="intersects")
        order = np.lexsort((iv, ip))
        ip, iv = ip[order], iv[order]
        first = np.r_[True, ip[1:] != ip[:-1]] if len(ip) else np.zeros(0, dtype=bool)
        village[ip[first]] = iv[first]
    keep = village >= 0
    return WeightedPoints(x[keep], y[keep], weight[keep].astype("float64"), village[keep])


def covered_mask(points: WeightedPoints, layer: TiledLayer, candidates: np.ndarray | None = None) -> np.ndarray:
    """Boolean per point: inside the layer's coverage. ``candidates`` restricts the tests."""
    out = np.zeros(len(points), dtype=bool)
    if layer.empty or len(points) == 0:
        return out
    idx = np.arange(len(points)) if candidates is None else np.flatnonzero(candidates)
    if len(idx) == 0:
        return out
    ip, pp = layer.tree.query(shapely.points(points.x[idx], points.y[idx]))
    inside = shapely.intersects_xy(layer.pieces[pp], points.x[idx][ip], points.y[idx][ip])
    out[idx[ip[inside]]] = True
    return out


def layer_mask(points: WeightedPoints, layer: TiledLayer, area_share: np.ndarray) -> np.ndarray:
    """Covered mask, testing only points of villages that are partly covered by area."""
    v = points.village
    full = area_share[v] >= 1.0
    partly = (area_share[v] > 0) & ~full
    return covered_mask(points, layer, partly) | full


def pop_share(points: WeightedPoints, covered: np.ndarray, area_share: np.ndarray) -> np.ndarray:
    """Population-weighted covered share per village; area share where a village has no people."""
    n = len(area_share)
    total = np.bincount(points.village, weights=points.weight, minlength=n)
    got = np.bincount(points.village[covered], weights=points.weight[covered], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, got / np.where(total > 0, total, 1.0), area_share)
    return np.clip(share, 0.0, 1.0)
