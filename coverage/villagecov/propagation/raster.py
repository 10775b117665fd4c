"""Output grid and Cloud-Optimized GeoTIFF writing.

The prediction grid is north-up in a metric CRS (EPSG:32648 by default), square cells of ``res`` m.
Signal rasters are float32 dBm with NaN as nodata.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from villagecov.schema import METRIC_CRS


@dataclass(frozen=True)
class Grid:
    """``rows`` × ``cols`` cells of ``res`` m whose north-west corner is (x0, y0) in ``crs``."""

    x0: float
    y0: float
    res: float
    rows: int
    cols: int
    crs: str = METRIC_CRS

    @classmethod
    def from_bounds(cls, bounds: tuple[float, float, float, float], res: float, crs: str = METRIC_CRS) -> Grid:
        minx, miny, maxx, maxy = bounds
        x0 = np.floor(minx / res) * res
        y0 = np.ceil(maxy / res) * res
        cols = max(1, int(np.ceil((maxx - x0) / res)))
        rows = max(1, int(np.ceil((y0 - miny) / res)))
        return cls(float(x0), float(y0), float(res), rows, cols, crs)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.x0, self.y0 - self.rows * self.res, self.x0 + self.cols * self.res, self.y0)

    @property
    def transform(self):
        from affine import Affine

        return Affine(self.res, 0.0, self.x0, 0.0, -self.res, self.y0)

    def window(self, x: float, y: float, radius_m: float) -> tuple[slice, slice, NDArray, NDArray]:
        """Rows/cols of the cells within ``radius_m`` of (x, y) (clipped to the grid), and the offsets
        (dx, dy) in m of those cells' centres from (x, y)."""
        c0 = max(0, int(np.floor((x - radius_m - self.x0) / self.res)))
        c1 = min(self.cols, int(np.ceil((x + radius_m - self.x0) / self.res)))
        r0 = max(0, int(np.floor((self.y0 - (y + radius_m)) / self.res)))
        r1 = min(self.rows, int(np.ceil((self.y0 - (y - radius_m)) / self.res)))
        cx = self.x0 + (np.arange(max(c0, 0), max(c1, c0)) + 0.5) * self.res - x
        cy = self.y0 - (np.arange(max(r0, 0), max(r1, r0)) + 0.5) * self.res - y
        dx, dy = np.meshgrid(cx, cy)
        return slice(r0, max(r1, r0)), slice(c0, max(c1, c0)), dx, dy


def write_cog(
    path: Path,
    array: NDArray[np.float32],
    grid: Grid,
    tags: dict[str, str] | None = None,
    description: str = "signal_dbm",
) -> Path:
    """Write ``array`` (rows × cols, NaN = nodata) as a Cloud-Optimized GeoTIFF with overviews
    (GDAL's COG driver: internal tiling 256, DEFLATE, averaged overviews)."""
    import rasterio

    path = Path(path)
    levels = max(1, int(np.ceil(np.log2(max(grid.rows, grid.cols) / 256))))  # down to one 256 block
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = {
        "driver": "COG",
        "width": grid.cols,
        "height": grid.rows,
        "count": 1,
        "dtype": "float32",
        "crs": grid.crs,
        "transform": grid.transform,
        "nodata": float("nan"),
        "compress": "DEFLATE",
        "predictor": 3,
        "blocksize": 256,
        "overview_count": levels,
        "overview_resampling": "average",
        "BIGTIFF": "IF_SAFER",
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(array.astype(np.float32), 1)
        dst.set_band_description(1, description)
        if tags:
            dst.update_tags(**tags)
    return path
