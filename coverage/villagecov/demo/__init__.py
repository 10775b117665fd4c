"""Seeded generator of the clearly labelled SYNTHETIC demo inputs (see docs/input-formats.md).

``generate_demo_inputs(out_dir, data_dir, seed)`` writes villages, sites, terrain, declared and
modelled coverage, measurements and Task 9 surveys in the formats the real sources use, plus
``SYNTHETIC_demo_manifest.json``; ``villagecov demo`` ingests each manifest entry through the
real ingest paths.
"""

from villagecov.demo.generate import generate_demo_inputs
from villagecov.demo.manifest import MANIFEST_NAME, DemoEntry, DemoManifest, read_manifest

__all__ = ["MANIFEST_NAME", "DemoEntry", "DemoManifest", "generate_demo_inputs", "read_manifest"]
