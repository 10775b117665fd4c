"""Best-server signal prediction for one operator × technology over a metric grid.

Per site: path loss = base model + terrain diffraction (three-edge Deygout over DEM summits, via
the radial sweep), received signal from the site's :class:`LinkBudget`; per cell the best server
(maximum dBm) is kept. Base models: ``hata`` (max of Hata and free space; Hata already carries the
smooth-earth and clutter loss, so terrain only adds what rises above a smooth earth) or
``free_space`` (free space + diffraction: line of sight only where nothing rises into the path).
Without a DEM the prediction is the base model on a flat earth, and says so (``terrain=False``).

Site coordinates are reprojected to the grid's metric CRS (EPSG:32648 by default); signals in dBm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from villagecov.propagation.linkbudget import LinkBudget
from villagecov.propagation.pathloss import free_space_loss_db, hata_loss_db, wavelength_m
from villagecov.propagation.radial import deygout_radials, n_radials, sample_radials, to_pixels
from villagecov.propagation.raster import Grid
from villagecov.propagation.reference import per_pixel_diffraction
from villagecov.propagation.terrain import Dem

Model = Literal["hata", "free_space"]
MIN_DISTANCE_KM = 0.02  # Hata and free space are not meant for the first metres around the mast


@dataclass
class Prediction:
    """Best-server signal (dBm, NaN where no site reaches within its radius) and the index of the
    serving site per cell (−1: none)."""

    grid: Grid
    signal_dbm: NDArray[np.float32]
    server: NDArray[np.int32]
    terrain: bool
    meta: dict[str, str] = field(default_factory=dict)

    def covered(self, threshold_dbm: float) -> NDArray[np.bool_]:
        return np.nan_to_num(self.signal_dbm, nan=-np.inf) >= threshold_dbm


def base_loss_db(
    distance_m: NDArray[np.floating], budget: LinkBudget, model: Model = "hata", environment: str = "rural"
) -> NDArray[np.float64]:
    """Base path loss (dB) at distances in m, without terrain."""
    d_km = np.maximum(np.asarray(distance_m, dtype=float) / 1000.0, MIN_DISTANCE_KM)
    fs = free_space_loss_db(d_km, budget.freq_mhz)
    if model == "free_space":
        return fs
    hata = hata_loss_db(d_km, budget.freq_mhz, budget.tx_height_m, budget.rx_height_m, environment)  # type: ignore[arg-type]
    return np.maximum(hata, fs)


def site_signal(
    dx: NDArray[np.floating],
    dy: NDArray[np.floating],
    budget: LinkBudget,
    *,
    x: float = 0.0,
    y: float = 0.0,
    dem: Dem | None = None,
    radius_m: float = 30_000.0,
    step_m: float | None = None,
    model: Model = "hata",
    environment: str = "rural",
    method: Literal["radial", "per_pixel"] = "radial",
    block: int = 8,
) -> NDArray[np.float32]:
    """Received signal (dBm) of one site at cell offsets (dx, dy) in m from the site at (x, y);
    NaN beyond ``radius_m``. ``method="per_pixel"`` traces one profile per cell (slow yardstick)."""
    dist = np.hypot(dx, dy)
    loss = base_loss_db(dist, budget, model, environment)
    if dem is not None:
        step = step_m or dem.res
        lam = wavelength_m(budget.freq_mhz)
        if method == "radial":
            n = n_radials(radius_m, step)
            z = sample_radials(dem, x, y, radius_m, step, n)
            along = deygout_radials(z, step, budget.tx_height_m, budget.rx_height_m, lam, block=block)
            diff = to_pixels(along, step, dx, dy)
        else:
            diff = per_pixel_diffraction(dem, x, y, dx, dy, budget.tx_height_m, budget.rx_height_m, lam, step)
        loss = loss + np.nan_to_num(diff, nan=0.0)
    signal = budget.received_dbm(loss).astype(np.float32)
    return np.where(dist <= radius_m, signal, np.nan).astype(np.float32)


def best_server(
    grid: Grid,
    xy: NDArray[np.floating],
    budgets: list[LinkBudget],
    *,
    dem: Dem | None = None,
    radius_m: float = 30_000.0,
    model: Model = "hata",
    environment: str = "rural",
    progress: object | None = None,
) -> Prediction:
    """Best-server signal over ``grid`` of the sites at ``xy`` (n × 2, grid CRS metres).

    Each site's sweep is bounded by ``radius_m`` and by its Hata range to the threshold (+10 dB),
    beyond which terrain, which only adds loss, cannot make it the server above threshold.
    """
    signal = np.full((grid.rows, grid.cols), np.nan, dtype=np.float32)
    server = np.full((grid.rows, grid.cols), -1, dtype=np.int32)
    for i, ((x, y), budget) in enumerate(zip(np.asarray(xy, dtype=float), budgets, strict=True)):
        radius = min(radius_m, budget.hata_range_km(environment) * 1000.0) if model == "hata" else radius_m
        rows, cols, dx, dy = grid.window(x, y, radius)
        if dx.size == 0:
            continue
        s = site_signal(dx, dy, budget, x=x, y=y, dem=dem, radius_m=radius, model=model, environment=environment)
        cur = signal[rows, cols]
        better = np.nan_to_num(s, nan=-np.inf) > np.nan_to_num(cur, nan=-np.inf)
        cur[better] = s[better]
        server[rows, cols][better] = i
        if progress is not None and hasattr(progress, "advance"):
            progress.advance()  # type: ignore[attr-defined]
    meta = prediction_meta(model, environment, dem is not None, radius_m, len(budgets))
    return Prediction(grid, signal, server, dem is not None, meta)


def prediction_meta(model: Model, environment: str, terrain: bool, radius_m: float, sites: int) -> dict[str, str]:
    """What a prediction says about itself (written as ``VILLAGECOV_*`` tags of its COG)."""
    return {
        "model": model,
        "environment": environment,
        "terrain": "yes" if terrain else "no (flat earth, no DEM given)",
        "radius_m": f"{radius_m:.0f}",
        "sites": str(sites),
    }
