"""Evidence quality: declared vs measured coverage, contradictions, quarantine reports."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.analysis import frames as F
from villagecov.analysis.evidence import (
    SUMMARY_COLUMNS,
    agreement,
    contradicted_villages,
    declared_vs_measured,
    generic_reason,
    quarantine_by_reason,
    submissions_overview,
)
from villagecov.analysis.loader import read_quarantine_reports
from villagecov.ingest import write_quarantine
from villagecov.sources.common import Rejects

NAN = float("nan")


def _vc() -> pd.DataFrame:
    rows = [
        # village, operator, technology, evidence, status, n, ok share, contradicted
        ("v1", "viettel", "4G", "declared", "covered", 10, 0.9, False),
        ("v2", "viettel", "4G", "declared", "covered", 6, 0.2, True),
        ("v3", "viettel", "4G", "declared", "partial", 0, NAN, False),  # partial counts as declared
        ("v4", "viettel", "4G", "declared", "none", 0, NAN, False),
        ("v1", "vinaphone", "4G", "declared", "covered", 2, 0.0, False),
        ("v1", "ANY", "4G", "declared", "covered", 12, 0.75, False),
        ("v1", "viettel", "4G", "measured", "covered", 10, 0.9, False),
        ("v2", "viettel", "4G", "measured", "none", 6, 0.2, False),
        ("v4", "viettel", "4G", "measured", "covered", 5, 1.0, False),
        ("v1", "vinaphone", "4G", "measured", "none", 2, 0.0, False),
        ("v1", "ANY", "4G", "measured", "covered", 12, 0.75, False),
        ("v5", "vinaphone", "3G", "measured", "partial", 3, 1 / 3, False),
    ]
    return pd.DataFrame([
        {"village_id": v, "operator": o, "technology": t, "evidence": e, "as_of": F.V2,
         "covered_area_share": 0.9 if s == "covered" else 0.0, "covered_pop_share": 0.95 if s == "covered" else 0.0,
         "best_signal_dbm": -90.0, "status": s, "n_measurements": n, "measured_ok_share": ok, "contradicted": c}
        for v, o, t, e, s, n, ok, c in rows
    ])


def test_declared_vs_measured_per_operator_and_technology() -> None:
    out = declared_vs_measured(_vc())
    assert list(out.columns) == SUMMARY_COLUMNS
    assert out[["operator", "technology"]].values.tolist() == [["viettel", "4G"], ["vinaphone", "3G"],
                                                               ["vinaphone", "4G"]]
    viettel = out.iloc[0]
    assert viettel[["villages_declared", "villages_tested", "villages_contradicted", "tests", "villages_measured",
                    "measured_covered_not_declared"]].tolist() == [3, 2, 1, 16, 3, 1]
    assert viettel["contradicted_share"] == pytest.approx(0.5)
    assert viettel["tests_ok_share"] == pytest.approx((10 * 0.9 + 6 * 0.2) / 16)
    vina3 = out.iloc[1]
    assert vina3[["villages_declared", "tests", "villages_measured"]].tolist() == [0, 0, 1]
    assert np.isnan(vina3["contradicted_share"]) and np.isnan(vina3["tests_ok_share"])
    vina4 = out.iloc[2]
    assert vina4[["villages_declared", "villages_tested", "villages_contradicted"]].tolist() == [1, 1, 0]
    assert vina4["contradicted_share"] == 0.0 and vina4["tests_ok_share"] == 0.0


def test_contradicted_villages_named_worst_first() -> None:
    vc = _vc()
    vc.loc[4, "contradicted"] = True  # vinaphone v1: 0 % of tests ok -> before viettel v2 (20 %)
    out = contradicted_villages(vc, F.villages().assign(boundary_version=["2019", None, "2019", "2019", "2019"]))
    assert out[["village_id", "name", "commune_code", "boundary_version", "operator", "n_measurements"]].values.tolist() == [
        ["v1", "Tổ dân phố 1", "1001", "2019", "vinaphone", 2],
        ["v2", "Thôn Tân Lý", "1002", "2019", "viettel", 6],  # no version in the register: 2019
    ]
    assert out["measured_ok_share"].tolist() == pytest.approx([0.0, 0.2])
    assert contradicted_villages(_vc())["village_id"].tolist() == ["v2"]


def test_agreement_cross_table_declared_against_measured() -> None:
    every = agreement(_vc(), "4G")
    assert every.index.tolist() == ["covered", "partial", "none"] == every.columns.tolist()
    assert every.values.tolist() == [[1, 0, 2], [0, 0, 0], [1, 0, 0]]
    viettel = agreement(_vc(), "4G", operator="viettel")
    assert viettel.values.tolist() == [[1, 0, 1], [0, 0, 0], [1, 0, 0]]
    assert agreement(_vc(), "5G").values.sum() == 0


def _quarantine(folder: Path, kind: str, rows: list[tuple[int, str, str, str]]) -> Path:
    rejects = Rejects()
    for row, field, value, reason in rows:
        rejects.add(row, field, value, reason)
    folder.mkdir(parents=True, exist_ok=True)
    return write_quarantine(rejects, folder, kind, json.dumps({"operator": "viettel"}), f"{kind}.csv")


def test_quarantine_reports_read_and_counted_by_reason(tmp_path: Path) -> None:
    q1 = _quarantine(tmp_path / "a", "measurements", [
        (3, "operator", "abc", "unknown operator 'abc'"),
        (7, "operator", "xyz", "unknown operator 'xyz'"),
        (9, "rsrp_dbm", "12", "rsrp_dbm 12 outside [-140, -40]"),
    ])
    q2 = _quarantine(tmp_path / "b", "sites", [(2, "lon", "181", "longitude outside the province")])
    subs = pd.DataFrame([
        {"sha256": "a" * 64, "kind": "measurements", "filename": "SYNTHETIC_drive.csv", "rows_accepted": 97,
         "rows_rejected": 3, "quarantine_path": str(q1), "received_at": datetime(2025, 1, 2, tzinfo=UTC)},
        {"sha256": "b" * 64, "kind": "sites", "filename": "SYNTHETIC_sites.csv", "rows_accepted": 9,
         "rows_rejected": 1, "quarantine_path": str(q2), "received_at": datetime(2025, 1, 3, tzinfo=UTC)},
        {"sha256": "c" * 64, "kind": "villages", "filename": "v.geojson", "rows_accepted": 10,
         "rows_rejected": 0, "quarantine_path": None, "received_at": datetime(2025, 1, 1, tzinfo=UTC)},
        {"sha256": "d" * 64, "kind": "services", "filename": "s.csv", "rows_accepted": 0, "rows_rejected": 2,
         "quarantine_path": str(tmp_path / "gone.csv"), "received_at": datetime(2025, 1, 4, tzinfo=UTC)},
    ])
    rejects, missing = read_quarantine_reports(subs)
    assert missing == [str(tmp_path / "gone.csv")]
    assert len(rejects) == 4 and set(rejects["filename"]) == {"SYNTHETIC_drive.csv", "SYNTHETIC_sites.csv"}
    by = quarantine_by_reason(rejects)
    assert by[["kind", "field", "reason", "rows", "example_row", "example_value"]].values.tolist() == [
        ["measurements", "operator", "unknown operator '…'", 2, 3, "abc"],
        ["measurements", "rsrp_dbm", "rsrp_dbm 12 outside [-140, -40]", 1, 9, "12"],
        ["sites", "lon", "longitude outside the province", 1, 2, "181"],
    ]
    over = submissions_overview(subs)
    assert over[["filename", "rows_rejected", "quarantine_report"]].values.tolist() == [
        ["SYNTHETIC_drive.csv", 3, True], ["s.csv", 2, True], ["SYNTHETIC_sites.csv", 1, True],
        ["v.geojson", 0, False],
    ]
    assert over["rejected_share"].tolist() == pytest.approx([0.03, 1.0, 0.1, 0.0])


def test_no_quarantine_reports_gives_empty_frames() -> None:
    subs = pd.DataFrame({"sha256": ["x"], "kind": ["villages"], "filename": ["v.csv"], "quarantine_path": [None]})
    rejects, missing = read_quarantine_reports(subs)
    assert rejects.empty and missing == []
    assert quarantine_by_reason(rejects).empty
    assert generic_reason(None) == "" and generic_reason("bad 'x' and 'y'") == "bad '…' and '…'"
