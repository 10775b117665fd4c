"""Fast terrain diffraction: a radial sweep from one site, vectorised over all radials at once.

Instead of tracing one profile per pixel, the site casts ``n`` radials (angular spacing such that
neighbouring radials are one cell apart at the maximum radius), samples the DEM once along each
(bilinear, step = cell size) and evaluates the three-edge Deygout construction of
:mod:`villagecov.propagation.profile` for every sample of every radial as a receiver. Each pixel
then takes the value of the nearest radial at its distance (linear between samples).

To keep the work per receiver small, the candidate edges further than ``block`` samples from the
receiver are the highest point (in curved-earth height) of each block of ``block`` samples — the
edge that maximises v is a local summit, so little is lost — while the last ``block`` samples
before the receiver are all candidates (edges close to the receiver matter most).

Coordinates in the DEM's metric CRS (m); losses in dB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from villagecov.propagation.pathloss import J_THRESHOLD_V, knife_edge_loss_db
from villagecov.propagation.profile import EARTH_RADIUS_M, K_FACTOR, peaks
from villagecov.propagation.terrain import Dem

_NEG = np.float32(-1e9)


@dataclass(frozen=True)
class Radials:
    """Diffraction loss (dB) along ``n`` radials: ``loss[r, j]`` at azimuth 2πr/n (counter-clockwise
    from east) and distance ``j·step`` m from the site at (x, y)."""

    x: float
    y: float
    step: float
    loss: NDArray[np.float32]
    ground: NDArray[np.float32]  # ground height (m) at each sample

    @property
    def n(self) -> int:
        return int(self.loss.shape[0])

    @property
    def distances(self) -> NDArray[np.float64]:
        return np.arange(self.loss.shape[1]) * self.step


def n_radials(radius_m: float, step_m: float) -> int:
    """Radials needed for one-cell spacing at ``radius_m``."""
    return max(8, int(np.ceil(2.0 * np.pi * radius_m / step_m)))


def sample_radials(dem: Dem, x: float, y: float, radius_m: float, step_m: float, n: int) -> NDArray:
    """Ground heights (m), shape (n, samples), along ``n`` radials from (x, y)."""
    m = int(np.ceil(radius_m / step_m))
    d = np.arange(m + 1, dtype=np.float64) * step_m
    az = 2.0 * np.pi * np.arange(n) / n
    xs = x + np.cos(az)[:, None] * d[None, :]
    ys = y + np.sin(az)[:, None] * d[None, :]
    return dem.sample(xs, ys)


def _fresnel(h: NDArray, a: NDArray, b: NDArray, dist: NDArray, lam: float) -> NDArray:
    """v of edges at distance ``dist`` and height ``h`` above the a→b chord; −1e9 outside (a, b)."""
    d1 = dist - a
    d2 = b - dist
    ok = (d1 > 0) & (d2 > 0)
    prod = d1 * d2
    np.maximum(prod, np.float32(1e-3), out=prod)
    geom = (b - a) * np.float32(2.0 / lam) / prod
    np.sqrt(geom, out=geom)
    return np.where(ok, geom * h, _NEG)


def deygout_radials(
    z: NDArray[np.float32],
    step_m: float,
    tx_height_m: float,
    rx_height_m: float,
    wavelength_m: float,
    *,
    k: float = K_FACTOR,
    block: int = 4,
    radial_chunk: int = 256,
    receiver_chunk: int = 32,
    engine: str = "auto",
) -> NDArray[np.float32]:
    """Three-edge Deygout loss (dB) at every sample of every radial; ``z``: ground heights (n, m+1).

    ``engine``: ``numba`` (:mod:`.radial_jit`, compiled, one receiver at a time), ``numpy``
    (broadcast over chunks of radials × receivers) or ``auto`` (numba when installed)."""
    n, m1 = z.shape
    d = (np.arange(m1) * step_m).astype(np.float32)
    zc = (z - (d * d / (2.0 * k * EARTH_RADIUS_M))[None, :]).astype(np.float32)  # curved-earth heights
    summit_z = np.where(peaks(zc), zc, _NEG).astype(np.float32)  # only summits can be edges
    loss = np.zeros((n, m1), dtype=np.float32)
    nb = max(0, (m1 - 2) // block)  # complete blocks over samples 1 .. nb*block
    if engine != "numpy" and nb and _jit_available(engine == "numba"):
        return _deygout_jit(zc, summit_z, d, nb, block, tx_height_m, rx_height_m, wavelength_m)
    for r0 in range(0, n, radial_chunk):
        zr, sr = zc[r0 : r0 + radial_chunk], summit_z[r0 : r0 + radial_chunk]
        rc = zr.shape[0]
        blocks = sr[:, 1 : 1 + nb * block].reshape(rc, nb, block)
        arg = blocks.argmax(axis=2)
        bz = np.take_along_axis(blocks, arg[..., None], axis=2)[..., 0]
        bi = 1 + np.arange(nb)[None, :] * block + arg  # sample index of each block's summit
        for j0 in range(2, m1, receiver_chunk):
            js = np.arange(j0, min(j0 + receiver_chunk, m1))
            loss[r0 : r0 + rc, js] = _chunk(
                zr, sr, d, bz, bi, js, block, tx_height_m, rx_height_m, wavelength_m
            )
    return loss


def _jit_available(required: bool) -> bool:
    try:
        import villagecov.propagation.radial_jit  # noqa: F401 - numba compiles on first use
    except ImportError:
        if required:
            raise
        return False
    return True


def _deygout_jit(zc: NDArray, summit_z: NDArray, d: NDArray, nb: int, block: int, tx_h: float, rx_h: float,
                 lam: float) -> NDArray[np.float32]:
    from villagecov.propagation.radial_jit import edge_parameters

    n = zc.shape[0]
    blocks = summit_z[:, 1 : 1 + nb * block].reshape(n, nb, block)
    arg = blocks.argmax(axis=2)
    bz = np.take_along_axis(blocks, arg[..., None], axis=2)[..., 0]
    bi = (1 + np.arange(nb)[None, :] * block + arg).astype(np.int64)
    f32 = np.float32
    vp, vt, vr = edge_parameters(zc.astype(f32), summit_z.astype(f32), d.astype(f32), bz.astype(f32), bi, block,
                                 f32(tx_h), f32(rx_h), float(lam))
    out = knife_edge_loss_db(vp) + knife_edge_loss_db(vt) + knife_edge_loss_db(vr)
    out = np.where(vp > J_THRESHOLD_V, out, 0.0).astype(np.float32)
    out[:, :2] = 0.0
    return out


def _best(
    cz: NDArray, cd: NDArray, az: NDArray, ad: NDArray | float, bz: NDArray, bd: NDArray, lam: float
) -> tuple[NDArray, NDArray]:
    """Largest v (and its candidate index, last axis) of candidates strictly inside the a→b chord."""
    slope = (bz - az) / np.maximum(bd - ad, 1e-3)
    v = _fresnel(cz - az - slope * (cd - ad), ad, bd, cd, lam)
    idx = v.argmax(axis=-1)[..., None]
    return np.take_along_axis(v, idx, axis=-1)[..., 0], idx


def _chunk(
    zr: NDArray, sr: NDArray, d: NDArray, bz: NDArray, bi: NDArray, js: NDArray, block: int,
    tx_h: float, rx_h: float, lam: float,
) -> NDArray[np.float32]:
    """Deygout loss for receivers ``js`` on a chunk of radials. Candidates: the block summits
    lying before the receiver's last ``block`` samples (far), and the summits among those (near)."""
    rc, nj = zr.shape[0], len(js)
    nbu = min(bi.shape[1], max(0, -(-(int(js[-1]) - 1) // block)))  # blocks starting before the receiver
    far_i = bi[:, None, :nbu]
    far_z = np.where(far_i <= (js[None, :, None] - block), bz[:, None, :nbu], _NEG)  # (rc, J, F)
    far_d = d[far_i]  # (rc, 1, F)
    near_i = np.maximum(js[:, None] - np.arange(1, block + 1)[None, :], 0)  # (J, block)
    near_z = sr[:, near_i]  # (rc, J, block); index 0 is the site, never a summit
    near_d = d[near_i][None]
    big_d = d[js][None, :, None]
    rz = (zr[:, js] + rx_h)[..., None]
    tz = (zr[:, 0] + tx_h)[:, None, None]
    groups = ((far_z, far_d), (near_z, near_d))
    # main edge over the whole path
    best = [_best(cz, cd, tz, 0.0, rz, big_d, lam) for cz, cd in groups]
    use_near = best[1][0] > best[0][0]
    vp = np.where(use_near, best[1][0], best[0][0])[..., None]
    pz = np.where(use_near[..., None], np.take_along_axis(near_z, best[1][1], -1),
                  np.take_along_axis(np.broadcast_to(far_z, (rc, nj, nbu)), best[0][1], -1) if nbu else _NEG)
    pd = np.where(use_near[..., None], np.take_along_axis(np.broadcast_to(near_d, (rc, nj, block)), best[1][1], -1),
                  np.take_along_axis(np.broadcast_to(far_d, (rc, nj, nbu)), best[0][1], -1) if nbu else 1.0)
    # subsidiary edges: transmitter → p and p → receiver
    vt = np.maximum(*[_best(cz, cd, tz, 0.0, pz, pd, lam)[0] for cz, cd in groups])
    vr = np.maximum(*[_best(cz, cd, pz, pd, rz, big_d, lam)[0] for cz, cd in groups])
    vp = vp[..., 0]
    out = knife_edge_loss_db(vp) + knife_edge_loss_db(vt) + knife_edge_loss_db(vr)
    return np.where(vp > J_THRESHOLD_V, out, 0.0).astype(np.float32)


def to_pixels(
    values: NDArray[np.float32], step_m: float, dx: NDArray[np.floating], dy: NDArray[np.floating]
) -> NDArray[np.float32]:
    """Values along radials at pixel offsets (dx, dy) from the site (m): nearest radial by azimuth,
    linear interpolation by distance; NaN beyond the last sample."""
    n, m1 = values.shape
    az = np.mod(np.arctan2(dy, dx), 2.0 * np.pi)
    r = np.rint(az * n / (2.0 * np.pi)).astype(np.int64) % n
    s = np.hypot(dx, dy) / step_m
    j = np.minimum(s.astype(np.int64), m1 - 2)
    t = (s - j).astype(np.float32)
    out = values[r, j] * (1 - t) + values[r, j + 1] * t
    return np.where(s <= m1 - 1, out, np.nan).astype(np.float32)
