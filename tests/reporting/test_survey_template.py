"""`villagecov template survey`: the pre-filled workbook of a commune's villages, read back as it
is by `villagecov ingest services` (both stores)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
from typer.testing import CliRunner

from tests.compute.test_catalogue_indicators import _fill
from villagecov.cli import app
from villagecov.storage import Store


def _template(store: Store, tmp_path: Path, commune: str = "c1") -> Path:
    path = tmp_path / f"survey_{commune}.xlsx"
    r = CliRunner().invoke(app, ["template", "survey", "--store", store.url, "--commune", commune, "--out", str(path),
                                 "--date", "2025-03-01"])
    assert r.exit_code == 0, r.output
    written = path.with_name(f"SYNTHETIC_{path.name}")  # the fixture's villages are SYNTHETIC: the name says so
    assert written.exists() and not path.exists()
    return written


def test_template_prefilled_with_validated_lists(store: Store, tmp_path: Path) -> None:
    _fill(store)
    wb = openpyxl.load_workbook(_template(store, tmp_path))
    ws = wb["khao_sat"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("ma_thon", "ten_thon", "ngay", "nguon", "internet_co_dinh", "truyen_thanh")
    by_id = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert sorted(by_id) == ["v0", "v1"]  # the villages of c1 only
    assert by_id["v0"]["ten_thon"] == "Thôn 0" and by_id["v0"]["ngay"] == "2025-03-01"
    assert by_id["v0"]["buu_chinh"] == "có" and by_id["v1"]["buu_chinh"] == "không"  # the store's answers
    assert by_id["v0"]["truyen_hinh"] is None  # never surveyed: blank, not "không"
    lists = ws.data_validations.dataValidation
    assert len(lists) == 1 and lists[0].formula1 == '"có,không"' and lists[0].type == "list"
    assert "E2:E3" in str(lists[0].sqref) and "J2:J3" in str(lists[0].sqref)
    bad = CliRunner().invoke(app, ["template", "survey", "--store", store.url, "--commune", "nowhere",
                                   "--out", str(tmp_path / "x.xlsx")])
    assert bad.exit_code != 0 and "no villages registered in commune 'nowhere'" in bad.output


def test_round_trip_through_ingest_services(store: Store, tmp_path: Path, settings) -> None:
    _fill(store)
    path = _template(store, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["khao_sat"]
    head = [c.value for c in ws[1]]
    ws.cell(3, head.index("internet_co_dinh") + 1, "có")  # v1 got fibre; the commune says so
    ws.cell(2, head.index("truyen_hinh") + 1, "có")
    wb.save(path)
    before = store.read("services")
    env = {"VILLAGECOV_ARCHIVE_DIR": str(settings.archive_dir)}
    r = CliRunner().invoke(app, ["ingest", "services", str(path), "--store", store.url], env=env)
    assert r.exit_code == 0, r.output
    after = store.read("services")
    new = after[after["as_of"] == "2025-03-01"].set_index(["village_id", "service"])["available"]
    assert bool(new[("v1", "fixed_broadband")]) is True and bool(new[("v0", "tv")]) is True
    assert bool(new[("v0", "post")]) is True and bool(new[("v1", "post")]) is False  # pre-filled answers kept
    assert ("v1", "tv") not in new.index  # blank stays unknown
    old = after[after["as_of"] != "2025-03-01"].reset_index(drop=True)
    assert old.astype(object).where(old.notna(), None).to_dict("records") == \
        before.astype(object).where(before.notna(), None).to_dict("records")


def test_bad_answer_is_quarantined_with_row_and_field(store: Store, tmp_path: Path, settings) -> None:
    _fill(store)
    path = _template(store, tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb["khao_sat"]
    head = [c.value for c in ws[1]]
    ws.cell(3, head.index("bao_chi") + 1, "có lẽ")  # written past the drop-down (e.g. pasted)
    wb.save(path)
    env = {"VILLAGECOV_ARCHIVE_DIR": str(settings.archive_dir)}
    r = CliRunner().invoke(app, ["ingest", "services", str(path), "--store", store.url], env=env)
    assert r.exit_code == 0, r.output
    quarantine = next(Path(settings.archive_dir).rglob("*quarantine*.csv"))
    q = pd.read_csv(quarantine)
    assert len(q) == 1 and q["field"].iloc[0] == "press" and int(q["row"].iloc[0]) == 3  # the sheet's row number
    assert "có lẽ" in q["reason"].iloc[0]
    stored = store.read("services")
    assert set(stored[stored["as_of"] == "2025-03-01"]["village_id"]) == {"v0"}  # v1's row was rejected whole
