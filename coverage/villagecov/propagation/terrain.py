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
    missing_share: float = 0.0  # share of the grid no tile covered (heights there interpolated, never 0 m)
    sources: int = 1

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


DEM_SUFFIXES = (".tif", ".tiff", ".hgt", ".vrt", ".img", ".dem", ".bil", ".asc")


def dem_sources(path: Path | str) -> list[str]:
    """The rasters of a DEM given as one file, a VRT, a folder of tiles, a zip of tiles (SRTM's
    ``N17E106.SRTMGL1.hgt.zip``) or several of these separated by commas; GDAL paths."""
    out: list[str] = []
    for part in [p.strip() for p in str(path).split(",") if p.strip()]:
        item = Path(part)
        if item.is_dir():
            files = sorted(f for f in item.rglob("*") if f.is_file() and (f.suffix.lower() in DEM_SUFFIXES
                                                                          or f.name.lower().endswith(".hgt.zip")))
            out += [s for f in files for s in dem_sources(f)]
        elif item.suffix.lower() == ".zip":
            import zipfile

            try:
                with zipfile.ZipFile(item) as zf:
                    inner = [n for n in zf.namelist() if n.lower().endswith(DEM_SUFFIXES)]
            except (zipfile.BadZipFile, OSError):
                raise InputError("not a valid zip of DEM tiles", file=str(item)) from None
            out += [f"/vsizip/{item}/{n}" for n in inner]
        elif item.is_file():
            out.append(str(item))
        else:
            raise InputError("no such DEM file or folder", file=part)
    if not out:
        raise InputError("no DEM tiles found (GeoTIFF, .hgt, VRT)", file=str(path))
    return out


def load_dem(
    path: Path | str,
    bounds: tuple[float, float, float, float],
    res: float,
    crs: str = METRIC_CRS,
) -> Dem:
    """Read the DEM at ``path`` (one file, a VRT, a folder or zip of tiles, or comma-separated
    paths: see :func:`dem_sources`) and resample it (bilinear) onto ``bounds`` at ``res`` m in ``crs``.

    Each grid cell takes the first tile with ground there (tiles and voids fill each other). Cells
    no tile covers are never 0 m: they are interpolated from the nearest ground (GDAL fillnodata)
    and their share is kept in ``missing_share`` for the run's notes; a DEM that covers none of
    the area is refused. The tag ``VILLAGECOV_SYNTHETIC=yes`` of any tile carries over.
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
    synthetic = False
    sources = dem_sources(path)
    for source in sources:
        tile = np.full((rows, cols), np.nan, dtype=np.float32)
        try:
            with rasterio.open(source) as src:
                if src.crs is None:
                    raise InputError("the DEM has no CRS", file=source)
                synthetic |= str(src.tags().get("VILLAGECOV_SYNTHETIC", "")).lower() in ("yes", "true", "1")
                nodata = src.nodata if src.nodata is not None else (-32768.0 if source.lower().endswith(".hgt")
                                                                     else None)
                reproject(
                    source=rasterio.band(src, 1),
                    destination=tile,
                    src_nodata=nodata,
                    dst_transform=Affine(res, 0.0, minx, 0.0, -res, maxy),
                    dst_crs=crs,
                    dst_nodata=np.nan,
                    resampling=Resampling.bilinear,
                )
        except RasterioIOError as exc:
            raise InputError(f"cannot read the DEM: {str(exc).splitlines()[0][:160]}", file=source) from None
        tile[tile < -500] = np.nan  # voids written as -32768 or -9999 without a declared nodata
        fill = np.isnan(out) & np.isfinite(tile)
        out[fill] = tile[fill]
    missing = ~np.isfinite(out)
    share = float(missing.mean())
    if share >= 1.0:
        raise InputError(f"the DEM ({len(sources)} file{'s' if len(sources) > 1 else ''}) does not cover the area "
                         "at all", file=str(path))
    if share > 0:
        from rasterio.fill import fillnodata

        out = fillnodata(np.where(missing, 0, out).astype(np.float32), mask=(~missing).astype("uint8"),
                         max_search_distance=max(rows, cols) * 2, smoothing_iterations=0)
    return Dem(out.astype(np.float32), minx, maxy, res, crs, synthetic, share, len(sources))
