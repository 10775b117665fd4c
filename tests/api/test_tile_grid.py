"""Snapping tile geometries to the integer grid never produces invalid rings."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from villagecov.storage.tiles import to_tile_grid


def test_sliver_that_collapses_to_two_points_becomes_empty_not_an_error() -> None:
    # 0.3 × 3 units: after snapping the ring has only two distinct points (the demo's failing case).
    sliver = Polygon([(10.1, 10.1), (10.4, 10.1), (10.4, 13.1), (10.1, 13.1)])
    out = to_tile_grid(np.array([sliver], dtype=object), (0.0, 0.0), 1.0)
    assert out[0].is_empty or (out[0].is_valid and out[0].area >= 1)


def test_a_multipolygon_keeps_its_large_part_and_drops_the_collapsed_one() -> None:
    geom = MultiPolygon([box(0.2, 0.2, 0.4, 0.4), box(100, 100, 200, 150)])
    out = to_tile_grid(np.array([geom], dtype=object), (0.0, 0.0), 1.0)[0]
    assert out.is_valid and out.area == 100 * 50


def test_units_origin_and_points() -> None:
    origin, unit = (1000.0, 2000.0), 10.0
    geoms = np.array([box(1000, 2000, 1100, 2050), Point(1234, 2056)], dtype=object)
    out = to_tile_grid(geoms, origin, unit)
    assert out[0].bounds == (0.0, 0.0, 10.0, 5.0)
    assert (out[1].x, out[1].y) == (23.0, 6.0)
    assert all(shapely.is_valid(out))
