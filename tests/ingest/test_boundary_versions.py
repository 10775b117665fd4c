"""The boundary version of a village register is told by its commune codes (both stores)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from updates_helpers import ingest, square

from villagecov.errors import InputError
from villagecov.settings import Settings
from villagecov.storage import Store


def _merged(store: Store) -> dict:
    """A 2025-07 commune that kept a 2019 code and grew: a point in its merged part (outside the 2019 commune)."""
    units = store.read("admin_units", where={"level": "commune"}).to_crs("EPSG:32648")
    old = units[units["version"] == "2019"].set_index("code")
    new = units[(units["version"] == "2025-07") & units["code"].isin(old.index)].set_index("code")
    growth = new.geometry.area / old.geometry.reindex(new.index).area
    code = growth.idxmax()
    assert growth[code] > 1.5, "no 2025-07 commune grew"
    part = new.geometry[code].difference(old.geometry[code].buffer(2000))
    point = gpd.GeoSeries([part.representative_point()], crs="EPSG:32648").to_crs("EPSG:4326").iloc[0]
    return {"code": code, "point": point}


def _retired(store: Store) -> dict:
    """A 2019 commune whose code the 2025-07 communes do not use."""
    units = store.read("admin_units", where={"level": "commune"})
    kept = set(units.loc[units["version"] == "2025-07", "code"])
    old = units[(units["version"] == "2019") & ~units["code"].isin(kept)]
    c = old.loc[old.geometry.to_crs("EPSG:32648").area.idxmax()]
    return {"code": c["code"], "point": c.geometry.representative_point()}


def _register(path: Path, communes: list[dict]) -> Path:
    rows = [{"village_id": f"T{i}", "name": f"Thôn Mới {i}", "commune_code": c["code"], "population": 300,
             "geometry": square(c["point"], 0.0005)} for i, c in enumerate(communes)]
    gpd.GeoDataFrame(rows, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def test_codes_tell_the_version(loaded: Store, settings: Settings, files: Path) -> None:
    new = _merged(loaded)  # its code is a 2019 code too, but the village lies in the part merged in 2025
    path = _register(files / "thon_2025.geojson", [new])
    digest = loaded.digest()
    with pytest.raises(InputError, match=r"fit the 2025-07 communes, not the 2019 ones .* --boundaries 2025-07"):
        ingest(settings, loaded, "villages", path, as_of="2025-09-01", boundary_version="2019")
    assert loaded.digest() == digest  # refused whole: nothing half accepted
    report = ingest(settings, loaded, "villages", path, as_of="2025-09-01", boundary_version=None)
    assert report.rejected == 0
    villages = loaded.read("villages")
    assert villages["boundary_version"].tolist() == ["2025-07"] and villages["commune_code"].tolist() == [new["code"]]
    sub = loaded.read("submissions", where={"kind": "villages"})
    assert sub["boundary_version"].tolist() == ["2025-07"]


def test_mixed_versions_are_refused(loaded: Store, settings: Settings, files: Path) -> None:
    path = _register(files / "mixed.geojson", [_retired(loaded), _merged(loaded)])
    digest = loaded.digest()
    for version in (None, "2019"):
        with pytest.raises(InputError, match="mix boundary versions") as err:
            ingest(settings, loaded, "villages", path, as_of="2025-09-01", boundary_version=version)
        assert "mixed.geojson" in str(err.value) and "commune_code" in str(err.value)
    assert loaded.digest() == digest
