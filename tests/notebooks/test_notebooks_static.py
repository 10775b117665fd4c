"""The committed notebooks: outputs stripped, paired with their percent scripts, parameters first,
only the public API of villagecov and maps, SYNTHETIC data announced. No kernel needed."""

from __future__ import annotations

import ast
import re

import jupytext
import nbformat
import pytest

from tests.notebooks.conftest import NOTEBOOKS
from tests.notebooks.run import NOTEBOOKS_DIR, inject_parameters

PARAMETERS = ("STORE_URL", "AS_OF", "BOUNDARY_VERSION", "OUT_DIR")
# what a notebook may import: the analysis API, settings (read at the edge), the gaps map builder
ALLOWED = re.compile(r"^(villagecov\.analysis|villagecov\.settings|villagecov|villagecov\.maps\.gaps|pathlib|pandas|"
                     r"matplotlib(\.pyplot)?|IPython\.display)$")


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS_DIR / name, as_version=4)


def test_every_notebook_is_listed_and_paired() -> None:
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.py")) == sorted(n.replace(".ipynb", ".py") for n in NOTEBOOKS)
    assert 'formats = "ipynb,py:percent"' in (NOTEBOOKS_DIR / "jupytext.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_no_outputs(name: str) -> None:
    nb = _read(name)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
        assert set(cell.metadata) <= {"tags"}, cell.metadata
    assert set(nb.metadata) <= {"kernelspec", "jupytext", "language_info"}
    assert "widgets" not in nb.metadata and "language_info" not in nb.metadata


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_paired_script_has_the_same_cells(name: str) -> None:
    nb = _read(name)
    script = jupytext.read(NOTEBOOKS_DIR / name.replace(".ipynb", ".py"))
    assert [(c.cell_type, c.source) for c in script.cells] == [(c.cell_type, c.source) for c in nb.cells]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_first_cell_holds_the_tagged_parameters(name: str) -> None:
    nb = _read(name)
    first = nb.cells[0]
    assert first.cell_type == "code"
    assert first.metadata.get("tags") == ["parameters"]
    assigned = {t.id for node in ast.parse(first.source).body if isinstance(node, ast.Assign) for t in node.targets}
    assert set(PARAMETERS) <= assigned
    assert all(isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) for n in ast.parse(first.source).body)
    injected = inject_parameters(_read(name), {"AS_OF": "2024-12-31"})
    at = next(i for i, c in enumerate(injected.cells) if c.metadata.get("tags") == ["parameters"])
    assert injected.cells[at + 1].source == "AS_OF = '2024-12-31'"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_use_only_the_public_api_and_announce_synthetic_data(name: str) -> None:
    nb = _read(name)
    imported = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
            assert not isinstance(node, ast.FunctionDef | ast.ClassDef), "no pipeline code inside notebooks"
    assert imported and all(ALLOWED.match(m) for m in imported), imported
    assert "villagecov.analysis" in imported or "villagecov" in imported
    intro = next(c for c in nb.cells if c.cell_type == "markdown")
    assert intro.source.startswith("# ") and "SYNTHETIC" in intro.source
