"""Helpers for the updates & corrections tests: real communes, SYNTHETIC villages and coverage files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from villagecov.compute_pipeline import compute_all
from villagecov.ingest import IngestReport, ingest_file
from villagecov.settings import Settings
from villagecov.sources.common import IngestOptions
from villagecov.storage import Store


def two_districts(store: Store) -> dict[str, dict[str, object]]:
    """A commune in each of two 2019 districts: {"a": {...}, "b": {...}} with code, district, point."""
    units = store.read("admin_units", where={"version": "2019"})
    communes = units[units["level"] == "commune"]
    districts = units[units["level"] == "district"].sort_values("code")
    out: dict[str, dict[str, object]] = {}
    for tag, (_, d) in zip(("a", "b"), districts.iloc[[0, -1]].iterrows(), strict=True):
        mine = communes[communes["parent_code"] == d["code"]]
        c = mine.loc[mine.geometry.to_crs("EPSG:32648").area.idxmax()]  # the largest commune: room for a village and a hole
        out[tag] = {"code": c["code"], "district": d["code"], "district_geom": d.geometry,
                    "commune_geom": c.geometry, "point": c.geometry.representative_point()}
    return out


def square(p: shapely.Point, half: float = 0.0015) -> shapely.Polygon:
    return shapely.box(p.x - half, p.y - half, p.x + half, p.y + half)


def villages_file(path: Path, places: dict[str, dict[str, object]], population: int = 500,
                  drop: str | None = None) -> Path:
    rows = [{"village_id": f"V-{tag}", "name": f"Thôn Đồng Hới {tag}", "commune_code": p["code"],
             "population": population, "households": population // 4, "geometry": square(p["point"])}
            for tag, p in places.items() if tag != drop]
    gpd.GeoDataFrame(rows, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def coverage_file(path: Path, geoms: list[shapely.Geometry]) -> Path:
    gpd.GeoDataFrame({"name": [f"vùng {i}" for i in range(len(geoms))]}, geometry=geoms,
                     crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def ingest(settings: Settings, store: Store, kind: str, path: Path, **opts: object) -> IngestReport:
    return ingest_file(settings, store, kind, path, IngestOptions(**opts), actor="tester")  # type: ignore[arg-type]


def status_4g(settings: Settings, store: Store) -> dict[str, str]:
    """Compute, then the Viettel 4G declared status per village at the latest vintage."""
    compute_all(settings)
    vc = store.read("village_coverage", where={"operator": "viettel", "technology": "4G", "evidence": "declared"})
    vc = vc[vc["as_of"] == vc["as_of"].max()]
    return dict(zip(vc["village_id"], vc["status"], strict=True))


def indicators(store: Store) -> pd.DataFrame:
    frame = store.read("indicators").drop(columns=["run_id"])
    return frame.sort_values(["indicator", "level", "unit_code", "boundary_version", "as_of"]).reset_index(drop=True)
