"""The derived 2025-01 and 2025-07 commune layers in data/ have no slivers: no hole below 1 km²
inside a unit that no other unit covers, valid polygons, no overlap added by the re-derivation,
and they are exactly what scripts/derive_boundaries.py derives from the 2019 polygons."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "boundaries"
DERIVED = ("quangbinh_communes_2025-01_derived.geojson", "quangbinh_communes_2025-07_derived.geojson")


def holes(frame: gpd.GeoDataFrame) -> list[tuple[int, shapely.Polygon]]:
    out = []
    for i, geom in enumerate(frame.geometry):
        for poly in getattr(geom, "geoms", [geom]):
            out += [(i, shapely.Polygon(r)) for r in poly.interiors]
    return out


@pytest.mark.parametrize("name", DERIVED)
def test_no_sliver_holes_inside_the_derived_units(name: str) -> None:
    frame = gpd.read_file(DATA / name)
    assert frame.is_valid.all()
    metric = frame.to_crs("EPSG:32648")
    for i, hole in holes(metric):
        others = shapely.union_all([g for j, g in enumerate(metric.geometry) if j != i])
        covered = hole.intersection(others).area
        assert hole.area >= 1e6 or covered >= 0.5 * hole.area, (frame["commune_name"][i], round(hole.area))


@pytest.mark.parametrize("name", DERIVED)
def test_every_derived_unit_is_the_union_of_its_2019_communes(name: str) -> None:
    """Each unit covers all of its 2019 communes (up to the 1e-6° grid) and little else."""
    frame = gpd.read_file(DATA / name).to_crs("EPSG:32648")
    source = gpd.read_file(DATA / "quangbinh_communes_2019_vietnam63.geojson").to_crs("EPSG:32648")
    parts = source.set_index("commune_code").geometry
    for rec in frame.itertuples(index=False):
        union = shapely.union_all([parts[c] for c in rec.codes_2019.split(";")])
        assert union.difference(rec.geometry).area < 1e3, rec.commune_name
        assert rec.geometry.area - union.area < 0.05 * union.area + 2e6, rec.commune_name


def test_the_files_are_what_the_derivation_script_writes() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "derive_boundaries.py"), "--check"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_sliver_fill_keeps_enclaves_and_large_holes() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from derive_boundaries import fill_slivers
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    outer = [(0, 0), (4000, 0), (4000, 4000), (0, 4000)]
    sliver = [(100, 100), (300, 100), (300, 110), (100, 110)]  # 2,000 m²: a sliver
    enclave = [(1000, 1000), (1500, 1000), (1500, 1500), (1000, 1500)]  # 0.25 km², another unit's
    big = [(2000, 2000), (3900, 2000), (3900, 3900), (2000, 3900)]  # 3.6 km²
    unit = shapely.Polygon(outer, [sliver, enclave, big])
    filled = fill_slivers(unit, shapely.Polygon(enclave))
    kept = sorted(round(shapely.Polygon(r).area) for r in filled.interiors)
    assert kept == [250_000, 3_610_000]
