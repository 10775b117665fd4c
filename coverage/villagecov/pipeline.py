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
from villagecov.settings import Settings, StoreSettings
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


def doctor_report(settings: StoreSettings) -> dict[str, str]:
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


def ingest_boundaries(settings: StoreSettings, data_dir: Path, progress: Any = None) -> BoundariesSummary:
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
    settings: StoreSettings, kind: str, fmt: str, out: Path | None, *, boundaries: str = "2019", as_of: str | None = None
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


def ingest_demo_inputs(settings: Settings, manifest: Any, console: Any) -> list[Any]:
    """Ingest every SYNTHETIC demo file through the real ingest path; already-ingested files are skipped."""
    from villagecov.errors import DuplicateSubmission
    from villagecov.ingest import KINDS, ingest_file
    from villagecov.sources.common import IngestOptions

    reports = []
    store = open_store(settings.store, initialize=True)
    try:
        for entry in manifest.entries:
            if entry.kind not in KINDS:
                continue
            options = IngestOptions(**entry.options)
            try:
                report = ingest_file(settings, store, entry.kind, Path(entry.path), options)
            except DuplicateSubmission:
                console.print(f"  {entry.kind:<12} {Path(entry.path).name}: already ingested", highlight=False)
                continue
            reports.append(report)
            console.print(
                f"  {entry.kind:<12} {Path(entry.path).name}: {report.rows_accepted} rows, "
                f"{report.rejected} quarantined",
                highlight=False,
            )
    finally:
        store.close()
    return reports


def run_demo(settings: Settings, *, console: Any, seed: int = 2019) -> dict[str, Any]:
    """Steps 1–3 of the main job on the embedded store: real boundaries + SYNTHETIC demo inputs →
    village coverage, indicators and a 4G site plan. The maps and the API (steps 4–5) are wired
    by the CLI (``villagecov demo``): the library never imports them."""
    from villagecov.compute_pipeline import compute_all
    from villagecov.demo.generate import generate_demo_inputs
    from villagecov.demo.manifest import MANIFEST_NAME, read_manifest

    console.rule("1/5 real boundaries (data/)")
    summary = ingest_boundaries(settings, settings.data_dir, progress=console)
    console.print(f"store: {settings.store}", highlight=False)
    console.print(summary.render(), highlight=False)

    console.rule("2/5 SYNTHETIC demo inputs")
    manifest_path = Path(settings.demo_dir) / MANIFEST_NAME
    if manifest_path.exists() and read_manifest(manifest_path).seed == seed:
        manifest = read_manifest(manifest_path)
        console.print(f"reusing {manifest_path}", highlight=False)
    else:
        with console.status("generating SYNTHETIC villages, sites, coverage, measurements, surveys ..."):
            manifest = generate_demo_inputs(Path(settings.demo_dir), settings.data_dir, seed=seed)
        console.print(f"wrote {len(manifest.entries)} SYNTHETIC files to {settings.demo_dir}", highlight=False)
    reports = ingest_demo_inputs(settings, manifest, console)

    console.rule("3/5 village coverage, indicators and a 4G site plan")
    with console.status("computing ..."):
        computed = compute_all(settings)
    console.print(computed.render(), highlight=False)
    console.print("[bold yellow]Village, site, coverage and survey data are SYNTHETIC (demo only).[/]")
    from villagecov.planning.run import demo_plan, summary_lines

    terrain = manifest.by_kind("terrain")
    with console.status("planning new 4G sites to reach every village (greedy and exact) ..."):
        plan = demo_plan(settings, Path(terrain[0].path) if terrain else None, Path(settings.maps_dir).parent / "plan")
    for line in summary_lines(plan):
        console.print(line, highlight=False)

    return {"boundaries": summary, "ingested": reports, "computed": computed, "plan": plan}
