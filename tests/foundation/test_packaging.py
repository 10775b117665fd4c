"""Packaging: `coverage/` is a plain folder, so `import coverage` is coverage.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT


def test_coverage_py_is_not_shadowed_and_villagecov_imports() -> None:
    code = (
        "import coverage, villagecov, api, maps, pathlib;"
        "assert hasattr(coverage, 'Coverage'), coverage.__file__;"
        "assert 'site-packages' in coverage.__file__, coverage.__file__;"
        "print(coverage.__version__, villagecov.__version__, pathlib.Path(villagecov.__file__).parent.name)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)
    cov_version, vc_version, folder = out.stdout.split()
    assert cov_version[0].isdigit() and vc_version == "0.1.0" and folder == "villagecov"
    assert not (PROJECT_ROOT / "coverage" / "__init__.py").exists()


def test_villagecov_runs_under_coverage_py(tmp_path: Path) -> None:
    data_file = tmp_path / ".coverage"
    out = subprocess.run(
        [sys.executable, "-m", "coverage", "run", f"--data-file={data_file}", "-m", "villagecov.cli", "--help"],
        capture_output=True, text=True, cwd=PROJECT_ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "ingest" in out.stdout
    assert data_file.exists()  # coverage.py really measured the run
