"""Upheld challenges are evidence: compute counts an upheld "no signal here" as a contradiction of
the operator's declared coverage in that village, as enough failing measurements would (both stores)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from updates_helpers import coverage_file, ingest, two_districts, villages_file

from villagecov import challenges
from villagecov.compute.evidence import apply_upheld
from villagecov.compute_pipeline import compute_all
from villagecov.settings import Settings
from villagecov.storage import Store


def _latest(store: Store, table: str) -> pd.DataFrame:
    rows = store.read(table)
    return rows[rows["as_of"] == rows["as_of"].max()].set_index("village_id")


def test_an_upheld_challenge_contradicts_the_declared_map(loaded: Store, settings: Settings, files: Path) -> None:
    places = two_districts(loaded)
    province = loaded.read("admin_units", where={"version": "2019", "level": "province"}).geometry.iloc[0]
    ingest(settings, loaded, "villages", villages_file(files / "villages.geojson", places), as_of="2024-01-01")
    ingest(settings, loaded, "coverage", coverage_file(files / "full.geojson", [province]), as_of="2024-01-01",
           operator="viettel", technology="4G")
    first = compute_all(settings)
    assert set(_latest(loaded, "village_summary")["status_4g"]) == {"covered"}

    rejected = challenges.submit(loaded, challenges.ChallengeIn("V-b", "no_signal", "viettel", "4G"))
    challenges.resolve(loaded, rejected["challenge_id"], "rejected", "đo kiểm có sóng")
    assert compute_all(settings).run_id == first.run_id  # a rejected challenge is no input
    opened = challenges.submit(loaded, challenges.ChallengeIn("V-a", "no_signal", "viettel", "4G", "Bản mất sóng"))
    assert compute_all(settings).run_id == first.run_id  # nor is an open one

    challenges.resolve(loaded, opened["challenge_id"], "upheld", "đo kiểm xác nhận")
    second = compute_all(settings)
    assert second.run_id != first.run_id
    vc = loaded.read("village_coverage", where={"operator": "viettel", "technology": "4G", "evidence": "declared"})
    flags = dict(zip(vc["village_id"], vc["contradicted"].astype(bool), strict=True))
    assert flags == {"V-a": True, "V-b": False}
    summary = _latest(loaded, "village_summary")
    assert summary.loc["V-a", "status_4g"] == "none" and summary.loc["V-b", "status_4g"] == "covered"
    assert summary.loc["V-a", "pop_share_4g"] == 0.0
    run = loaded.read("runs", where={"run_id": second.run_id}).iloc[0]
    assert opened["challenge_id"] in run["inputs"]  # the run records which challenges it counted


def test_the_rule_on_rows() -> None:
    rows = pd.DataFrame({
        "village_id": ["V1", "V1", "V1", "V1", "V2"],
        "operator": ["viettel", "viettel", "mobifone", "ANY", "viettel"],
        "technology": ["4G", "3G", "4G", "4G", "4G"],
        "evidence": ["declared", "declared", "modelled", "declared", "declared"],
        "contradicted": [False, False, False, False, False],
    })
    up = pd.DataFrame({"challenge_id": ["C1"], "village_id": ["V1"], "operator": [None], "technology": ["4G"],
                       "problem": ["weak_signal"], "created_at": [pd.Timestamp("2025-03-01", tz="UTC")]})
    dates = ["2024-12-31", "2025-12-31"]
    # seen on the 2024 map: it speaks from the 2024 vintage on; every operator's 4G, never ANY or 3G
    assert apply_upheld(rows, up, "2024-12-31", dates)["contradicted"].tolist() == [True, False, True, False, False]
    assert apply_upheld(rows, up, "2023-12-31", ["2023-12-31", *dates])["contradicted"].tolist() == [False] * 5
    other = up.assign(problem="has_signal")
    assert apply_upheld(rows, other, "2025-12-31", dates)["contradicted"].tolist() == [False] * 5
