"""QGIS (Debian's python3-qgis, 3.22) as a real client of a real uvicorn server, on both stores.

QGIS lives in Debian's Python, not in the project's venv, so tests/api/qgis_probe.py runs in a
subprocess of ``/usr/bin/python3`` with an offscreen Qt platform and reports what QGIS saw as JSON.
Skipped when python3-qgis is missing, unless VILLAGECOV_REQUIRE_QGIS=1 (CI), which makes it a failure.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import Seeded

SYSTEM_PYTHON = "/usr/bin/python3"
PROBE = Path(__file__).with_name("qgis_probe.py")
PICK = "Thôn Một"  # village V1, filled red by the probe's vector-tile style
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def qgis_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    ok = subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, env=_env(), timeout=60)
    return ok.returncode == 0


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    return {**env, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": "/tmp/runtime-qgis"}


def qgis_store_uri(store: str) -> str:
    """The store as QGIS opens it: the GeoPackage path, or the postgres provider's URI for a PostGIS URL."""
    if not store.startswith("postgresql"):
        return store
    from sqlalchemy.engine import make_url

    u = make_url(store)
    parts = {"dbname": u.database, "host": u.host, "port": u.port, "user": u.username, "password": u.password}
    return " ".join(f"{k}='{v}'" for k, v in parts.items() if v is not None)


@pytest.fixture(scope="module")
def qgis_seen(server: str, seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not qgis_available():
        if os.environ.get("VILLAGECOV_REQUIRE_QGIS") == "1":
            pytest.fail("VILLAGECOV_REQUIRE_QGIS=1 but Debian's python3-qgis is not importable by /usr/bin/python3")
        pytest.skip("QGIS (Debian python3-qgis) not installed")
    backend = "postgis" if seeded.settings.store.startswith("postgresql") else "geopackage"
    out = ARTIFACTS / f"qgis-{backend}"
    out.mkdir(parents=True, exist_ok=True)
    os.makedirs("/tmp/runtime-qgis", mode=0o700, exist_ok=True)
    args = [SYSTEM_PYTHON, str(PROBE), server, str(out), qgis_store_uri(seeded.settings.store), PICK]
    proc = subprocess.run(args, capture_output=True, text=True, env=_env(), timeout=300)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("QGIS-PROBE ")]
    assert proc.returncode == 0 and lines, f"QGIS probe failed ({proc.returncode}): {proc.stderr[-3000:]}"
    return json.loads(lines[-1].removeprefix("QGIS-PROBE "))


def test_qgis_oapif_pages_through_communes(qgis_seen: dict[str, Any]) -> None:
    communes = qgis_seen["communes"]
    assert communes["valid"] and communes["crs"] == "EPSG:4326"
    codes = [f["attrs"]["code"] for f in communes["features"]]
    assert len(codes) == 159 == len(set(codes))  # 4 pages of 40 followed through our next links
    names = {f["attrs"]["name"] for f in communes["features"]}
    assert sum(n != n.encode("ascii", "ignore").decode() for n in names) > 100  # diacritics survive
    assert all(f["wkb_type"] in (3, 6, 1003, 1006) for f in communes["features"])  # (Multi)Polygon


def test_qgis_oapif_villages_attributes_and_bbox(qgis_seen: dict[str, Any], seeded: Seeded) -> None:
    villages = qgis_seen["villages"]
    assert villages["valid"] and "SYNTHETIC" in villages["title"]
    assert {"name", "population", "remote", "status_4g"} <= set(villages["fields"])
    by_id = {f["attrs"]["village_id"]: f for f in villages["features"]}
    assert sorted(by_id) == ["V1", "V2", "V3", "V4", "V5", "V6"]
    assert by_id["V1"]["attrs"]["name"] == "Thôn Một" and by_id["V6"]["attrs"]["name"] == "Tổ dân phố Sáu"
    for vid, (lon, lat) in seeded.centres.items():
        cx, cy = by_id[vid]["centroid"]
        assert abs(cx - lon) < 1e-6 and abs(cy - lat) < 1e-6
    # The rectangle around the first village's centre holds that village only.
    first = villages["features"][0]["attrs"]["village_id"]
    assert [f["attrs"]["village_id"] for f in qgis_seen["villages_in_rect"]] == [first]


def test_qgis_draws_vector_tiles_and_reads_one(qgis_seen: dict[str, Any], seeded: Seeded) -> None:
    vt = qgis_seen["vector_tiles"]
    assert vt["valid"] and vt["template"].endswith("/collections/villages/tiles/WebMercatorQuad/{z}/{y}/{x}")
    # Red pixels only where QGIS's MVT decoder found a feature whose name is exactly "Thôn Một": V1, a
    # 0.008° square in a 0.1° view of 512 px (about 41 × 41 px, sampled every other pixel → about 420).
    render = vt["render"]
    assert render["errors"] == [] and 250 < render["painted"] < 700 and render["colours"] == 1
    tile = vt["tile"]
    assert tile["valid"] and tile["crs"] == "EPSG:3857"
    assert {"village_id", "name", "population"} <= set(tile["fields"])
    by_id = {f["attrs"]["village_id"]: f for f in tile["features"]}
    assert by_id["V1"]["attrs"]["name"] == "Thôn Một" and by_id["V1"]["attrs"]["population"] == 1000


def test_qgis_draws_raster_tiles(qgis_seen: dict[str, Any]) -> None:
    rt = qgis_seen["raster_tiles"]
    assert rt["valid"] and rt["id"] == "R1"
    # 3 of 4 quarters carry signal (south-east is nodata): painted, in more than one class colour
    assert rt["render"]["errors"] == [] and rt["render"]["painted"] > 20000 and rt["render"]["colours"] >= 2


def test_qgis_opens_the_store_itself(qgis_seen: dict[str, Any], seeded: Seeded) -> None:
    """Analysts open the store directly too: the GeoPackage file (ogr) or the PostGIS table (postgres)."""
    g = qgis_seen["store_villages"]
    expected = "postgres" if seeded.settings.store.startswith("postgresql") else "ogr"
    assert g["valid"] and g["provider"] == expected and g["crs"] == "EPSG:4326" and g["count"] == 6
    assert "Thôn Một" in g["names"] and "Bản Bốn" in g["names"]
