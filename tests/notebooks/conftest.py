"""One SYNTHETIC demo store per session for the notebooks (generation, ingest and compute take
about a minute), and the notebooks executed once on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.demo_store import build_demo_store
from tests.notebooks.run import execute
from villagecov.settings import Settings

NOTEBOOKS = ("01_progress.ipynb", "02_gaps.ipynb", "03_evidence.ipynb")


@dataclass
class Executed:
    settings: Settings
    out_dir: Path
    notebooks: dict[str, nbformat.NotebookNode]


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_demo_store(tmp_path_factory.mktemp("notebooks-demo"))


@pytest.fixture(scope="session")
def executed(demo_store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Executed:
    """Every notebook run top to bottom on the demo store with OUT_DIR in tmp."""
    out = tmp_path_factory.mktemp("notebooks-out")
    params = {"STORE_URL": demo_store.store, "OUT_DIR": str(out)}
    return Executed(demo_store, out, {name: execute(name, params) for name in NOTEBOOKS})
