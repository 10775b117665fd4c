"""One SYNTHETIC demo set per test session (generation takes ~10 s), written under tmp."""

from __future__ import annotations

from pathlib import Path

import pytest

from villagecov.demo import DemoManifest, generate_demo_inputs
from villagecov.settings import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "data"
SEED = 2019


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoManifest:
    """The demo set generated with the default seed (shared, read-only for tests)."""
    out: Path = tmp_path_factory.mktemp("demo-inputs")
    return generate_demo_inputs(out, DATA_DIR, seed=SEED)
