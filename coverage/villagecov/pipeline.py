"""Orchestration: ingest → compute → publish. Opens the store; the steps themselves live in
``sources``, ``compute`` and ``storage``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from villagecov.errors import InputError, NotFound
from villagecov.settings import Settings
from villagecov.storage import Store, open_store


@dataclass
class BoundariesSummary:
    changed: bool
    sha256: str
    units: pd.DataFrame  # version, level, units, population
    crosswalk_rows: int
    places: int
    repaired: list[str] = field(default_factory=list)

    def render(self) -> str:
        lines = [
            "Boundaries " + ("loaded" if self.changed else "unchanged (same files already ingested)")
            + f" — sha256 {self.sha256[:12]}",
            f"{'version':<9} {'level':<9} {'units':>6} {'population 2019':>16}",
        ]
        for _, r in self.units.iterrows():
            lines.append(f"{r['version']:<9} {r['level']:<9} {r['units']:>6} {int(r['population']):>16,}")
        lines.append(f"crosswalk rows: {self.crosswalk_rows}; district seats: {self.places}")
        lines.append(f"geometries repaired with make_valid: {len(self.repaired)}")
        lines.extend(f"  {r}" for r in self.repaired[:20])
        return "\n".join(lines)


def doctor_report(settings: Settings) -> dict[str, str]:
    """Versions of the geospatial stack and of the store."""
    import fastapi
    import geopandas
    import pyogrio
    import pyproj
    import rasterio
    import shapely

    import villagecov

    report = {
        "villagecov": villagecov.__version__,
        "python": sys.version.split()[0],
        "GDAL (pyogrio)": pyogrio.__gdal_version_string__,
        "GDAL (rasterio)": rasterio.__gdal_version__,
        "PROJ": pyproj.proj_version_str,
        "GEOS": shapely.geos_version_string,
        "geopandas": geopandas.__version__,
        "shapely": shapely.__version__,
        "fastapi": fastapi.__version__,
        "store": settings.store,
    }
    store = open_store(settings.store)
    try:
        report.update({f"store {k}": v for k, v in store.info().items()})
    finally:
        store.close()
    return report


def _units_summary(store: Store) -> pd.DataFrame:
    units = store.read("admin_units")
    order = {"province": 0, "district": 1, "commune": 2}
    summary = (
        units.groupby(["version", "level"])
        .agg(units=("code", "count"), population=("population", "sum"))
        .reset_index()
    )
    summary["o"] = summary["level"].map(order)
    return summary.sort_values(["version", "o"]).drop(columns="o").reset_index(drop=True)


def ingest_boundaries(settings: Settings, data_dir: Path, progress: Any = None) -> BoundariesSummary:
    """Load the bundled real boundaries into the store; re-running with the same files changes nothing."""
    from villagecov.sources.boundaries import read_boundaries

    store = open_store(settings.store, initialize=True)
    try:
        bounds = read_boundaries(Path(data_dir))
        options = json.dumps({"data_dir": "data"}, sort_keys=True)
        changed = not store.has_submission(bounds.sha256, "boundaries", options)
        if changed:
            with store.transaction() as tx:
                for name in ("admin_units", "crosswalk", "places"):
                    if store.count(name):
                        tx.delete(name, {"source": store.read(name)["source"].unique().tolist()})
                tx.append("admin_units", bounds.admin_units)
                tx.append("crosswalk", bounds.crosswalk)
                tx.append("places", bounds.places)
                tx.append(
                    "submissions",
                    pd.DataFrame([{
                        "sha256": bounds.sha256, "kind": "boundaries", "filename": "data/boundaries/*",
                        "archive_path": str(Path(data_dir)), "options": options,
                        "received_at": datetime.now(UTC), "rows_accepted": len(bounds.admin_units),
                        "rows_rejected": 0, "status": "ingested",
                    }]),
                )
        return BoundariesSummary(
            changed=changed,
            sha256=bounds.sha256,
            units=_units_summary(store),
            crosswalk_rows=store.count("crosswalk"),
            places=store.count("places"),
            repaired=bounds.repaired,
        )
    finally:
        store.close()


EXPORT_LAYERS: dict[str, tuple[str, dict[str, Any]]] = {
    "province": ("admin_units", {"level": "province"}),
    "districts": ("admin_units", {"level": "district"}),
    "communes": ("admin_units", {"level": "commune"}),
}


def read_layer(store: Store, kind: str, boundaries: str = "2019", as_of: str | None = None) -> pd.DataFrame:
    """A named layer (province/districts/communes per boundary version) or any table of the store."""
    from villagecov.schema import TABLES

    if kind in EXPORT_LAYERS:
        name, where = EXPORT_LAYERS[kind]
        return store.read(name, where={**where, "version": boundaries})
    if kind == "village_coverage":  # joined to the village polygons, for independent checks
        from villagecov.compute_pipeline import village_coverage_layer

        return village_coverage_layer(store, as_of)
    if kind in TABLES:
        return store.read(kind, as_of=as_of)
    raise NotFound(f"unknown layer {kind!r}; known: {', '.join([*EXPORT_LAYERS, *TABLES])}")


def export_layer(
    settings: Settings, kind: str, fmt: str, out: Path | None, *, boundaries: str = "2019", as_of: str | None = None
) -> int:
    """Write a layer as GeoJSON, CSV (geometry as WKT) or GeoPackage; return the feature count."""
    from villagecov.sources.io_write import write_frame

    if fmt not in ("geojson", "csv", "gpkg"):
        raise InputError(f"unknown format {fmt!r}: use geojson, csv or gpkg", field="--format")
    store = open_store(settings.store)
    try:
        frame = read_layer(store, kind, boundaries, as_of)
    finally:
        store.close()
    write_frame(frame, fmt, out, layer=kind)
    return len(frame)


def run_demo(settings: Settings, *, serve: bool, console: Any) -> None:
    """The main job: build the embedded store from data/ and print a summary."""
    summary = ingest_boundaries(settings, settings.data_dir, progress=console)
    console.print(f"store: {settings.store}", highlight=False)
    console.print(summary.render(), highlight=False)
    if serve:
        console.print("serving is not yet available in this version: the store is built (--no-serve implied)")
