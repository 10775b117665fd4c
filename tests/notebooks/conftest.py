"""One SYNTHETIC demo store per session for the notebooks (generation, ingest and compute take
about a minute), and the notebooks executed on it with several parameter sets: the latest period
on the 2019 boundaries, the baseline period (AS_OF as DD/MM/YYYY), and the 2025-07 communes in
English (AS_OF as a year)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tests.notebooks.demo_store import build_demo_store
from tests.notebooks.run import execute
from villagecov.settings import Settings

NOTEBOOKS = ("01_progress.ipynb", "02_gaps.ipynb", "03_evidence.ipynb", "04_site_plan.ipynb",
             "05_change_and_sensitivity.ipynb")
QUICK = {"EXACT_TIME_LIMIT_S": 1, "CURVE_POINTS": 3, "SIGNAL_THRESHOLDS": "-110,-100"}  # keeps 04/05 short
VARIANTS: dict[str, dict[str, Any]] = {
    "latest": {**QUICK, "SIGNAL_THRESHOLDS": "-110,-105,-100,-95"},
    "baseline": {**QUICK, "AS_OF": "31/12/2019"},
    "2025-07": {**QUICK, "AS_OF": "2024", "BOUNDARY_VERSION": "2025-07", "LANG": "en"},
}


@dataclass
class Executed:
    settings: Settings
    out_dir: Path
    notebooks: dict[str, nbformat.NotebookNode]
    params: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return build_demo_store(tmp_path_factory.mktemp("notebooks-demo"))


def _run(settings: Settings, out: Path, extra: dict[str, Any]) -> Executed:
    params = {"STORE_URL": settings.store, "OUT_DIR": str(out), **extra}
    return Executed(settings, out, {name: execute(name, params) for name in NOTEBOOKS}, params)


@pytest.fixture(scope="session")
def executed(demo_store: Settings, tmp_path_factory: pytest.TempPathFactory) -> Executed:
    """Every notebook run top to bottom on the demo store with OUT_DIR in tmp (latest period)."""
    return _run(demo_store, tmp_path_factory.mktemp("notebooks-out"), VARIANTS["latest"])


@pytest.fixture(scope="session")
def variants(executed: Executed, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Executed]:
    """Every notebook run with each parameter set of :data:`VARIANTS` (latest reused)."""
    runs = {"latest": executed}
    for name, extra in VARIANTS.items():
        if name != "latest":
            runs[name] = _run(executed.settings, tmp_path_factory.mktemp(f"notebooks-{name}"), extra)
    return runs
