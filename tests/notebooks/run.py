"""Execute a notebook top to bottom with nbclient, papermill-style parameters injected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"


def inject_parameters(nb: nbformat.NotebookNode, params: dict[str, Any]) -> nbformat.NotebookNode:
    """Insert a cell assigning ``params`` right after the cell tagged ``parameters`` (as papermill
    does); raises when the notebook has no such cell."""
    index = next((i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])), None)
    if index is None:
        raise AssertionError("no cell tagged 'parameters'")
    source = "\n".join(f"{k} = {v!r}" for k, v in params.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(index + 1, cell)
    return nb


def execute(name: str, params: dict[str, Any], timeout: int = 600) -> nbformat.NotebookNode:
    """Run ``notebooks/<name>`` in a fresh kernel (cwd: notebooks/) and return the executed notebook."""
    nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    inject_parameters(nb, params)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    client.execute()
    return nb
