"""SYNTHETIC signal model and the declared coverage polygons derived from it.

A deliberately simple model on a 250 m grid (EPSG:32648): log-distance path loss from every
site, plus knife-edge diffraction over the highest obstacle between site and pixel (sampled
from the synthetic terrain), plus a spatially correlated shadowing field. The best server per
operator × technology × vintage gives a signal raster (dBm: RSRP for 4G/5G, RSCP for 3G,
RxLev for 2G); thresholding it gives the operator's declared coverage, with holes in the
mountains where ridges shadow the valleys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from numpy.typing import NDArray
from rasterio.features import shapes

from villagecov.demo.frame import ProvinceFrame, rng_for
from villagecov.demo.sites import Site
from villagecov.demo.terrain import Grid, Terrain, grid_over

# technology -> (signal at 1 km in dBm, path-loss exponent, wavelength in m)
RADIO_MODEL: dict[str, tuple[float, float, float]] = {
    "2G": (-58.0, 3.5, 0.333),
    "3G": (-68.0, 3.5, 0.143),
    "4G": (-72.0, 3.6, 0.167),
    "5G": (-90.0, 4.0, 0.115),
}
# Outdoor thresholds (dBm) as in the default settings: 4G/5G RSRP, 3G RSCP, 2G RxLev.
THRESHOLDS_DBM: dict[str, float] = {"2G": -95.0, "3G": -100.0, "4G": -105.0, "5G": -105.0}
FLOOR_DBM = -140.0
# Top of each measurement's reporting range (3GPP): RxLev -48, RSCP -25, RSRP -44 dBm.
CEILING_DBM: dict[str, float] = {"2G": -48.0, "3G": -25.0, "4G": -44.0, "5G": -44.0}
REACH_M = 15_000.0
PATH_SAMPLES = 8


@dataclass
class SignalModel:
    """Best-server signal (dBm, float32, ``FLOOR_DBM`` where nothing) per (operator, tech, as_of)."""

    grid: Grid
    elevation: NDArray[np.float64]
    rasters: dict[tuple[str, str, str], NDArray[np.float32]] = field(default_factory=dict)

    def sample(self, operator: str, technology: str, as_of: str, x: NDArray[np.float64],
               y: NDArray[np.float64]) -> NDArray[np.float64]:
        """Signal (dBm) at EPSG:32648 points (nearest pixel); ``FLOOR_DBM`` off the grid."""
        arr = self.rasters.get((operator, technology, as_of))
        if arr is None:
            return np.full(np.shape(x), FLOOR_DBM)
        col = np.floor((np.asarray(x) - self.grid.west) / self.grid.pixel).astype(np.int64)
        row = np.floor((self.grid.north - np.asarray(y)) / self.grid.pixel).astype(np.int64)
        ok = (col >= 0) & (col < self.grid.width) & (row >= 0) & (row < self.grid.height)
        out = np.full(np.shape(x), FLOOR_DBM)
        out[ok] = arr[row[ok], col[ok]]
        return out


def _shadowing(grid: Grid, rng: np.random.Generator, sigma_db: float = 5.0, cell_m: float = 2000.0) -> NDArray[np.float64]:
    """Spatially correlated log-normal shadowing (dB): coarse normal noise, bilinear upsampling."""
    step = cell_m / grid.pixel
    coarse = rng.normal(0.0, sigma_db, size=(int(grid.height / step) + 3, int(grid.width / step) + 3))
    r = np.arange(grid.height) / step
    c = np.arange(grid.width) / step
    r0, c0 = np.floor(r).astype(int), np.floor(c).astype(int)
    fr, fc = (r - r0)[:, None], (c - c0)[None, :]
    a = coarse[np.ix_(r0, c0)] * (1 - fc) + coarse[np.ix_(r0, c0 + 1)] * fc
    b = coarse[np.ix_(r0 + 1, c0)] * (1 - fc) + coarse[np.ix_(r0 + 1, c0 + 1)] * fc
    return a * (1 - fr) + b * fr


def _diffraction_db(v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Single knife-edge loss (dB, ITU-R P.526 approximation), capped at 45 dB."""
    loss = 6.9 + 20 * np.log10(np.sqrt((v - 0.1) ** 2 + 1) + v - 0.1)
    return np.clip(np.where(v > -0.78, loss, 0.0), 0.0, 45.0)


def compute_signals(frame: ProvinceFrame, terrain: Terrain, sites: list[Site], vintages: list[str],
                    vintage_ts: list[float], seed: int, pixel: float = 250.0) -> SignalModel:
    """Best-server rasters for every operator × technology × vintage the sites carry."""
    grid = grid_over(frame, pixel)
    x, y = grid.centres()
    elev = terrain.elevation(x, y)
    shadow = _shadowing(grid, rng_for(seed, "shadowing"))
    model = SignalModel(grid=grid, elevation=elev)
    reach = int(REACH_M / pixel)
    offs = np.arange(-reach, reach + 1)
    dr, dc = np.meshgrid(offs, offs, indexing="ij")
    fractions = (np.arange(1, PATH_SAMPLES + 1) / (PATH_SAMPLES + 1))[:, None, None]
    for site in sites:
        r0 = int((grid.north - site.y) // pixel)
        c0 = int((site.x - grid.west) // pixel)
        rows, cols = r0 + dr, c0 + dc
        inside = (rows >= 0) & (rows < grid.height) & (cols >= 0) & (cols < grid.width)
        if not inside.any() or not (0 <= r0 < grid.height and 0 <= c0 < grid.width):
            continue
        rmin, rmax = max(r0 - reach, 0), min(r0 + reach, grid.height - 1)
        cmin, cmax = max(c0 - reach, 0), min(c0 + reach, grid.width - 1)
        wr = slice(rmin - (r0 - reach), rmax - (r0 - reach) + 1)
        wc = slice(cmin - (c0 - reach), cmax - (c0 - reach) + 1)
        prow, pcol = rows[wr, wc], cols[wr, wc]
        d = np.maximum(np.hypot(prow - r0, pcol - c0) * pixel, 50.0)
        z_tx = elev[r0, c0] + site.height_m
        z_rx = elev[prow, pcol] + 1.5
        sr = np.rint(r0 + fractions * (prow - r0)).astype(np.int64)
        sc = np.rint(c0 + fractions * (pcol - c0)).astype(np.int64)
        line = z_tx + fractions * (z_rx - z_tx)
        excess = elev[sr, sc] - line
        d1, d2 = fractions * d, (1 - fractions) * d
        geo = (excess * np.sqrt(2 * d / (d1 * d2))).max(axis=0)  # v * sqrt(wavelength)
        log_km = np.log10(d / 1000.0)
        fading = shadow[prow, pcol]
        for tech, created in site.created.items():
            p1km, exponent, wavelength = RADIO_MODEL[tech]
            signal = p1km - 10 * exponent * log_km + fading - _diffraction_db(geo / np.sqrt(wavelength))
            signal = np.clip(signal, FLOOR_DBM, CEILING_DBM[tech]).astype(np.float32)
            for as_of, ts in zip(vintages, vintage_ts, strict=True):
                if created > ts:
                    continue
                key = (site.operator, tech, as_of)
                arr = model.rasters.get(key)
                if arr is None:
                    arr = model.rasters[key] = np.full((grid.height, grid.width), FLOOR_DBM, np.float32)
                np.maximum(arr[rmin:rmax + 1, cmin:cmax + 1], signal, out=arr[rmin:rmax + 1, cmin:cmax + 1])
    return model


def coverage_polygons(model: SignalModel, operator: str, technology: str, as_of: str,
                      clip_to: shapely.Geometry, min_area_m2: float = 500_000.0,
                      simplify_m: float = 60.0) -> shapely.Geometry | None:
    """Declared coverage: the area where the signal reaches the threshold (EPSG:32648 MultiPolygon).

    Parts and holes smaller than ``min_area_m2`` are dropped, as operators' maps do; ``None`` if
    nothing is covered.
    """
    arr = model.rasters.get((operator, technology, as_of))
    if arr is None:
        return None
    mask = arr >= THRESHOLDS_DBM[technology]
    if not mask.any():
        return None
    polys = [shapely.geometry.shape(g) for g, _ in shapes(mask.astype(np.uint8), mask=mask,
                                                          transform=model.grid.transform)]
    kept = []
    for p in polys:
        if p.area < min_area_m2:
            continue
        holes = [h for h in p.interiors if shapely.Polygon(h).area >= min_area_m2]
        kept.append(shapely.Polygon(p.exterior, holes))
    if not kept:
        return None
    geom = shapely.simplify(shapely.union_all(kept), simplify_m)
    geom = shapely.make_valid(shapely.intersection(geom, clip_to))
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and g.area > 0]
    return shapely.MultiPolygon(parts) if parts else None
