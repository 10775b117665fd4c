"""Diffraction over one terrain profile: earth curvature and the Deygout construction.

Distances along the profile in metres, heights in metres. Earth curvature uses the effective
radius k·R_e (k = 4/3, R_e = 6371 km, ITU-R P.526 §1 / P.834): heights are transformed to
z' = z − d²/(2 k R_e), which makes every chord height (full path or sub-path) include the bulge
d1·d2/(2 k R_e) exactly.

Multiple edges: the Deygout construction limited to three edges (ITU-R P.526 §4.5) over the
profile's local summits: the summit of largest v over the whole path (main edge p), then the
summit of largest v between the transmitter and p, and between p and the receiver; L = J(v_p) + J(v_t) + J(v_r), each J = 0 for v ≤ −0.78 and
the subsidiary edges only counted when the main edge is. (P.526's optional empirical correction
term is not applied.) A smooth earth has no summits (z' falls monotonically away from the
transmitter), so a flat DEM gives no diffraction loss: the empirical base model (Hata) already
carries the smooth-earth loss, terrain adds what rises above it.

This module is the straightforward per-profile reference; the fast radial sweep in :mod:`villagecov.propagation.radial` computes the same quantities for many profiles.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from villagecov.propagation.pathloss import J_THRESHOLD_V, knife_edge_loss_db

EARTH_RADIUS_M = 6_371_000.0
K_FACTOR = 4.0 / 3.0


def curved_heights(d_m: NDArray[np.floating], z_m: NDArray[np.floating], k: float = K_FACTOR) -> NDArray:
    """z' = z − d²/(2 k R_e): flat-geometry heights that carry the earth's bulge (m)."""
    d = np.asarray(d_m, dtype=float)
    return np.asarray(z_m, dtype=float) - d * d / (2.0 * k * EARTH_RADIUS_M)


def peaks(z: NDArray) -> NDArray[np.bool_]:
    """Interior points that are local summits of the profile (≥ the previous, > the next sample).

    Only summits count as edges: on a densely sampled profile the sample next to the main edge
    would otherwise become a spurious subsidiary edge of a few dB.
    """
    out = np.zeros(np.shape(z), dtype=bool)
    out[..., 1:-1] = (z[..., 1:-1] >= z[..., :-2]) & (z[..., 1:-1] > z[..., 2:])
    return out


def _best_edge(
    d: NDArray, z: NDArray, ad: float, az: float, bd: float, bz: float, lam: float, summit: NDArray
) -> tuple[int, float]:
    """Index and v of the summit of largest Fresnel parameter strictly between points a and b."""
    inside = (d > ad) & (d < bd) & summit
    if not inside.any():
        return -1, -np.inf
    di, zi = d[inside], z[inside]
    h = zi - (az + (bz - az) * (di - ad) / (bd - ad))
    v = h * np.sqrt(2.0 * (bd - ad) / (lam * (di - ad) * (bd - di)))
    k = int(np.argmax(v))
    return int(np.flatnonzero(inside)[k]), float(v[k])


def deygout_loss_db(
    d_m: NDArray[np.floating],
    z_m: NDArray[np.floating],
    tx_height_m: float,
    rx_height_m: float,
    wavelength_m: float,
    k: float = K_FACTOR,
) -> float:
    """Diffraction loss (dB) over a ground profile from transmitter (first point) to receiver (last).

    ``d_m``: increasing distances from the transmitter (m), ``z_m``: ground heights (m a.s.l.);
    antenna heights above ground in m. Earth curvature with factor ``k``.
    """
    d = np.asarray(d_m, dtype=float)
    z = curved_heights(d, z_m, k)
    td, tz = d[0], z[0] + tx_height_m
    rd, rz = d[-1], z[-1] + rx_height_m
    summit = peaks(z)
    p, vp = _best_edge(d, z, td, tz, rd, rz, wavelength_m, summit)
    if p < 0 or vp <= J_THRESHOLD_V:
        return 0.0
    loss = float(knife_edge_loss_db(vp))
    _, vt = _best_edge(d, z, td, tz, d[p], z[p], wavelength_m, summit)
    _, vr = _best_edge(d, z, d[p], z[p], rd, rz, wavelength_m, summit)
    for v in (vt, vr):
        if v > J_THRESHOLD_V:
            loss += float(knife_edge_loss_db(v))
    return loss
