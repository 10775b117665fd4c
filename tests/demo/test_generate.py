"""The generated set: reproducible, labelled SYNTHETIC everywhere, listed in its manifest."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pyogrio
import rasterio

from tests.demo.conftest import DATA_DIR, SEED
from villagecov.demo import MANIFEST_NAME, DemoManifest, generate_demo_inputs, read_manifest


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_files(demo: DemoManifest, tmp_path: Path) -> None:
    started = time.process_time()  # CPU seconds: wall time depends on the machine's load
    again = generate_demo_inputs(tmp_path / "again", DATA_DIR, seed=SEED)
    cpu_seconds = time.process_time() - started
    first, second = _digests(demo.out_dir), _digests(again.out_dir)
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    assert cpu_seconds < 60.0


def test_every_file_is_labelled_synthetic_and_listed(demo: DemoManifest) -> None:
    files = sorted(p.name for p in demo.out_dir.iterdir())
    assert all("SYNTHETIC" in name for name in files)
    listed = sorted(e.path.name for e in demo.entries)
    assert listed == sorted(set(files) - {MANIFEST_NAME})
    doc = json.loads((demo.out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert doc["synthetic"] is True and doc["seed"] == SEED
    for f in doc["files"]:
        assert f["kind"] in {"villages", "sites", "terrain", "coverage", "measurements", "services"}
        assert f["description"] and "sha256" in f
        if f["kind"] not in {"terrain"}:
            assert f["options"].get("as_of"), f["path"]


def test_manifest_round_trips(demo: DemoManifest) -> None:
    back = read_manifest(demo.path)
    assert [(e.kind, e.path, e.options) for e in back.entries] == [
        (e.kind, e.path, e.options) for e in demo.entries
    ]


def test_metadata_says_synthetic(demo: DemoManifest) -> None:
    for entry in demo.entries:
        path = entry.path
        if path.suffix == ".tif":
            with rasterio.open(path) as ds:
                assert ds.tags()["VILLAGECOV_SYNTHETIC"] == "yes"
        elif path.suffix == ".gpkg":
            for layer in pyogrio.list_layers(path)[:, 0]:
                info = pyogrio.read_info(path, layer=layer)
                assert info["layer_metadata"]["VILLAGECOV_SYNTHETIC"] == "yes"
                assert pyogrio.read_dataframe(path, layer=layer)["synthetic"].all()
        elif path.name.endswith(".shp.zip"):
            assert pyogrio.read_dataframe(f"/vsizip/{path}")["synthetic"].all()
        elif path.suffix in {".csv", ".geojson"}:
            frame = pyogrio.read_dataframe(path, read_geometry=False) if path.suffix == ".geojson" else None
            if frame is None:
                header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
                assert header[-1] == "synthetic"
                assert {line.rsplit(",", 1)[1] for line in path.read_text(encoding="utf-8").splitlines()[1:]} == {"true"}
            else:
                assert frame["synthetic"].all()
