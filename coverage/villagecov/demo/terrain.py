"""SYNTHETIC terrain: a procedural elevation function and its GeoTIFF (EPSG:32648, metres).

The elevation is a function of position, so every generator (villages, sites, signal model) can
sample it anywhere and agree with the written DEM: a low coastal plain with dunes in the east,
foothills, then the Annamite range rising to ~2,000 m along the Lao border, ridges running NW→SE
(parallel to the coast) and a spur (Hoành Sơn) at the northern end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import shapely
from numpy.typing import NDArray
from rasterio.features import geometry_mask

from villagecov.demo.frame import ProvinceFrame, rng_for
from villagecov.schema import METRIC_CRS

FloatArray = NDArray[np.float64]
NODATA = -9999.0
SYNTHETIC_TAGS = {"VILLAGECOV_SYNTHETIC": "yes"}


class _Lattice:
    """Value noise on a random lattice in (along, across) coordinates, smooth interpolation."""

    def __init__(self, rng: np.random.Generator, s0: float, d0: float, cell_s: float, cell_d: float,
                 n_s: int, n_d: int) -> None:
        self.s0, self.d0, self.cs, self.cd = s0, d0, cell_s, cell_d
        self.values = rng.uniform(-1.0, 1.0, size=(n_s + 2, n_d + 2))

    def __call__(self, s: FloatArray, d: FloatArray) -> FloatArray:
        u = np.clip((s - self.s0) / self.cs, 0, self.values.shape[0] - 1.001)
        v = np.clip((d - self.d0) / self.cd, 0, self.values.shape[1] - 1.001)
        i, j = np.floor(u).astype(np.int64), np.floor(v).astype(np.int64)
        fu, fv = u - i, v - j
        fu, fv = fu * fu * (3 - 2 * fu), fv * fv * (3 - 2 * fv)
        a = self.values
        top = a[i, j] * (1 - fv) + a[i, j + 1] * fv
        bot = a[i + 1, j] * (1 - fv) + a[i + 1, j + 1] * fv
        return top * (1 - fu) + bot * fu


@dataclass
class Terrain:
    """Procedural elevation (m above sea level, 0–2,000) over the province frame."""

    frame: ProvinceFrame
    ridges: list[_Lattice]
    hills: list[_Lattice]
    s_north: float

    def elevation(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """Elevation (m) at EPSG:32648 coordinates ``x``, ``y`` (arrays of any shape)."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        s, d = self.frame.along(x, y), self.frame.across(x, y)
        t = self.frame.inland(x, y)
        ridge = np.zeros_like(s)
        amp, total = 1.0, 0.0
        for lat in self.ridges:
            ridge += amp * (1.0 - np.abs(lat(s, d)))
            total += amp
            amp *= 0.5
        ridge /= total  # 0..1, sharp crests
        hill = sum(0.5**k * lat(s, d) for k, lat in enumerate(self.hills))
        mountain = _smoothstep(0.18, 0.97, t) ** 1.4
        base = 4.0 + 1250.0 * mountain + 250.0 * _smoothstep(0.95, 1.3, t)
        relief = base * (0.35 + 1.05 * ridge**1.5) + 60.0 * mountain * hill
        plain = 6.0 + 5.0 * hill + 35.0 * np.exp(-(((t - 0.03) / 0.02) ** 2))  # coastal dunes
        north = 650.0 * np.exp(-(((s - self.s_north) / 7000.0) ** 2)) * (0.5 + 0.5 * ridge)
        z = np.where(t < 0.22, np.maximum(plain, relief), relief) + north * _smoothstep(-0.1, 0.3, t)
        z = np.where(t < -0.01, 0.0, z)  # the sea
        return np.clip(z, 0.0, 2000.0)


def _smoothstep(a: float, b: float, x: FloatArray) -> FloatArray:
    u = np.clip((np.asarray(x) - a) / (b - a), 0.0, 1.0)
    return u * u * (3 - 2 * u)


def make_terrain(frame: ProvinceFrame, seed: int) -> Terrain:
    """The seeded terrain of ``frame``: ridged noise stretched along the coast (NW→SE)."""
    rng = rng_for(seed, "terrain")
    minx, miny, maxx, maxy = shapely.bounds(frame.outline.buffer(30_000.0))
    corners_s = frame.along(np.array([minx, maxx, minx, maxx]), np.array([miny, miny, maxy, maxy]))
    corners_d = frame.across(np.array([minx, maxx, minx, maxx]), np.array([miny, miny, maxy, maxy]))
    s0, s1, d0, d1 = corners_s.min(), corners_s.max(), corners_d.min(), corners_d.max()

    def lattice(cell_s: float, cell_d: float) -> _Lattice:
        n_s = int((s1 - s0) / cell_s) + 2
        n_d = int((d1 - d0) / cell_d) + 2
        return _Lattice(rng, s0, d0, cell_s, cell_d, n_s, n_d)

    ridges = [lattice(24_000.0 / 2**k, 8_000.0 / 2**k) for k in range(5)]
    hills = [lattice(6_000.0 / 2**k, 6_000.0 / 2**k) for k in range(3)]
    s_north = float(frame.s_grid[np.flatnonzero(frame.coast_d == frame.coast_d.min())[-1]])
    return Terrain(frame=frame, ridges=ridges, hills=hills, s_north=s_north)


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid in EPSG:32648: origin (west, north), pixel size (m), shape."""

    west: float
    north: float
    pixel: float
    width: int
    height: int

    @property
    def transform(self) -> rasterio.Affine:
        return rasterio.Affine(self.pixel, 0.0, self.west, 0.0, -self.pixel, self.north)

    def centres(self) -> tuple[FloatArray, FloatArray]:
        """Pixel-centre coordinates as 2-D arrays (x, y), shape (height, width)."""
        xs = self.west + (np.arange(self.width) + 0.5) * self.pixel
        ys = self.north - (np.arange(self.height) + 0.5) * self.pixel
        return np.meshgrid(xs, ys)


def grid_over(frame: ProvinceFrame, pixel: float, margin: float = 5000.0) -> Grid:
    """A grid snapped to multiples of ``pixel`` covering the province plus ``margin`` metres."""
    minx, miny, maxx, maxy = shapely.bounds(frame.outline)
    west = np.floor((minx - margin) / pixel) * pixel
    north = np.ceil((maxy + margin) / pixel) * pixel
    width = int(np.ceil((maxx + margin - west) / pixel))
    height = int(np.ceil((north - (miny - margin)) / pixel))
    return Grid(float(west), float(north), pixel, width, height)


def province_mask(outline: shapely.Geometry, grid: Grid, buffer_m: float) -> NDArray[np.bool_]:
    """True on pixels within ``buffer_m`` metres of ``outline`` (EPSG:32648)."""
    shape = outline.buffer(buffer_m)
    return ~geometry_mask([shape], out_shape=(grid.height, grid.width), transform=grid.transform)


def write_geotiff(path: Path, data: NDArray[np.float32], grid: Grid, description: str,
                  tags: dict[str, str]) -> None:
    """Write a tiled, deflate-compressed float32 GeoTIFF (EPSG:32648, nodata -9999), tagged SYNTHETIC."""
    profile = {
        "driver": "GTiff",
        "dtype": "float32",
        "count": 1,
        "width": grid.width,
        "height": grid.height,
        "crs": METRIC_CRS,
        "transform": grid.transform,
        "nodata": NODATA,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
        "compress": "deflate",
        "predictor": 3,
    }
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data.astype(np.float32), 1)
        dst.update_tags(**SYNTHETIC_TAGS, **tags)
        dst.update_tags(1, **tags)
        dst.set_band_description(1, description)


def write_dem(path: Path, terrain: Terrain, pixel: float = 90.0) -> Grid:
    """Write the SYNTHETIC DEM (m, float32, nodata -9999 beyond 5 km of the province); its grid."""
    grid = grid_over(terrain.frame, pixel)
    x, y = grid.centres()
    z = terrain.elevation(x, y).astype(np.float32)
    z[~province_mask(terrain.frame.outline, grid, 5000.0)] = NODATA
    write_geotiff(path, np.round(z, 1), grid, "elevation (m)",
                  {"UNITS": "m", "DESCRIPTION": "SYNTHETIC terrain for the villagecov demo"})
    return grid
