"""Invariants of the vector engine against an exact shapely overlay (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
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


@settings(max_examples=10, deadline=None)
@given(vb=village_boxes, c1=discs, c2=discs,
       pts=st.lists(st.tuples(coords, coords, st.floats(0, 500)), min_size=0, max_size=40))
def test_engine_shares_in_range_and_any_at_least_each_operator(vb, c1, c2, pts) -> None:
    import geopandas as gpd

    from villagecov.compute.village_coverage import VintageInputs, compute_vintage
    from villagecov.settings import Settings

    x0, y0 = 600_000.0, 1_900_000.0
    shift = lambda g: shapely.affinity.translate(g, x0, y0)  # noqa: E731
    v = gpd.GeoDataFrame({"village_id": [f"v{i}" for i in range(len(vb))], "population": 1},
                         geometry=[shift(g) for g in _villages(vb)], crs=32648).to_crs(4326)
    cov = gpd.GeoDataFrame({"operator": ["viettel", "mobifone"], "technology": "4G", "evidence": "declared",
                            "raster_path": None},
                           geometry=[shift(_coverage(c1, True)), shift(_coverage(c2, False))], crs=32648).to_crs(4326)
    pop = (np.array([x0 + p[0] for p in pts]), np.array([y0 + p[1] for p in pts]), np.array([p[2] for p in pts]))
    out = compute_vintage(VintageInputs("2024-01-01", v, cov, population=pop),
                          Settings(store="u.gpkg", compute_tile_m=TILE))
    for col in ("covered_area_share", "covered_pop_share"):
        wide = out.pivot(index="village_id", columns="operator", values=col)
        assert ((wide >= 0) & (wide <= 1)).all().all()
        assert (wide["ANY"] >= wide[["viettel", "mobifone"]].max(axis=1) - 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 9), st.floats(0, 1e4), st.floats(0, 1e4)), min_size=1, max_size=30),
       parents=st.lists(st.integers(0, 3), min_size=10, max_size=10))
def test_aggregation_sums_village_numerators_and_denominators(rows, parents) -> None:
    import pandas as pd

    from villagecov.compute.indicators import aggregate

    long = pd.DataFrame({"indicator": "t8.villages_4g_share", "village_id": [f"v{r[0]}" for r in rows],
                         "numerator": [r[1] for r in rows], "denominator": [r[2] for r in rows]})
    units = pd.concat([
        pd.DataFrame({"village_id": [f"v{i}" for i in range(10)], "level": "commune",
                      "unit_code": [f"c{p}" for p in parents], "weight": 1.0}),
        pd.DataFrame({"village_id": [f"v{i}" for i in range(10)], "level": "province", "unit_code": "p",
                      "weight": 1.0}),
    ])
    agg = aggregate(long, units).set_index(["level", "unit_code"])
    assert agg.loc[("province", "p"), "numerator"] == pytest.approx(long["numerator"].sum())
    assert agg.loc[("province", "p"), "denominator"] == pytest.approx(long["denominator"].sum())
    communes = agg.loc["commune"]
    assert communes["numerator"].sum() == pytest.approx(long["numerator"].sum())
    for code, r in communes.iterrows():
        ids = {f"v{i}" for i, p in enumerate(parents) if f"c{p}" == code}
        assert r["numerator"] == pytest.approx(long[long["village_id"].isin(ids)]["numerator"].sum())
