"""Small pure helpers of the generator: exact apportionment and quadkeys."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from villagecov.demo.measurements import quadkey
from villagecov.demo.villages import largest_remainder


@given(
    st.lists(st.floats(min_value=0.01, max_value=1000.0), min_size=1, max_size=60),
    st.integers(min_value=0, max_value=200_000),
)
def test_largest_remainder_is_exact_and_fair(weights: list[float], total: int) -> None:
    out = largest_remainder(np.array(weights), total)
    exact = np.array(weights) / sum(weights) * total
    assert out.sum() == total
    assert np.all(np.abs(out - exact) < 1.0 + 1e-9)


def test_largest_remainder_hand_computed() -> None:
    # 10 shared 1:1:1 -> 3.33 each; the first in order takes the leftover unit
    assert largest_remainder(np.array([1.0, 1.0, 1.0]), 10).tolist() == [4, 3, 3]
    # 7 shared 1:2:4 -> exactly 1, 2, 4
    assert largest_remainder(np.array([1.0, 2.0, 4.0]), 7).tolist() == [1, 2, 4]


def test_quadkey_matches_the_bing_example() -> None:
    # Bing Maps tile system doc: tile X=3, Y=5 at level 3 has quadkey "213"; its centre is at
    # lon -22.5°, lat atan(sinh(pi * (1 - 2 * 5.5 / 8))) = -55.78°.
    assert quadkey(-22.5, -55.78, zoom=3) == "213"
    assert quadkey(0.001, 0.001, zoom=1) == "1"
    assert len(quadkey(106.6, 17.47)) == 16
