"""Re-derive the 2025-01 and 2025-07 commune layers in data/boundaries/ from the 2019 polygons.

Each derived unit is the union of the 2019 communes it was formed from (``codes_2019`` of the
derived file, itself from the official conversion table; see data/SOURCES.md). The 2019 polygons
were simplified one by one, so a plain dissolve leaves slivers: thin gaps between merged communes
that show as holes inside the new unit (176 of them in 2025-07, 6 in 2025-01). Here the union is
*closed* (buffer by ``EPS_M`` then unbuffer, in UTM 48N) with the added area limited to ground no
other unit covers, and every hole smaller than ``MAX_HOLE_M2`` that no other unit covers is
filled. Outer boundaries are otherwise unchanged; no overlap is created. Attributes are kept;
``area_km2`` is recomputed.

    .venv/bin/python scripts/derive_boundaries.py          # rewrites the two derived files
    .venv/bin/python scripts/derive_boundaries.py --check  # exit 1 if they would change
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

DATA = Path(__file__).resolve().parents[1] / "data" / "boundaries"
SOURCE = DATA / "quangbinh_communes_2019_vietnam63.geojson"
DERIVED = (DATA / "quangbinh_communes_2025-01_derived.geojson", DATA / "quangbinh_communes_2025-07_derived.geojson")
UTM = "EPSG:32648"
EPS_M = 60.0  # closing radius: gaps narrower than 2 × EPS_M between merged communes are closed
MAX_HOLE_M2 = 1_000_000.0  # holes below 1 km² inside a unit are slivers, not enclaves
ENCLAVE_SHARE = 0.5  # a hole at least half covered by another unit is an enclave: kept


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon)]


def fill_slivers(geom: BaseGeometry, others: BaseGeometry, max_hole_m2: float = MAX_HOLE_M2) -> BaseGeometry:
    """``geom`` with its holes smaller than ``max_hole_m2`` filled, unless another unit covers
    most of the hole (an enclave)."""
    out = []
    for poly in _polygons(geom):
        keep = []
        for ring in poly.interiors:
            hole = Polygon(ring)
            covered = hole.intersection(others).area if not others.is_empty else 0.0
            if hole.area >= max_hole_m2 or covered >= ENCLAVE_SHARE * hole.area:
                keep.append(ring)
        out.append(Polygon(poly.exterior, keep))
    return shapely.union_all(out) if len(out) > 1 else out[0]


def derive(derived: gpd.GeoDataFrame, source: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every unit of ``derived`` re-dissolved from ``source`` (both read in EPSG:4326)."""
    src = source.to_crs(UTM).set_index("commune_code").geometry
    unions = [shapely.union_all([src[c] for c in str(codes).split(";")]) for codes in derived["codes_2019"]]
    unions = [shapely.make_valid(u) for u in unions]
    tree = shapely.STRtree(unions)
    closed = []
    for i, u in enumerate(unions):
        near = tree.query(u.buffer(2 * EPS_M))
        others = shapely.union_all([unions[j] for j in near if j != i])
        grown = u.buffer(EPS_M, join_style="mitre").buffer(-EPS_M, join_style="mitre")
        added = grown.difference(u).difference(others)  # only ground no other unit covers
        closed.append((shapely.union_all([u, added]), others))
    geoms = [fill_slivers(g, others) for g, others in closed]
    geoms = [shapely.make_valid(g) for g in geoms]
    out = derived.copy()
    out = gpd.GeoDataFrame(out.drop(columns="geometry"), geometry=gpd.GeoSeries(geoms, crs=UTM), crs=UTM)
    out["area_km2"] = (out.geometry.area / 1e6).round(3)
    out = out.to_crs("EPSG:4326")
    # snap to the 1e-6° grid the file is written at, so that what is read back is valid as well
    out["geometry"] = shapely.set_precision(out.geometry.to_numpy(), 1e-6)
    return out


def write(frame: gpd.GeoDataFrame, path: Path) -> None:
    frame.to_file(path, driver="GeoJSON", COORDINATE_PRECISION=6, layer=path.stem)


def main(argv: list[str]) -> int:
    source = gpd.read_file(SOURCE)
    changed = []
    for path in DERIVED:
        current = gpd.read_file(path)
        fresh = derive(current, source)
        if "--check" in argv:
            with tempfile.TemporaryDirectory() as tmp:
                probe = Path(tmp) / path.name
                write(fresh, probe)
                if probe.read_bytes() != path.read_bytes():
                    changed.append(path.name)
        else:
            write(fresh, path)
            print(f"wrote {path.name}: {len(fresh)} units")
    if changed:
        print("would change:", *changed)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
