"""Reporting periods, frozen runs read back byte for byte, and "no data" through the CLI (both stores)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner
from updates_helpers import coverage_file, ingest, square, two_districts, villages_file

from villagecov.cli import app
from villagecov.compute_pipeline import compute_all, read_indicators
from villagecov.settings import Settings
from villagecov.storage import Store

VIETTEL_4G = {"operator": "viettel", "technology": "4G"}


def _start(store: Store, settings: Settings, files: Path) -> dict:
    places = two_districts(store)
    province = store.read("admin_units", where={"version": "2019", "level": "province"}).geometry.iloc[0]
    ingest(settings, store, "villages", villages_file(files / "villages.geojson", places), as_of="2024-01-01")
    ingest(settings, store, "coverage", coverage_file(files / "full.geojson", [province]), as_of="2024-01-01",
           **VIETTEL_4G)
    return places


def _cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_a_correction_inside_a_period_updates_that_period(loaded: Store, settings: Settings, files: Path) -> None:
    places = _start(loaded, settings, files)
    assert compute_all(settings).periods == ["2024"]
    share = read_indicators(settings, level="province", period="2024").set_index("indicator").loc["t8.villages_4g_share", "value"]
    assert share == 1.0
    # a late correction dated in Q3: commune b has no Viettel 4G after all
    ingest(settings, loaded, "coverage", coverage_file(files / "fix.geojson", [square(places["a"]["point"], 0.001)]),
           as_of="2024-09-30", extent=str(places["b"]["code"]), **VIETTEL_4G)
    summary = compute_all(settings)
    assert summary.periods == ["2024"] and summary.vintages == ["2024-09-30"]  # the same period, updated
    year = read_indicators(settings, level="province", period="2024").set_index("indicator")
    assert year.loc["t8.villages_4g_share", "value"] == 0.5 and year.loc["t8.villages_4g_share", "period"] == "2024"
    assert read_indicators(settings, as_of="2024-03-01")["as_of"].iloc[0] == "2024-09-30"  # the period it falls in
    failed = CliRunner().invoke(app, ["indicators", "--store", settings.store, "--period", "2024Q3"])
    assert failed.exit_code == 2 and "computed per year" in failed.output
    # quarters: two periods, the first as it stood before the correction
    assert compute_all(settings.model_copy(update={"reporting_period": "quarter"})).periods == ["2024Q1", "2024Q3"]
    q1 = read_indicators(settings, level="province", period="2024Q1").set_index("indicator")
    assert q1.loc["t8.villages_4g_share", "value"] == 1.0
    out = _cli("indicators", "--store", settings.store, "--period", "2024q3", "--format", "json")
    rows = {r["indicator"]: r for r in json.loads(out)}
    assert rows["t8.villages_4g_share"]["value"] == 0.5 and rows["t8.villages_4g_share"]["period"] == "2024Q3"
    bad = CliRunner().invoke(app, ["indicators", "--store", settings.store, "--period", "2024Q5"])
    assert bad.exit_code == 2 and "is not a period" in bad.output


def test_a_published_run_reads_back_byte_for_byte(loaded: Store, settings: Settings, files: Path,
                                                  tmp_path: Path) -> None:
    places = _start(loaded, settings, files)
    first = compute_all(settings)
    _cli("publish", first.run_id, "--store", settings.store, "--by", "thanh")
    kept = _cli("indicators", "--store", settings.store, "--run", first.run_id, "--format", "csv")
    out = tmp_path / "published.csv"
    _cli("export", "indicators", "--run", first.run_id, "--format", "csv", "--out", str(out), "--store", settings.store)
    frozen = out.read_bytes()
    assert pd.read_csv(io.BytesIO(frozen))["run_id"].unique().tolist() == [first.run_id]
    # the absent 2G file is no data, with its reason, not 0
    rows = {r["indicator"]: r for r in json.loads(_cli("indicators", "--store", settings.store, "--format", "json"))}
    assert rows["t8.population_2g_share"]["value"] is None
    assert rows["t8.population_2g_share"]["status"] == "no_data"
    assert rows["t8.population_2g_share"]["reason"] == "no 2G coverage submitted at or before 2024-01-01"
    assert "no data" in _cli("indicators", "--store", settings.store)

    # later inputs make a new run and never change the published one
    late = ingest(settings, loaded, "coverage", coverage_file(files / "late.geojson", [square(places["a"]["point"])]),
                  as_of="2024-09-30", extent=str(places["b"]["code"]), **VIETTEL_4G)
    second = compute_all(settings)
    assert second.run_id != first.run_id
    assert _cli("indicators", "--store", settings.store, "--run", first.run_id, "--format", "csv") == kept
    _cli("export", "indicators", "--run", first.run_id, "--format", "csv", "--out", str(out), "--store", settings.store)
    assert out.read_bytes() == frozen
    listed = json.loads(_cli("runs", "--store", settings.store, "--format", "json"))
    status = {r["run_id"]: (r["status"], r["current"]) for r in listed}
    assert status == {first.run_id: ("published", False), second.run_id: ("draft", True)}
    # the run records every input: submissions with their sha256, the settings and thresholds
    record = json.loads(_cli("export", "inputs", "--run", second.run_id, "--format", "json",
                             "--store", settings.store))
    assert late.sha256 in {s["sha256"] for s in record["submissions"]}
    assert record["settings"]["threshold_dbm_4g"] == settings.threshold_dbm_4g
    assert set(record["tables"]) >= {"villages", "coverage", "extents"}

    # withdrawing the late file gives back exactly the published run's inputs: the same run, reproduced
    _cli("withdraw", late.submission_id, "--reason", "sent by mistake", "--store", settings.store)
    again = compute_all(settings)
    assert again.run_id == first.run_id and again.published
    served = loaded.read("indicators")
    assert served["run_id"].unique().tolist() == [first.run_id]
    refused = CliRunner().invoke(app, ["publish", first.run_id, "--store", settings.store])
    assert refused.exit_code == 2 and "already published" in refused.output
