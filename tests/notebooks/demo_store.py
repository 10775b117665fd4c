"""Build the SYNTHETIC demo store the notebooks run on: real boundaries, the demo inputs through
the real ingest, then the compute engine. GeoPackage (the embedded default store)."""

from __future__ import annotations

from pathlib import Path

from villagecov.compute_pipeline import compute_all
from villagecov.demo import generate_demo_inputs
from villagecov.ingest import ingest_file
from villagecov.pipeline import ingest_boundaries
from villagecov.settings import PROJECT_ROOT, Settings
from villagecov.sources.common import IngestOptions

DATA_DIR = PROJECT_ROOT / "data"
SEED = 2019


def build_demo_store(folder: Path, seed: int = SEED) -> Settings:
    """Generate the demo inputs under ``folder``, ingest them into ``folder/SYNTHETIC_demo.gpkg``
    and compute; returns the settings of that store (archive under ``folder/archive``)."""
    inputs = folder / "inputs"
    manifest = generate_demo_inputs(inputs, DATA_DIR, seed=seed)
    terrain = [e.path for e in manifest.by_kind("terrain")]
    settings = Settings(
        store=str(folder / "SYNTHETIC_demo.gpkg"),
        archive_dir=folder / "archive",
        terrain_raster=terrain[0] if terrain else None,
    )
    ingest_boundaries(settings, DATA_DIR)
    from villagecov.storage import open_store

    with open_store(settings.store) as store:
        for entry in manifest.entries:
            if entry.kind == "terrain":
                continue
            ingest_file(settings, store, entry.kind, entry.path, IngestOptions(**entry.options))
    compute_all(settings)
    return settings


if __name__ == "__main__":  # manual use: python -m tests.notebooks.demo_store FOLDER
    import sys
    import time

    t0 = time.perf_counter()
    s = build_demo_store(Path(sys.argv[1]))
    print(s.store, f"{time.perf_counter() - t0:.1f} s")
