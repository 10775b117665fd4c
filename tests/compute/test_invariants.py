"""Invariants of the vector engine against an exact shapely overlay (hypothesis)."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from villagecov.compute.area import any_share, overlap
from villagecov.compute.tiling import tile_layer

# Villages and coverage in metres (EPSG:32648 offsets); tiles of 1 km so that pieces get cut.
TILE = 1000.0

coords = st.floats(0, 6000, allow_nan=False)
discs = st.lists(st.tuples(coords, coords, st.floats(100, 2500)), min_size=1, max_size=8)
village_boxes = st.lists(st.tuples(coords, coords, st.floats(50, 1500), st.floats(50, 1500)), min_size=1, max_size=12)


def _villages(boxes: list[tuple[float, float, float, float]]) -> np.ndarray:
    # rotate a little so that edges are not parallel to the tile grid
    geoms = [shapely.box(x, y, x + w, y + h) for x, y, w, h in boxes]
    return np.array([shapely.affinity.rotate(g, 17, origin="centroid") for g in geoms], dtype=object)


def _coverage(ds: list[tuple[float, float, float]], hole: bool) -> shapely.Geometry:
    geom = shapely.union_all([shapely.Point(x, y).buffer(r, quad_segs=6) for x, y, r in ds])
    if hole:
        x, y, r = ds[0]
        geom = geom.difference(shapely.Point(x, y).buffer(r / 3))
    return geom


@settings(max_examples=40, deadline=None)
@given(vb=village_boxes, c1=discs, c2=discs, hole=st.booleans())
def test_shares_exact_bounded_and_any_at_least_each(vb, c1, c2, hole) -> None:
    v = _villages(vb)
    area = shapely.area(v)
    g1, g2 = _coverage(c1, hole), _coverage(c2, False)
    o1 = overlap(v, area, tile_layer(np.array([g1]), TILE, dissolve=False))
    # the second operator's coverage arrives as several overlapping rows
    rows = np.array([shapely.Point(x, y).buffer(r, quad_segs=6) for x, y, r in c2], dtype=object)
    o2 = overlap(v, area, tile_layer(rows, TILE, dissolve=True))
    anys = any_share(area, [o1, o2])
    for o in (o1, o2):
        assert ((o.share >= 0) & (o.share <= 1)).all()
        assert (anys >= o.share - 1e-12).all()
    exact1 = shapely.area(shapely.intersection(v, g1)) / area
    exact2 = shapely.area(shapely.intersection(v, g2)) / area
    exact_any = shapely.area(shapely.intersection(v, shapely.union(g1, g2))) / area
    # exact up to floating point: far inside the 0.5 percentage-point requirement
    assert np.abs(o1.share - exact1).max() < 1e-7
    assert np.abs(o2.share - exact2).max() < 1e-7
    assert np.abs(anys - exact_any).max() < 1e-7
