"""`ingest boundaries` on both stores: real counts and census totals, idempotence, checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA_DIR
from villagecov.errors import InputError
from villagecov.pipeline import ingest_boundaries
from villagecov.settings import Settings
from villagecov.sources.boundaries import FILES, ascii_fold, read_boundaries
from villagecov.storage import open_store


def test_real_boundaries_load_with_census_totals_and_are_idempotent(settings: Settings) -> None:
    first = ingest_boundaries(settings, DATA_DIR)
    assert first.changed
    counts = {(r.version, r.level): (r.units, r.population) for r in first.units.itertuples()}
    assert counts == {
        ("2019", "province"): (1, 895_430),
        ("2019", "district"): (8, 895_430),
        ("2019", "commune"): (159, 895_430),
        ("2025-01", "province"): (1, 895_430),
        ("2025-01", "district"): (8, 895_430),
        ("2025-01", "commune"): (145, 895_430),
        ("2025-07", "province"): (1, 895_430),
        ("2025-07", "commune"): (41, 895_430),
    }
    assert first.crosswalk_rows == 159 + 159 + 145 + 8
    store = open_store(settings.store)
    before = store.digest()
    second = ingest_boundaries(settings, DATA_DIR)
    assert not second.changed
    assert store.digest() == before
    communes = store.read("admin_units", where={"version": "2019", "level": "commune"})
    assert "Xã Thượng Trạch" in set(communes["name"])
    hai_thanh = communes[communes["code"] == "18853"].iloc[0]
    assert (hai_thanh["name"], hai_thanh["population"], hai_thanh["parent_code"]) == ("Phường Hải Thành", 6530, "450")
    seats = store.read("places")
    assert len(seats) == 7 and "Đồng Hới" in set(seats["name"])
    store.close()


def test_crosswalk_maps_every_2019_commune_once_per_target_version(settings: Settings) -> None:
    b = read_boundaries(DATA_DIR)
    cw = b.crosswalk[b.crosswalk["level"] == "commune"]
    for target in ("2025-01", "2025-07"):
        rows = cw[(cw["from_version"] == "2019") & (cw["to_version"] == target)]
        assert rows["from_code"].is_unique and len(rows) == 159
    merged = b.admin_units[(b.admin_units["version"] == "2025-07") & (b.admin_units["level"] == "commune")]
    to_0725 = cw[(cw["from_version"] == "2019") & (cw["to_version"] == "2025-07")]
    pop19 = b.admin_units[(b.admin_units["version"] == "2019") & (b.admin_units["level"] == "commune")]
    via = to_0725.merge(pop19[["code", "population"]], left_on="from_code", right_on="code")
    summed = via.groupby("to_code")["population"].sum()
    assert (merged.set_index("code")["population"] == summed.reindex(merged["code"]).values).all()
    assert b.crosswalk["inferred"].sum() > 0  # the six Jan-2025 merges are marked inferred


def copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR / "boundaries", target / "boundaries")
    shutil.copytree(DATA_DIR / "places", target / "places")
    return target


def edit_geojson(path: Path, edit) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(path.read_text(encoding="utf-8"))
    edit(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def test_invalid_geometry_is_repaired_and_reported(tmp_path: Path) -> None:
    data = copy_data(tmp_path)

    def bowtie(doc: dict) -> None:
        f = doc["features"][0]
        x0, y0 = 106.60, 17.47
        ring = [[x0, y0], [x0 + 0.01, y0 + 0.01], [x0 + 0.01, y0], [x0, y0 + 0.01], [x0, y0]]
        f["geometry"] = {"type": "MultiPolygon", "coordinates": [[ring]]}

    edit_geojson(data / FILES["communes_2019"], bowtie)
    b = read_boundaries(data)
    assert len(b.repaired) == 1 and "Self-intersection" in b.repaired[0]
    unit = b.admin_units[(b.admin_units["version"] == "2019") & (b.admin_units["code"] == "18853")]
    assert unit.geometry.iloc[0].is_valid and unit.geometry.iloc[0].area > 0


def test_projected_coordinates_declared_as_lonlat_are_refused(tmp_path: Path) -> None:
    data = copy_data(tmp_path)

    def project(doc: dict) -> None:
        f = doc["features"][0]
        f["geometry"] = {"type": "Polygon", "coordinates": [[[700000, 1930000], [701000, 1930000],
                                                               [701000, 1931000], [700000, 1930000]]]}

    edit_geojson(data / FILES["districts"], project)
    with pytest.raises(InputError, match=r"quangbinh_districts_2019_gischinhphu.geojson, field geometry: coordinates .* wrong CRS"):
        read_boundaries(data)


def test_missing_file_duplicate_code_and_missing_parent_are_named(tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    (data / FILES["census"]).unlink()
    with pytest.raises(InputError, match="quangbinh_census2019_population_by_commune.csv: file is missing"):
        read_boundaries(data)

    data = copy_data(tmp_path / "b")
    edit_geojson(data / FILES["communes_2019"], lambda d: d["features"][1]["properties"].update(commune_code="18853"))
    with pytest.raises(InputError, match="duplicate code 18853 in version 2019"):
        read_boundaries(data)

    data = copy_data(tmp_path / "c")
    edit_geojson(data / FILES["communes_2025-01"], lambda d: d["features"][0]["properties"].update(district_code="999"))
    with pytest.raises(InputError, match="parent 999 that is not in version 2025-01"):
        read_boundaries(data)


def test_ascii_fold_handles_vietnamese_letters() -> None:
    assert ascii_fold("Tổ dân phố Đồng Phú") == "To dan pho Dong Phu"
    assert ascii_fold("Xã Thượng Trạch") == "Xa Thuong Trach"
