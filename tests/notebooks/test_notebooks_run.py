"""Every notebook executed top to bottom on the SYNTHETIC demo store; its exported tables are
non-empty and agree with `villagecov indicators` (run as a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from maps.assets import external_urls
from tests.notebooks.conftest import NOTEBOOKS, Executed
from tests.notebooks.run import execute
from villagecov.analysis import REPORT_COLUMNS
from villagecov.settings import Settings
from villagecov.storage import open_store

S4G = "t8.villages_4g_share"


def cli_indicators(settings: Settings, *args: str) -> pd.DataFrame:
    proc = subprocess.run(
        [sys.executable, "-m", "villagecov.cli", "indicators", "--format", "json", "--store", settings.store, *args],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return pd.DataFrame(json.loads(proc.stdout))


def read_csv(out: Path, stem: str) -> pd.DataFrame:
    path = out / f"SYNTHETIC_{stem}.csv"
    assert path.is_file(), sorted(p.name for p in out.iterdir())
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"unit_code": str, "village_id": str, "commune_code": str,
                                                            "Mã đơn vị (Unit code)": str})
    assert len(frame) > 0, stem
    return frame


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_without_errors_and_shows_its_results(executed: Executed, name: str) -> None:
    nb = executed.notebooks[name]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert html and any("SYNTHETIC" in str(o.get("data", {}).get("text/markdown", "")) for o in outputs)
    assert any("image/png" in o.get("data", {}) for o in outputs), "a matplotlib chart"


def test_every_export_is_labelled_synthetic(executed: Executed) -> None:
    files = sorted(p.name for p in executed.out_dir.iterdir())
    assert len(files) >= 14
    assert all(f.startswith("SYNTHETIC_") for f in files), files


def test_progress_tables_equal_the_cli_indicators(executed: Executed) -> None:
    s, out = executed.settings, executed.out_dir
    province = cli_indicators(s)
    as_of = province["as_of"].iloc[0]
    wide = read_csv(out, "progress_province_2019").set_index("indicator")
    cli = province.set_index("indicator")
    assert set(wide.index) == set(cli.index)
    for ind, value in cli["value"].items():
        got = wide.loc[ind, as_of]
        assert (pd.isna(got) and pd.isna(value)) or got == pytest.approx(value, rel=1e-9, abs=1e-9), ind  # JSON: 10 decimals
    districts = cli_indicators(s, "--level", "district", "--indicator", S4G).set_index("unit_code")["value"]
    dw = read_csv(out, "progress_districts_2019")
    dw = dw[dw["indicator"] == S4G].set_index("unit_code")[as_of]
    assert len(districts) == 8 and dw.sort_index().tolist() == pytest.approx(districts.sort_index().tolist())
    merged = cli_indicators(s, "--level", "commune", "--boundaries", "2025-07", "--indicator", S4G)
    nw = read_csv(out, "progress_communes_2025-07")
    nw = nw[nw["indicator"] == S4G].set_index("unit_code")
    assert nw[as_of].sort_index().tolist() == pytest.approx(merged.set_index("unit_code")["value"].sort_index().tolist())
    assert nw["from_names"].notna().all()  # each 2025-07 commune lists the 2019 communes it was formed from


def test_annual_report_csv_and_xlsx_match_the_cli(executed: Executed) -> None:
    province = cli_indicators(executed.settings).set_index("indicator")
    as_of = province["as_of"].iloc[0]
    report = read_csv(executed.out_dir, f"annual_report_{as_of}")
    assert list(report.columns) == list(REPORT_COLUMNS.values())
    col = REPORT_COLUMNS
    row = report[(report[col["unit_code"]] == "44") & (report[col["indicator"]] == S4G)].iloc[0]
    assert row[col["value"]] == round(100 * province.loc[S4G, "value"], 1)
    assert row[col["target"]] == round(100 * province.loc[S4G, "target"], 1)
    assert row[col["as_of"]] == as_of
    assert set(report[col["level"]]) == {"Tỉnh", "Huyện"}
    wb = openpyxl.load_workbook(executed.out_dir / f"SYNTHETIC_annual_report_{as_of}.xlsx", read_only=True)
    rows = list(wb["data"].iter_rows(values_only=True))
    assert rows[0] == tuple(REPORT_COLUMNS.values()) and len(rows) == len(report) + 1
    notes = [r[0] for r in wb["notes"].iter_rows(values_only=True)]
    assert any(str(n).startswith("SYNTHETIC") for n in notes)


def test_gap_exports_add_up_to_the_indicators(executed: Executed) -> None:
    s, out = executed.settings, executed.out_dir
    province = cli_indicators(s).set_index("indicator")
    as_of = province["as_of"].iloc[0]
    no_4g = int(province.loc[S4G, "denominator"] - province.loc[S4G, "numerator"])
    villages = read_csv(out, f"gap_villages_{as_of}")
    assert len(villages) == no_4g > 0
    assert (villages["gap"] == "no_signal").sum() == province.loc["t8.villages_no_signal", "value"]
    assert villages["rank"].tolist() == list(range(1, len(villages) + 1))
    assert villages["priority"].is_monotonic_decreasing
    districts = read_csv(out, f"gap_districts_2019_{as_of}")
    assert districts["villages_no_4g"].sum() == no_4g
    assert districts["villages"].sum() == province.loc[S4G, "denominator"]
    assert read_csv(out, f"gap_communes_2025-07_{as_of}")["villages_no_4g"].sum() == no_4g
    short = read_csv(out, f"gap_shortlist_{as_of}")
    assert short["village_id"].tolist() == villages["village_id"].head(20).tolist()
    assert short["commune_name"].notna().all() and short[["lon", "lat"]].notna().all().all()
    page = (out / "SYNTHETIC_gaps_map.html").read_text(encoding="utf-8")
    assert not external_urls(page) and "SYNTHETIC" in page
    assert json.dumps(short["name"].iloc[0])[1:-1] in page  # the first village, as JSON in the page


def test_evidence_exports(executed: Executed) -> None:
    out = executed.out_dir
    as_of = cli_indicators(executed.settings)["as_of"].iloc[0]
    per_operator = read_csv(out, f"evidence_declared_vs_measured_{as_of}")
    assert (per_operator["tests"] > 0).any()
    contradicted = read_csv(out, f"evidence_contradicted_villages_{as_of}")
    assert contradicted["n_measurements"].min() >= executed.settings.contradiction_min_tests
    assert contradicted["commune_name"].notna().all()
    assert per_operator["villages_contradicted"].sum() == len(contradicted)
    quarantine = read_csv(out, "quarantine_by_reason")
    with open_store(executed.settings.store) as store:
        submissions = store.read("submissions")
    assert quarantine["rows"].sum() == submissions["rows_rejected"].sum() >= 3
    assert "unknown operator '…'" in set(quarantine["reason"])  # from the crowd upload of the demo store


def test_parameters_rerun_for_another_vintage_and_boundary_version(executed: Executed, tmp_path: Path) -> None:
    """01 on the 2025-07 boundaries (no districts: the report lists communes) at an earlier date."""
    execute("01_progress.ipynb", {"STORE_URL": executed.settings.store, "OUT_DIR": str(tmp_path),
                                  "AS_OF": "2020-06-30", "BOUNDARY_VERSION": "2025-07", "LANG": "en"})
    report = pd.read_csv(tmp_path / "SYNTHETIC_annual_report_2019-12-31.csv", encoding="utf-8-sig")
    assert set(report[REPORT_COLUMNS["level"]]) == {"Province", "Commune"}
    cli = cli_indicators(executed.settings, "--boundaries", "2025-07", "--as-of", "2020-06-30").set_index("indicator")
    row = report[(report[REPORT_COLUMNS["level"]] == "Province") & (report[REPORT_COLUMNS["indicator"]] == S4G)]
    assert row[REPORT_COLUMNS["value"]].item() == round(100 * cli.loc[S4G, "value"], 1)


@pytest.mark.postgis
def test_the_notebooks_give_the_same_exports_on_postgis(executed: Executed, tmp_path: Path) -> None:
    """The same demo built into a PostGIS store: every notebook runs, and every exported table
    equals the one exported from the GeoPackage store (same files; same rows in the same order, same
    columns, same values as written)."""
    from tests.conftest import drop_postgis_database, fresh_postgis_database
    from tests.notebooks.demo_store import build_demo_store

    url = fresh_postgis_database()
    try:
        settings = build_demo_store(tmp_path / "pg", store=url)
        out = tmp_path / "out"
        out.mkdir()
        for name in NOTEBOOKS:
            nb = execute(name, {"STORE_URL": settings.store, "OUT_DIR": str(out)})
            assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    finally:
        drop_postgis_database(url)
    gpkg_files = sorted(p.name for p in executed.out_dir.iterdir())
    assert sorted(p.name for p in out.iterdir()) == gpkg_files
    compared = 0
    for name in gpkg_files:
        if not name.endswith(".csv"):
            continue
        a = pd.read_csv(executed.out_dir / name, encoding="utf-8-sig", dtype=str)
        b = pd.read_csv(out / name, encoding="utf-8-sig", dtype=str)
        assert list(a.columns) == list(b.columns), name
        pd.testing.assert_frame_equal(a, b, obj=name)  # as text: same values in the same order
        compared += 1
    assert compared >= 8
