"""A measurement dataset (many CSVs, or Parquet) on Dask: the same accepted rows, rejects and
per village × operator × technology × period aggregate as the single-process run and as
single-file ingests, on both stores; and the CLI against a scheduler address."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.compute.synth import villages_from_communes
from villagecov.cli import app
from villagecov.ingest import ingest_file
from villagecov.scale.measurements import load_dataset
from villagecov.settings import Settings
from villagecov.sources.common import IngestOptions
from villagecov.storage import Store

COLUMNS = ["time", "lon", "lat", "mnc", "technology", "rsrp_dbm", "dl_mbps"]


def write_dataset(folder: Path, files: int = 4, rows: int = 150, seed: int = 3) -> Path:
    """SYNTHETIC drive tests over Quảng Bình in ``files`` CSVs; about 1 row in 15 is bad (an
    unknown operator, a signal out of range, a point outside the province, a bad time)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for f in range(files):
        frame = pd.DataFrame({
            "time": [f"2024-0{1 + (i % 9)}-1{i % 10}T08:00:00+07:00" for i in range(rows)],
            "lon": rng.uniform(106.2, 106.9, rows).round(5), "lat": rng.uniform(17.2, 17.8, rows).round(5),
            "mnc": rng.choice(["4", "1", "2"], rows), "technology": rng.choice(["4G", "3G"], rows),
            "rsrp_dbm": rng.uniform(-125, -65, rows).round(1), "dl_mbps": rng.uniform(0.5, 80, rows).round(2),
        })
        bad = np.arange(rows) % 15 == 7
        kinds = np.arange(rows)[bad] % 4
        idx = frame.index[bad]
        frame.loc[idx[kinds == 0], "mnc"] = "99"
        frame.loc[idx[kinds == 1], "rsrp_dbm"] = 12.0
        frame.loc[idx[kinds == 2], "lon"] = 100.0
        frame.loc[idx[kinds == 3], "time"] = "yesterday"
        frame[COLUMNS].to_csv(folder / f"SYNTHETIC_drive_{f:02d}.csv", index=False)
    return folder


def _with_villages(store: Store) -> None:
    au = store.read("admin_units", where={"level": "commune", "version": "2019"})
    with store.transaction() as tx:
        tx.append("villages", villages_from_communes(au, "2024-01-01", per_side=2))


def _rows(store: Store, sid: str | None = None) -> pd.DataFrame:
    m = store.read("measurements")
    if sid:
        m = m[m["submission_id"] == sid]
    cols = ["measurement_id", "time", "operator", "technology", "rsrp_dbm", "dl_mbps", "as_of"]
    out = pd.DataFrame(m[cols]).assign(wkt=m.geometry.to_wkt(rounding_precision=6))
    return out.sort_values("measurement_id").reset_index(drop=True)


def _forget(store: Store, sid: str) -> None:
    with store.transaction() as tx:
        tx.delete("measurements", {"submission_id": sid})
        tx.delete("submissions", {"submission_id": sid})


def assert_same_aggregate(a: pd.DataFrame, b: pd.DataFrame) -> None:
    keys = ["village_id", "operator", "technology", "period", "measurements"]
    pd.testing.assert_frame_equal(a[keys].reset_index(drop=True), b[keys].reset_index(drop=True))
    for col in ("mean_rsrp_dbm", "best_rsrp_dbm", "ok_share", "mean_dl_mbps"):
        np.testing.assert_allclose(a[col], b[col], rtol=0, atol=1e-9, equal_nan=True)


def test_dataset_on_dask_equals_single_process_and_single_files(loaded: Store, settings: Settings, tmp_path: Path,
                                                                 client) -> None:
    _with_villages(loaded)
    folder = write_dataset(tmp_path / "dataset")
    options = IngestOptions()
    one = load_dataset(settings, loaded, [folder], options)  # no client: the same tasks in this process
    rows_one = _rows(loaded, one.submission_id)
    assert one.files == 4 and one.accepted == len(rows_one) > 300 and one.rejected > 30
    assert one.quarantine_path is not None and one.quarantine_path.exists()
    assert set(pd.read_csv(one.quarantine_path)["layer"]) <= {f.name for f in folder.iterdir()}
    assert len(one.aggregate) > 20 and one.aggregate["measurements"].sum() <= one.accepted
    _forget(loaded, one.submission_id)

    dist = load_dataset(settings, loaded, [folder], options, client=client)
    assert (dist.submission_id, dist.accepted, dist.rejected, dist.rejected_by_reason) == \
        (one.submission_id, one.accepted, one.rejected, one.rejected_by_reason)
    pd.testing.assert_frame_equal(rows_one, _rows(loaded, dist.submission_id))
    assert_same_aggregate(one.aggregate, dist.aggregate)
    sub = loaded.read("submissions", where={"submission_id": dist.submission_id})
    assert sub["rows_accepted"].tolist() == [dist.accepted] and sub["rows_rejected"].tolist() == [dist.rejected]
    _forget(loaded, dist.submission_id)

    # the ingest's own rules: single-file ingests accept and reject the same rows, with the same ids
    rejected = 0
    for f in sorted(folder.iterdir()):
        rejected += ingest_file(settings, loaded, "measurements", f, options).rejected
    assert rejected == dist.rejected
    single = _rows(loaded)
    pd.testing.assert_frame_equal(single, rows_one)


def test_parquet_dataset_and_cli_against_a_scheduler_address(loaded: Store, settings: Settings, tmp_path: Path,
                                                             cluster) -> None:
    _with_villages(loaded)
    folder = write_dataset(tmp_path / "csv", files=2, rows=90)
    pq = tmp_path / "parquet"
    pq.mkdir()
    for f in sorted(folder.iterdir()):  # typed columns, as a Parquet export has them
        frame = pd.read_csv(f)
        frame.to_parquet(pq / f.name.replace(".csv", ".parquet"), index=False)
    csv_report = load_dataset(settings, loaded, [folder], IngestOptions())
    env = {"VILLAGECOV_STORE": loaded.url, "VILLAGECOV_ARCHIVE_DIR": str(settings.archive_dir)}
    out = tmp_path / "agg.csv"
    res = CliRunner().invoke(app, ["measurements", "load", str(pq), "--scheduler", cluster.scheduler_address,
                                   "--aggregate", str(out)], env=env)
    assert res.exit_code == 0, res.output
    assert f"{csv_report.accepted} rows accepted, {csv_report.rejected} rejected" in res.output
    agg = pd.read_csv(out, dtype={"period": str})
    assert_same_aggregate(csv_report.aggregate.astype({"period": str}), agg)
    again = CliRunner().invoke(app, ["measurements", "load", str(pq), "--scheduler", cluster.scheduler_address],
                               env=env)
    assert again.exit_code == 0 and "unchanged" in again.output


def test_a_bad_file_leaves_the_store_unchanged(loaded: Store, settings: Settings, tmp_path: Path, client) -> None:
    folder = write_dataset(tmp_path / "dataset", files=3, rows=30)
    (folder / "SYNTHETIC_drive_01.csv").write_text("lon,lat\n106.5,17.5\n", encoding="utf-8")  # no time column
    before = loaded.digest()
    with pytest.raises(Exception, match="time"):
        load_dataset(settings, loaded, [folder], IngestOptions(), client=client)
    assert loaded.digest() == before
