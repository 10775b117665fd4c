"""Never lose data, never corrupt the store: kill -9 mid-ingest, duplicate submissions, the
quarantine report of a partly bad file, Excel-saved CSVs, and the CLI's exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from ingest_files import (
    encode_cp1258,
    place,
    services_csv,
    villages_frame,
    villages_points_csv,
    write_vector,
)
from typer.testing import CliRunner

from villagecov.cli import app
from villagecov.errors import DuplicateSubmission, InputError
from villagecov.ingest import ingest_file
from villagecov.settings import Settings
from villagecov.sources.common import IngestOptions
from villagecov.storage import Store

AS_OF = "2024-06-30"

KILLER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import villagecov.storage.geopackage as gpkg
    import villagecov.storage.postgis as pg
    from villagecov.ingest import ingest_file
    from villagecov.settings import Settings
    from villagecov.sources.common import IngestOptions
    from villagecov.storage import open_store

    for cls in (gpkg.GeoPackageTransaction, pg.PostGISTransaction):
        def append(self, name, frame, _orig=cls.append):
            n = _orig(self, name, frame)  # rows really written inside the open transaction
            print("APPENDED", name, n, flush=True)
            time.sleep(120)
            return n
        cls.append = append

    url, archive, path = sys.argv[1:4]
    with open_store(url) as store:
        ingest_file(Settings(store=url, archive_dir=archive), store, "villages", Path(path),
                    IngestOptions(as_of="2024-06-30"))
""")


def test_kill_9_mid_ingest_leaves_the_store_as_it_was(loaded: Store, settings: Settings, files: Path,
                                                       tmp_path: Path, template) -> None:  # type: ignore[no-untyped-def]
    path = write_vector(villages_frame(4), files / "thon.geojson")
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), loaded.url, str(settings.archive_dir), str(path)],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("APPENDED villages 4"), line
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert loaded.digest() == template.digest
    assert loaded.count("villages") == 0
    # The archive already holds the file; ingesting it again now works and is complete.
    report = ingest_file(settings, loaded, "villages", path, IngestOptions(as_of=AS_OF))
    assert report.accepted == {"villages": 4} and loaded.count("submissions", {"kind": "villages"}) == 1


def test_duplicate_submission_changes_nothing(loaded: Store, settings: Settings, files: Path) -> None:
    path = write_vector(villages_frame(2), files / "thon.geojson")
    ingest_file(settings, loaded, "villages", path, IngestOptions(as_of=AS_OF))
    before = loaded.digest()
    with pytest.raises(DuplicateSubmission, match="already ingested as villages"):
        ingest_file(settings, loaded, "villages", path, IngestOptions(as_of=AS_OF))
    assert DuplicateSubmission.exit_code == 0
    assert loaded.digest() == before
    # Same bytes under another name are the same submission too.
    copy = files / "thon_copy.geojson"
    copy.write_bytes(path.read_bytes())
    with pytest.raises(DuplicateSubmission):
        ingest_file(settings, loaded, "villages", copy, IngestOptions(as_of=AS_OF))
    # Other options make a new submission (a new vintage).
    ingest_file(settings, loaded, "villages", path, IngestOptions(as_of="2025-01-01"))
    assert loaded.vintages("villages") == [AS_OF, "2025-01-01"]


def test_partly_bad_file_quarantines_rows(loaded: Store, settings: Settings, files: Path) -> None:
    code, lon, lat = place(25)
    rows = [
        f"V1,Thôn Một,{code},{lon},{lat},100",
        f"V1,Thôn Một bis,{code},{lon + 0.001},{lat},100",
        f"V2,Thôn Hai,99999,{lon + 0.002},{lat},100",
        f"V3,Thôn Ba,{code},{lon + 0.003},{lat},-5",
        f"V4,Thôn Bốn,{code},105.2,17.6,100",
        f"V5,,{code},{lon + 0.004},{lat},100",
        f"V6,Thôn Sáu,{code},abc,{lat},100",
    ]
    path = files / "thon.csv"
    path.write_text("village_id,name,commune_code,lon,lat,population\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = ingest_file(settings, loaded, "villages", path, IngestOptions(as_of=AS_OF))
    assert report.accepted == {"villages": 1} and report.rejected == 6
    table = pd.read_csv(report.quarantine_path, dtype=str)
    got = sorted(zip(table["row"].astype(int), table["field"], table["reason"], strict=True))
    assert table.loc[table["row"] == "7", "value"].tolist() == ["abc"]
    assert got == [
        (2, "village_id", "duplicate village_id 'V1' (first at row 1)"),
        (3, "commune_code", "unknown commune code '99999' (boundaries 2019)"),
        (4, "population", "population '-5' is not a whole number ≥ 0"),
        (5, "geometry", "outside Quảng Bình"),
        (6, "name", "name is empty"),
        (7, "lon", "lon 'abc' is not a number"),
    ]
    data = json.loads(report.quarantine_path.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["rejected"] == 6 and data["file"] == "thon.csv"
    assert report.quarantine_path.parent == report.archive_path.parent
    sub = loaded.read("submissions", where={"kind": "villages"}).iloc[0]
    assert (sub["rows_accepted"], sub["rows_rejected"], sub["quarantine_path"]) == (1, 6, str(report.quarantine_path))
    assert report.rejected_by_reason["outside Quảng Bình"] == 1


def test_services_bad_answers_and_duplicates(loaded: Store, settings: Settings, files: Path) -> None:
    ingest_file(settings, loaded, "villages", write_vector(villages_frame(2), files / "v.geojson"),
                IngestOptions(as_of=AS_OF))
    path = files / "ks.csv"
    path.write_text("ma_thon;ngay;truyen_hinh;bao_chi\nV1;30/06/2024;có;không\nV2;30/06/2024;có lẽ;1\n"
                    "V1;2024-06-30;1;1\n", encoding="utf-8")
    report = ingest_file(settings, loaded, "services", path, IngestOptions())
    assert report.accepted == {"services": 2} and report.rejected == 2
    reasons = set(pd.read_csv(report.quarantine_path)["reason"])
    assert reasons == {"tv 'có lẽ' is not yes/no (1/0, có/không)",
                       "duplicate survey of village 'V1' for 2024-06-30 (first at row 1)"}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1258"])
def test_excel_csvs_are_accepted(loaded: Store, settings: Settings, files: Path, encoding: str) -> None:
    path = villages_points_csv(files / "thon_excel.csv", sep=";", encoding=encoding, decimal_comma=True,
                               register_names=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    report = ingest_file(settings, loaded, "villages", path, IngestOptions(as_of=AS_OF))
    assert report.accepted == {"villages": 3} and report.rejected == 0
    v = loaded.read("villages")
    assert sorted(v["name"]) == ["Bản Khe Ngát 1", "Bản Khe Ngát 2", "Bản Khe Ngát 3"]
    assert sorted(v["population"]) == [120, 121, 122]
    code, lon, lat = place(20)
    assert v[v["village_id"] == "P1"].geometry.iloc[0].contains(__import__("shapely").Point(lon, lat))


def test_cp1258_bytes_are_really_windows_1258() -> None:
    data = encode_cp1258("Bản Khe Ngát")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


def test_large_drive_tests_are_written_in_chunks_in_one_transaction(
        loaded: Store, settings: Settings, files: Path, monkeypatch: pytest.MonkeyPatch, template) -> None:  # type: ignore[no-untyped-def]
    import villagecov.sources.measurements as measurements

    monkeypatch.setattr(measurements, "CHUNK_ROWS", 2)
    _, lon, lat = place(70)
    rows = [f"2024-03-01T08:0{k}:00,{lon},{lat},4,LTE,{-90 - k}" for k in range(5)]
    rows[3] = rows[3].replace("LTE", "6G")
    path = files / "drive.csv"
    path.write_text("time,lon,lat,mnc,technology,rsrp_dbm\n" + "\n".join(rows) + "\n", encoding="utf-8")
    report = ingest_file(settings, loaded, "measurements", path, IngestOptions())
    assert report.accepted == {"measurements": 4} and report.rejected == 1
    assert pd.read_csv(report.quarantine_path)["row"].tolist() == [4]
    m = loaded.read("measurements")
    assert sorted(m["measurement_id"].str.split("-").str[-1].astype(int)) == [1, 2, 3, 5]
    # A whole-file problem in a later chunk undoes the chunks already written.
    before = loaded.digest()
    bad = files / "drive_bad.csv"
    bad.write_text(path.read_text(encoding="utf-8") + 'x,"unterminated\n', encoding="utf-8")
    with pytest.raises(InputError, match="malformed CSV"):
        ingest_file(settings, loaded, "measurements", bad, IngestOptions())
    assert loaded.digest() == before


# -- CLI ----------------------------------------------------------------------------------------------


def test_cli_ingest_summary_duplicate_and_bad_input(loaded: Store, settings: Settings, files: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VILLAGECOV_ARCHIVE_DIR", str(settings.archive_dir))
    ingest_file(settings, loaded, "villages", write_vector(villages_frame(2), files / "v.geojson"),
                IngestOptions(as_of=AS_OF))
    survey = services_csv(files / "SYNTHETIC_khao_sat.csv", ["V1", "V2", "V9"])
    runner = CliRunner()
    args = ["ingest", "services", str(survey), "--store", loaded.url]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "ingested SYNTHETIC_khao_sat.csv as services: 10 services rows accepted, 1 rejected" in result.output
    assert "unknown village_id '…' (not in the store: ingest villages first)" in result.output
    assert "quarantine:" in result.output and "archive:" in result.output
    assert loaded.read("services")["synthetic"].all()
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "unchanged:" in again.output and "nothing changed" in again.output
    empty = files / "empty.csv"
    empty.write_bytes(b"")
    bad = runner.invoke(app, ["ingest", "sites", str(empty), "--store", loaded.url])
    assert bad.exit_code == 2
    assert bad.output.strip() == "error: empty.csv: empty file"
    assert "Traceback" not in bad.output
