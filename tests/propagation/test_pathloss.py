"""Path-loss formulas against hand-computed reference values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from villagecov.propagation.pathloss import (
    free_space_loss_db,
    fresnel_integral_loss_db,
    fresnel_v,
    hata_loss_db,
    knife_edge_loss_db,
    wavelength_m,
)


def test_free_space_reference_values() -> None:
    # 32.4478 + 20 log10(900) + 20 log10(1) = 32.4478 + 59.0849
    assert free_space_loss_db(1.0, 900.0) == pytest.approx(91.5327, abs=1e-3)
    # 2400 MHz, 10 km: 32.4478 + 67.6042 + 20
    assert free_space_loss_db(10.0, 2400.0) == pytest.approx(120.0520, abs=1e-3)
    # doubling the distance adds 6.02 dB
    assert free_space_loss_db(2.0, 1800.0) - free_space_loss_db(1.0, 1800.0) == pytest.approx(6.0206, abs=1e-4)


# Hata (1980), f = 900 MHz, h_b = 30 m, h_m = 1.5 m: a(h_m) = (1.1·2.95424 − 0.7)·1.5 −
# (1.56·2.95424 − 0.8) = 0.01592; urban L(1 km) = 69.55 + 26.16·2.95424 − 13.82·1.47712 − 0.01592
@pytest.mark.parametrize(
    ("freq", "d_km", "env", "expected"),
    [
        (900.0, 1.0, "urban", 126.403),
        (900.0, 10.0, "urban", 126.403 + (44.9 - 6.55 * 1.47712)),  # 161.628
        (900.0, 1.0, "suburban", 126.403 - 2 * 1.50718**2 - 5.4),  # 116.46
        (900.0, 1.0, "rural", 126.403 - 4.78 * 2.95424**2 + 18.33 * 2.95424 - 40.94),  # 97.90
        # COST-231, 1800 MHz: a(h_m) = 0.04302; 46.3 + 33.9·3.25527 − 13.82·1.47712 − 0.04302
        (1800.0, 1.0, "urban", 136.197),
    ],
)
def test_hata_reference_values(freq: float, d_km: float, env: str, expected: float) -> None:
    assert hata_loss_db(d_km, freq, 30.0, 1.5, env) == pytest.approx(expected, abs=0.01)  # type: ignore[arg-type]


def test_hata_rejects_unknown_environment() -> None:
    with pytest.raises(ValueError, match="environment"):
        hata_loss_db(1.0, 900.0, 30.0, 1.5, "desert")  # type: ignore[arg-type]


@given(
    d=st.floats(1.0, 30.0), f=st.floats(150.0, 2000.0), hb=st.floats(20.0, 200.0)
)
def test_hata_ordering_and_monotone(d: float, f: float, hb: float) -> None:
    urban, sub, rural = (float(hata_loss_db(d, f, hb, 1.5, e)) for e in ("urban", "suburban", "rural"))  # type: ignore[arg-type]
    assert rural < sub < urban
    assert float(hata_loss_db(d * 1.5, f, hb, 1.5, "rural")) > rural


@pytest.mark.parametrize(
    ("v", "expected"),
    # P.526 eq. (31) evaluated by hand: J(0) = 6.9 + 20 log10(√1.01 − 0.1) = 6.03 dB, etc.
    [(-1.0, 0.0), (-0.78, 0.0), (0.0, 6.033), (1.0, 13.926), (2.4, 20.54)],
)
def test_knife_edge_j_values(v: float, expected: float) -> None:
    assert float(knife_edge_loss_db(v)) == pytest.approx(expected, abs=0.01)


def test_knife_edge_approximation_close_to_fresnel_integrals() -> None:
    v = np.array([-0.5, 0.0, 0.5, 1.0, 2.0, 3.0])
    exact = fresnel_integral_loss_db(v)
    assert exact[1] == pytest.approx(20 * math.log10(2), abs=0.01)  # half the field: 6.02 dB
    assert np.max(np.abs(knife_edge_loss_db(v) - exact)) < 0.15


def test_fresnel_v_hand_value() -> None:
    lam = wavelength_m(900.0)  # 0.33310 m
    # 10 m above the ray, 2 km and 3 km from the ends: v = 10·√(2·5000 / (λ·2000·3000))
    assert float(fresnel_v(10.0, 2000.0, 3000.0, lam)) == pytest.approx(10 * math.sqrt(1e4 / (lam * 6e6)), rel=1e-9)
    assert float(fresnel_v(10.0, 2000.0, 3000.0, lam)) == pytest.approx(0.7073, abs=1e-3)
