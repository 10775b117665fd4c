"""Build the SYNTHETIC demo store the notebooks run on, the way `villagecov demo` builds it: the
real boundaries, the demo inputs through the real ingest, the compute engine (maps and the API are
left out). Plus one small SYNTHETIC crowd-test upload with bad rows, so that the evidence
notebook has a quarantine report to show. GeoPackage (the embedded default store) unless told."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from villagecov.compute_pipeline import compute_all
from villagecov.demo import generate_demo_inputs
from villagecov.ingest import ingest_file
from villagecov.pipeline import ingest_boundaries, ingest_demo_inputs
from villagecov.settings import PROJECT_ROOT, Settings
from villagecov.sources.common import IngestOptions
from villagecov.storage import open_store

DATA_DIR = PROJECT_ROOT / "data"
SEED = 2019
CROWD_UPLOAD = """time,lon,lat,operator,technology,rsrp_dbm,dl_mbps,synthetic
2024-12-01T08:00:00+07:00,106.6001,17.4702,viettel,4G,-88,35.5,true
2024-12-01T08:05:00+07:00,106.6012,17.4711,vinaphone,4G,-97,21.0,true
2024-12-01T08:10:00+07:00,106.6023,17.4720,mobifone,4G,-101,12.3,true
2024-12-01T08:15:00+07:00,106.6034,17.4733,bogus-net,4G,-90,30.0,true
2024-12-01T08:20:00+07:00,104.0000,17.4700,viettel,4G,-90,30.0,true
2024-12-01T08:25:00+07:00,106.6045,17.4744,viettel,4G,-300,30.0,true
"""


def write_crowd_upload(folder: Path) -> Path:
    """A small SYNTHETIC crowd-test upload with three bad rows (unknown operator, a point outside
    the province, an impossible RSRP): the ingest quarantines them."""
    path = folder / "SYNTHETIC_measurements_crowd_upload_2024-12.csv"
    path.write_text(CROWD_UPLOAD, encoding="utf-8")
    return path


def build_demo_store(folder: Path, seed: int = SEED, store: str | None = None) -> Settings:
    """Generate the demo inputs under ``folder``, ingest them into ``store`` (default
    ``folder/SYNTHETIC_demo.gpkg``; a PostGIS URL works as well) and compute; returns the settings
    of that store (archive under ``folder/archive``)."""
    settings = Settings(store=store or str(folder / "SYNTHETIC_demo.gpkg"), archive_dir=folder / "archive",
                        demo_dir=folder / "inputs", maps_dir=folder / "maps")
    quiet = Console(file=io.StringIO())
    ingest_boundaries(settings, DATA_DIR)
    manifest = generate_demo_inputs(Path(settings.demo_dir), DATA_DIR, seed=seed)
    ingest_demo_inputs(settings, manifest, quiet)
    with open_store(settings.store) as store:
        ingest_file(settings, store, "measurements", write_crowd_upload(folder), IngestOptions(as_of="2024-12-31"))
    compute_all(settings)
    return settings


if __name__ == "__main__":  # manual use: python -m tests.notebooks.demo_store FOLDER
    import sys
    import time

    t0 = time.perf_counter()
    s = build_demo_store(Path(sys.argv[1]))
    print(s.store, f"{time.perf_counter() - t0:.1f} s")
