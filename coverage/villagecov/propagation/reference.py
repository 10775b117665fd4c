"""Straightforward per-pixel terrain diffraction: one DEM profile traced to every pixel.

The yardstick for :mod:`villagecov.propagation.radial` (tests and benchmarks/propagation_bench.py):
the same Deygout construction, but every pixel gets its own straight profile from the site,
sampled every ``step_m`` with bilinear DEM heights. Metric coordinates (m), losses in dB.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from villagecov.propagation.profile import K_FACTOR, deygout_loss_db
from villagecov.propagation.terrain import Dem


def profile_to(dem: Dem, x: float, y: float, px: float, py: float, step_m: float) -> tuple[NDArray, NDArray]:
    """Distances (m) and ground heights (m) of the straight profile from (x, y) to (px, py)."""
    dist = float(np.hypot(px - x, py - y))
    n = max(1, int(np.ceil(dist / step_m - 1e-9)))
    t = np.linspace(0.0, 1.0, n + 1)
    return t * dist, dem.sample(x + t * (px - x), y + t * (py - y)).astype(float)


def per_pixel_diffraction(
    dem: Dem,
    x: float,
    y: float,
    dx: NDArray[np.floating],
    dy: NDArray[np.floating],
    tx_height_m: float,
    rx_height_m: float,
    wavelength_m: float,
    step_m: float,
    k: float = K_FACTOR,
) -> NDArray[np.float32]:
    """Deygout loss (dB) at pixel offsets (dx, dy) from the site, one profile per pixel."""
    out = np.zeros(np.shape(dx), dtype=np.float32)
    flat_dx, flat_dy, flat_out = np.ravel(dx), np.ravel(dy), out.reshape(-1)
    for i in range(flat_dx.size):
        if flat_dx[i] == 0 and flat_dy[i] == 0:
            continue
        d, z = profile_to(dem, x, y, x + flat_dx[i], y + flat_dy[i], step_m)
        flat_out[i] = deygout_loss_db(d, z, tx_height_m, rx_height_m, wavelength_m, k)
    return out
