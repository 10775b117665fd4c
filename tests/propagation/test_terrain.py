"""Terrain diffraction: single knife edge, earth curvature, flat DEM, ridge shadow, radial vs per-pixel."""

from __future__ import annotations

import numpy as np
import pytest

from villagecov.propagation.linkbudget import default_budget
from villagecov.propagation.pathloss import knife_edge_loss_db, wavelength_m
from villagecov.propagation.predict import site_signal
from villagecov.propagation.profile import deygout_loss_db
from villagecov.propagation.radial import deygout_radials, n_radials, sample_radials, to_pixels
from villagecov.propagation.reference import per_pixel_diffraction
from villagecov.propagation.terrain import Dem, flat_dem
from villagecov.settings import Settings

NO_CURVATURE = 1e9
LAM_900 = wavelength_m(900.0)  # 0.33310 m


def test_single_knife_edge_matches_hand_computed_v() -> None:
    d = np.arange(0.0, 10_001.0, 100.0)
    z = np.zeros_like(d)
    z[40] = 60.0  # 60 m edge at 4 km on a 10 km path
    # chord at 4 km: 30 + (1.5 − 30)·0.4 = 18.6 m → h = 41.4 m; v = 41.4·√(2·10⁴/(λ·4000·6000)) = 2.0707
    loss = deygout_loss_db(d, z, 30.0, 1.5, LAM_900, k=NO_CURVATURE)
    assert loss == pytest.approx(float(knife_edge_loss_db(2.0707)), abs=0.01)
    assert loss == pytest.approx(19.33, abs=0.02)


def test_earth_curvature_raises_a_midpath_edge() -> None:
    d = np.arange(0.0, 20_001.0, 100.0)
    z = np.zeros_like(d)
    z[100] = 1.0  # a 1 m summit at mid-path, antennas 10 m on both ends
    # bulge d1·d2/(2kR) = 10⁸ / (2·(4/3)·6.371·10⁶) = 5.886 m → h = 1 + 5.886 − 10 = −3.114 m,
    # v = −3.114·√(4·10⁴/(λ·10⁸)) = −0.1079 → J = 5.11 dB; without curvature h = −9 m → J(−0.3119) = 3.42 dB
    assert deygout_loss_db(d, z, 10.0, 10.0, LAM_900) == pytest.approx(5.11, abs=0.02)
    assert deygout_loss_db(d, z, 10.0, 10.0, LAM_900, k=NO_CURVATURE) == pytest.approx(3.42, abs=0.02)


def test_three_edges_add_subsidiary_losses() -> None:
    d = np.arange(0.0, 12_001.0, 100.0)
    z = np.zeros_like(d)
    z[[30, 60, 90]] = [40.0, 80.0, 40.0]
    one = z.copy()
    one[[30, 90]] = 0.0
    assert deygout_loss_db(d, z, 30.0, 1.5, LAM_900) > deygout_loss_db(d, one, 30.0, 1.5, LAM_900) + 3.0


def _ridge_dem() -> Dem:
    dem = flat_dem((-20_000.0, -20_000.0, 20_000.0, 20_000.0), 100.0, 50.0)
    h = dem.heights.copy()
    x = dem.x0 + (np.arange(dem.shape[1]) + 0.5) * dem.res
    h[:, (x > 4_800) & (x < 5_200)] = 450.0  # a north–south ridge 5 km east of the site
    return Dem(h, dem.x0, dem.y0, dem.res)


def test_ridge_shadows_what_is_behind_it() -> None:
    budget = default_budget("4G", Settings())
    dx = np.array([-10_000.0, 10_000.0, 3_000.0])
    dy = np.zeros(3)
    flat = site_signal(dx, dy, budget, radius_m=15_000.0)
    ridge = site_signal(dx, dy, budget, dem=_ridge_dem(), radius_m=15_000.0)
    assert flat[0] == pytest.approx(flat[1], abs=1e-3)
    assert ridge[0] == pytest.approx(flat[0], abs=1e-3)  # west: nothing in the way
    assert ridge[2] == pytest.approx(flat[2], abs=1e-3)  # in front of the ridge
    assert ridge[1] < flat[1] - 20.0  # behind it: deep shadow


def test_flat_dem_gives_the_no_terrain_result() -> None:
    budget = default_budget("3G", Settings())
    dem = flat_dem((-12_000.0, -12_000.0, 12_000.0, 12_000.0), 100.0, 250.0)
    g = np.arange(-10_000.0, 10_001.0, 500.0)
    dx, dy = np.meshgrid(g, g)
    with_dem = site_signal(dx, dy, budget, dem=dem, radius_m=10_000.0)
    without = site_signal(dx, dy, budget, radius_m=10_000.0)
    np.testing.assert_allclose(with_dem, without, atol=1e-3, equal_nan=True)
    assert np.isnan(without[0, 0]) and np.isfinite(without[20, 20])


def _rough_dem(seed: int = 3) -> Dem:
    rng = np.random.default_rng(seed)
    n = 240
    coarse = rng.normal(0, 300.0, size=(13, 13))
    i = np.linspace(0, 11.999, n)
    i0 = i.astype(int)
    t = i - i0
    rows = coarse[i0] * (1 - t)[:, None] + coarse[i0 + 1] * t[:, None]
    z = rows[:, i0] * (1 - t)[None, :] + rows[:, i0 + 1] * t[None, :]
    z += rng.normal(0, 1.0, size=(n, n))  # SRTM-like speckle
    return Dem((z - z.min()).astype(np.float32), -12_000.0, 12_000.0, 100.0, synthetic=True)


def test_radial_sweep_equals_profile_method_on_its_own_radials() -> None:
    dem = _rough_dem()
    lam = wavelength_m(1800.0)
    n = n_radials(8_000.0, 100.0)
    z = sample_radials(dem, 0.0, 0.0, 8_000.0, 100.0, n)
    fast = deygout_radials(z, 100.0, 30.0, 1.5, lam, block=1)
    rng = np.random.default_rng(0)
    for r, j in zip(rng.integers(0, n, 40), rng.integers(2, z.shape[1], 40), strict=True):
        d = np.arange(j + 1) * 100.0
        assert fast[r, j] == pytest.approx(deygout_loss_db(d, z[r, : j + 1], 30.0, 1.5, lam), abs=0.01)


def test_radial_sweep_close_to_per_pixel_profiles() -> None:
    dem = _rough_dem()
    lam = wavelength_m(1800.0)
    n = n_radials(10_000.0, 100.0)
    along = deygout_radials(sample_radials(dem, 0.0, 0.0, 10_000.0, 100.0, n), 100.0, 30.0, 1.5, lam)
    rng = np.random.default_rng(1)
    dx, dy = rng.uniform(-7_000, 7_000, 300), rng.uniform(-7_000, 7_000, 300)
    fast = to_pixels(along, 100.0, dx, dy)
    slow = per_pixel_diffraction(dem, 0.0, 0.0, dx, dy, 30.0, 1.5, lam, 100.0)
    assert slow.mean() > 5.0  # the terrain matters here
    assert abs(float(np.mean(fast - slow))) < 0.5
    assert float(np.mean(np.abs(fast - slow))) < 2.0


def test_numba_sweep_equals_the_numpy_sweep() -> None:
    """The compiled kernel (villagecov.propagation.radial_jit) makes the same choices as the numpy
    broadcast: the same losses within 0.01 dB on rough terrain."""
    pytest.importorskip("numba")
    dem = _rough_dem()
    rows, cols = dem.shape
    x, y = dem.x0 + cols * dem.res / 2, dem.y0 - rows * dem.res / 2
    radius = min(rows, cols) * dem.res / 2 - dem.res
    z = sample_radials(dem, x, y, radius, dem.res, n_radials(radius, dem.res))
    lam = wavelength_m(1800.0)
    a = deygout_radials(z, dem.res, 30.0, 1.5, lam, engine="numpy")
    b = deygout_radials(z, dem.res, 30.0, 1.5, lam, engine="numba")
    assert (a > 1).mean() > 0.1  # real obstruction, not a flat case
    assert np.abs(a - b).max() <= 0.01
