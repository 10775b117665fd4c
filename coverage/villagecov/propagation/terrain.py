"""Digital elevation model on a metric grid, with bilinear sampling.

The DEM is held in a projected CRS with metres (default EPSG:32648, UTM 48N), north-up, square
cells; heights in metres above sea level. :func:`load_dem` reprojects any GeoTIFF onto such a grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from villagecov.errors import InputError
from villagecov.schema import METRIC_CRS


@dataclass(frozen=True)
class Dem:
    """Heights (m) on a north-up grid: cell (row, col) has its centre at
    (x0 + (col + 0.5) res, y0 − (row + 0.5) res) in ``crs`` (metres)."""

    heights: NDArray[np.float32]
    x0: float  # west edge (m)
    y0: float  # north edge (m)
    res: float  # cell size (m)
    crs: str = METRIC_CRS
    synthetic: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        return self.heights.shape  # type: ignore[return-value]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        rows, cols = self.shape
        return (self.x0, self.y0 - rows * self.res, self.x0 + cols * self.res, self.y0)

    def sample(self, x: NDArray[np.floating], y: NDArray[np.floating]) -> NDArray[np.float32]:
        """Bilinear heights (m) at metric coordinates; points off the grid take the edge value."""
        rows, cols = self.shape
        fc = np.clip((np.asarray(x) - self.x0) / self.res - 0.5, 0.0, cols - 1.0)
        fr = np.clip((self.y0 - np.asarray(y)) / self.res - 0.5, 0.0, rows - 1.0)
        c0 = np.minimum(fc.astype(np.int64), max(cols - 2, 0))
        r0 = np.minimum(fr.astype(np.int64), max(rows - 2, 0))
        tc = (fc - c0).astype(np.float32)
        tr = (fr - r0).astype(np.float32)
        c1 = np.minimum(c0 + 1, cols - 1)
        r1 = np.minimum(r0 + 1, rows - 1)
        h = self.heights
        top = h[r0, c0] * (1 - tc) + h[r0, c1] * tc
        bottom = h[r1, c0] * (1 - tc) + h[r1, c1] * tc
        return (top * (1 - tr) + bottom * tr).astype(np.float32)


def flat_dem(bounds: tuple[float, float, float, float], res: float, height_m: float = 0.0) -> Dem:
    """A constant-height DEM covering ``bounds`` (minx, miny, maxx, maxy in metres)."""
    minx, miny, maxx, maxy = bounds
    cols = max(2, int(np.ceil((maxx - minx) / res)))
    rows = max(2, int(np.ceil((maxy - miny) / res)))
    return Dem(np.full((rows, cols), height_m, dtype=np.float32), minx, maxy, res)


def load_dem(
    path: Path,
    bounds: tuple[float, float, float, float],
    res: float,
    crs: str = METRIC_CRS,
) -> Dem:
    """Read the GeoTIFF at ``path`` and resample it (bilinear) onto ``bounds`` at ``res`` m in ``crs``.

    Nodata becomes 0 m (sea). The file's own tag ``VILLAGECOV_SYNTHETIC=yes`` carries over.
    """
    import rasterio
    from affine import Affine
    from rasterio.enums import Resampling
    from rasterio.errors import RasterioIOError
    from rasterio.warp import reproject

    minx, miny, maxx, maxy = bounds
    cols = max(2, int(np.ceil((maxx - minx) / res)))
    rows = max(2, int(np.ceil((maxy - miny) / res)))
    out = np.full((rows, cols), np.nan, dtype=np.float32)
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise InputError("the DEM has no CRS", file=str(path))
            synthetic = str(src.tags().get("VILLAGECOV_SYNTHETIC", "")).lower() in ("yes", "true", "1")
            reproject(
                source=rasterio.band(src, 1),
                destination=out,
                src_nodata=src.nodata,
                dst_transform=Affine(res, 0.0, minx, 0.0, -res, maxy),
                dst_crs=crs,
                dst_nodata=np.nan,
                resampling=Resampling.bilinear,
            )
    except RasterioIOError as exc:
        raise InputError(f"cannot read the DEM: {exc}", file=str(path)) from None
    out = np.where(np.isfinite(out), out, 0.0).astype(np.float32)
    return Dem(out, minx, maxy, res, crs, synthetic)
