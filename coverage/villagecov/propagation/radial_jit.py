"""The radial sweep's Deygout construction compiled with numba: the same candidates, the same
choices as :func:`villagecov.propagation.radial._chunk` (block summits far from the receiver, every
summit among its last ``block`` samples; the main edge, then one subsidiary edge on each side), one
receiver at a time instead of broadcast (rc × J × F) arrays, so only valid candidates are visited.
Arithmetic in float32 in the numpy path's order of operations, so that near-equal candidates are
ranked the same way (Deygout's choice of the main edge is discontinuous: a flipped near-tie moves
the subsidiary edges by dB).

:func:`edge_parameters` returns the v of the three edges per sample; the caller turns them into dB.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray

from villagecov.propagation.pathloss import J_THRESHOLD_V

_NEG = np.float32(-1e9)
_EPS = np.float32(1e-3)
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)


@njit(cache=True, inline="always")
def _v(cz: float, cd: float, az: float, ad: float, bz: float, bd: float, two_over_lam: float) -> float:
    """Fresnel v of an edge (cz at distance cd) above the a→b chord; −1e9 outside (a, b)."""
    d1 = cd - ad
    d2 = bd - cd
    if d1 <= _ZERO or d2 <= _ZERO:
        return _NEG
    slope = (bz - az) / max(bd - ad, _EPS)
    h = cz - az - slope * d1
    return np.sqrt((bd - ad) * two_over_lam / max(d1 * d2, _EPS)) * h


@njit(cache=True)
def _best_between(sr: NDArray, d: NDArray, bz: NDArray, bi: NDArray, j: int, block: int, az: float, ad: float,
                  b_z: float, b_d: float, two_over_lam: float) -> tuple[float, float, float]:
    """Largest v over the candidates of receiver ``j`` strictly between a and b, and that edge's
    (height, distance). Far candidates first (block summits up to j − block), then near ones."""
    best, pz, pd = _NEG, _NEG, _ONE
    far = _NEG
    for b in range(bi.shape[0]):
        i = bi[b]
        if i > j - block:
            break  # block summits come in increasing order
        if bz[b] <= _NEG:
            continue
        v = _v(bz[b], d[i], az, ad, b_z, b_d, two_over_lam)
        if v > far:
            far, pz, pd = v, bz[b], d[i]
    best = far
    near, nz, nd = _NEG, _NEG, _ONE
    for k in range(1, block + 1):
        i = max(j - k, 0)
        if sr[i] <= _NEG:
            continue
        v = _v(sr[i], d[i], az, ad, b_z, b_d, two_over_lam)
        if v > near:
            near, nz, nd = v, sr[i], d[i]
    if near > best:  # the numpy path: near only when strictly better than far
        best, pz, pd = near, nz, nd
    return best, pz, pd


@njit(cache=True)
def edge_parameters(zc: NDArray, sr: NDArray, d: NDArray, bz: NDArray, bi: NDArray, block: int, tx_h: np.float32,
                    rx_h: np.float32, wavelength: float) -> tuple[NDArray, NDArray, NDArray]:
    """v of the main edge and of the transmitter-side and receiver-side subsidiary edges, per radial
    and sample (−1e9 where there is none). ``zc``: curved-earth heights (n, m1); ``sr``: the same
    where a sample is a summit, −1e9 elsewhere; ``bz``/``bi``: per radial, each block's highest
    summit and its sample index; ``d``: sample distances (m). All float32 (``bi`` int64)."""
    n, m1 = zc.shape
    two_over_lam = np.float32(2.0 / wavelength)
    vp = np.full((n, m1), _NEG, dtype=np.float32)
    vt = np.full((n, m1), _NEG, dtype=np.float32)
    vr = np.full((n, m1), _NEG, dtype=np.float32)
    for r in range(n):
        tz = zc[r, 0] + tx_h
        for j in range(2, m1):
            rz = zc[r, j] + rx_h
            v, pz, pd = _best_between(sr[r], d, bz[r], bi[r], j, block, tz, _ZERO, rz, d[j], two_over_lam)
            vp[r, j] = v
            if v <= J_THRESHOLD_V:  # J(v) = 0 here: no subsidiary edges needed (the result is 0 dB)
                continue
            vt[r, j] = _best_between(sr[r], d, bz[r], bi[r], j, block, tz, _ZERO, pz, pd, two_over_lam)[0]
            vr[r, j] = _best_between(sr[r], d, bz[r], bi[r], j, block, pz, pd, rz, d[j], two_over_lam)[0]
    return vp, vt, vr
