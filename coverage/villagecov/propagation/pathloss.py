"""Basic path-loss models: free space, Okumura–Hata / COST-231 Hata, knife-edge diffraction J(v).

Units: frequency in MHz, distances in km (Hata, free space) or m (Fresnel geometry), heights in m,
losses in dB. All functions are numpy-vectorised and accept scalars or arrays.

References
----------
- Free space: ITU-R P.525, L = 32.4478 + 20 log10 f[MHz] + 20 log10 d[km].
- Okumura–Hata: M. Hata, "Empirical formula for propagation loss in land mobile radio services",
  IEEE Trans. Veh. Technol. 29(3), 1980 (150–1500 MHz, h_b 30–200 m, h_m 1–10 m, d 1–20 km).
- COST-231 Hata: COST Action 231 final report, ch. 4 (1500–2000 MHz). Used here for f > 1500 MHz;
  beyond 2000 MHz (3G at 2100 MHz, 5G at 2600 MHz) it is extrapolated, as planning tools commonly do.
- Single knife edge: ITU-R P.526 §4.1, eq. (31): J(v) = 6.9 + 20 log10(sqrt((v−0.1)² + 1) + v − 0.1)
  for v > −0.78, else 0; v = h sqrt(2 (d1 + d2) / (λ d1 d2)) (eq. 26).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Environment = Literal["urban", "suburban", "rural"]
ENVIRONMENTS: tuple[str, ...] = ("urban", "suburban", "rural")
SPEED_OF_LIGHT = 299_792_458.0  # m/s
FSPL_CONSTANT = 32.4478  # dB, 20 log10(4π 10^9 / c) for f in MHz and d in km
J_THRESHOLD_V = -0.78  # below this Fresnel parameter the knife-edge loss is taken as 0 (P.526)

FloatArray = NDArray[np.float64]


def wavelength_m(freq_mhz: float) -> float:
    """Wavelength in metres of a carrier at ``freq_mhz`` MHz."""
    return SPEED_OF_LIGHT / (freq_mhz * 1e6)


def free_space_loss_db(distance_km: ArrayLike, freq_mhz: float) -> FloatArray:
    """Free-space basic transmission loss (ITU-R P.525) in dB; distance in km, > 0."""
    d = np.asarray(distance_km, dtype=float)
    return FSPL_CONSTANT + 20.0 * np.log10(freq_mhz) + 20.0 * np.log10(d)


def mobile_height_correction_db(freq_mhz: float, rx_height_m: float) -> float:
    """Hata's a(h_m) for a small/medium city (dB); 0 dB at h_m ≈ 1.5 m."""
    lf = np.log10(freq_mhz)
    return float((1.1 * lf - 0.7) * rx_height_m - (1.56 * lf - 0.8))


def hata_loss_db(
    distance_km: ArrayLike,
    freq_mhz: float,
    tx_height_m: float,
    rx_height_m: float = 1.5,
    environment: Environment = "rural",
) -> FloatArray:
    """Median path loss (dB) of Okumura–Hata (f ≤ 1500 MHz) or COST-231 Hata (f > 1500 MHz).

    ``urban`` is a medium-sized city (COST-231 C_m = 0 dB); ``suburban`` and ``rural`` (open/
    quasi-open area) apply Hata's corrections, to both variants. Distances in km (> 0), base-station
    height above ground ``tx_height_m`` in m (clipped below at 1 m to keep the logarithm defined).
    """
    if environment not in ENVIRONMENTS:
        raise ValueError(f"environment must be one of {ENVIRONMENTS}, not {environment!r}")
    d = np.asarray(distance_km, dtype=float)
    lf = np.log10(freq_mhz)
    lhb = np.log10(max(tx_height_m, 1.0))
    a_hm = mobile_height_correction_db(freq_mhz, rx_height_m)
    slope = 44.9 - 6.55 * lhb
    if freq_mhz <= 1500.0:
        urban = 69.55 + 26.16 * lf - 13.82 * lhb - a_hm + slope * np.log10(d)
    else:
        urban = 46.3 + 33.9 * lf - 13.82 * lhb - a_hm + slope * np.log10(d)
    if environment == "urban":
        return urban
    if environment == "suburban":
        return urban - 2.0 * np.log10(freq_mhz / 28.0) ** 2 - 5.4
    return urban - 4.78 * lf**2 + 18.33 * lf - 40.94


def knife_edge_loss_db(v: ArrayLike) -> FloatArray:
    """ITU-R P.526 single knife-edge loss J(v) in dB (eq. 31); 0 for v ≤ −0.78."""
    v = np.asarray(v, dtype=float)
    w = np.maximum(v, J_THRESHOLD_V) - 0.1
    out = 6.9 + 20.0 * np.log10(np.sqrt(w * w + 1.0) + w)
    return np.where(v > J_THRESHOLD_V, out, 0.0)


def fresnel_v(height_m: ArrayLike, d1_m: ArrayLike, d2_m: ArrayLike, wavelength: float) -> FloatArray:
    """Fresnel–Kirchhoff parameter v (P.526 eq. 26) of an edge ``height_m`` above the direct ray.

    ``d1_m``/``d2_m``: distances (m) from the edge to either end; both > 0.
    """
    h = np.asarray(height_m, dtype=float)
    d1 = np.asarray(d1_m, dtype=float)
    d2 = np.asarray(d2_m, dtype=float)
    return h * np.sqrt(2.0 * (d1 + d2) / (wavelength * d1 * d2))


def fresnel_integral_loss_db(v: ArrayLike, n: int = 200_001) -> FloatArray:
    """Exact knife-edge loss from the Fresnel integrals (P.526 eq. 30), by numerical quadrature.

    Slow and only meant for checking :func:`knife_edge_loss_db` in tests.
    """
    vs = np.atleast_1d(np.asarray(v, dtype=float))
    out = np.empty_like(vs)
    for k, vk in enumerate(vs):
        # C(v) + jS(v) = ∫_0^v exp(jπt²/2) dt, trapezoid rule on a fine grid
        t = np.linspace(0.0, vk, n)
        f = np.exp(1j * np.pi * t * t / 2.0)
        integral = (np.sum(f) - 0.5 * (f[0] + f[-1])) * (t[1] - t[0]) if vk != 0 else 0j
        c, s = integral.real, integral.imag
        out[k] = -20.0 * np.log10(np.sqrt((1 - c - s) ** 2 + (c - s) ** 2) / 2.0)
    return out
