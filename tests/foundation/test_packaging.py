"""`pip install .` puts only ``villagecov`` in site-packages: the client's api/ and maps/ folders
install as villagecov.api and villagecov.maps (setuptools package-dir mapping, pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_folder_is_listed_and_nothing_else() -> None:
    """A new subpackage must be added to pyproject's list, or the wheel would leave it out."""
    dirs = {name: ROOT / folder for name, folder in SETUPTOOLS["package-dir"].items()}
    found = set()
    for name, folder in dirs.items():
        for init in folder.rglob("__init__.py"):
            rel = init.parent.relative_to(folder).parts
            nested = any(init.parent.is_relative_to(other) for other in dirs.values()
                         if other != folder and other.is_relative_to(folder))
            if not nested:
                found.add(".".join([name, *rel]))
    assert set(SETUPTOOLS["packages"]) == found


def test_the_wheel_holds_only_villagecov(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("villagecov-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"villagecov", wheel.name.split("-")[0] + "-"
                                                 + wheel.name.split("-")[1] + ".dist-info"}
    for expected in ("villagecov/api/app.py", "villagecov/api/routers/tiles.py", "villagecov/maps/build.py",
                     "villagecov/cli.py", "villagecov/storage/migrations/script.py.mako",
                     "villagecov/maps/static/leaflet/leaflet.js", "villagecov/api/static/redoc/redoc.standalone.js"):
        assert expected in names, expected
    top_level = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("top_level.txt"))).decode()
    assert top_level.split() == ["villagecov"]
