"""The loader on both store backends: vintage choice, per-vintage tables, errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from tests.analysis import frames as F
from villagecov.analysis.loader import load, vintage_at
from villagecov.errors import NotFound
from villagecov.storage import Store


def _fill(store: Store) -> None:
    summary_v2 = F.village_summary()
    summary_v1 = summary_v2.assign(as_of=F.V1)
    villages = F.villages().assign(as_of=F.V1, boundary_version="2019", population=100, source="SYNTHETIC test")
    renamed = villages.assign(as_of=F.V2, name=villages["name"] + " (mới)")
    vc = pd.DataFrame([
        {"village_id": "v1", "operator": "ANY", "technology": "4G", "evidence": "declared", "as_of": d,
         "covered_pop_share": 1.0, "status": "covered"}
        for d in (F.V1, F.V2)
    ])
    with store.transaction() as tx:
        tx.append("admin_units", F.admin_units().assign(source="test", as_of="2019-12-31"))
        tx.append("crosswalk", F.crosswalk())
        tx.append("indicators", F.indicator_rows())
        tx.append("villages", pd.concat([villages, renamed], ignore_index=True))
        tx.append("village_summary", pd.concat([summary_v1, summary_v2], ignore_index=True))
        tx.append("village_coverage", vc)
        tx.append("submissions", pd.DataFrame([{
            "sha256": "a" * 64, "kind": "villages", "filename": "SYNTHETIC_villages.geojson", "options": "{}",
            "received_at": datetime(2025, 1, 1, tzinfo=UTC), "rows_accepted": 5, "rows_rejected": 0,
            "status": "ingested"}]))


def test_load_latest_and_earlier_vintage(store: Store) -> None:
    _fill(store)
    latest = load(store.url)
    assert latest.as_of == F.V2 and latest.vintages == [F.V1, F.V2]
    assert set(latest.village_summary["as_of"]) == {F.V2} and len(latest.village_summary) == 5
    assert set(latest.village_coverage["as_of"]) == {F.V2}
    assert latest.villages["name"].str.endswith("(mới)").all() and len(latest.villages) == 5
    assert latest.synthetic
    assert len(latest.indicators) == len(F.indicator_rows())
    assert latest.units("commune")["code"].tolist() == ["1001", "1002", "1003"]
    assert latest.units("commune", "2025-07")["code"].tolist() == ["99001", "99002"]
    earlier = load(store.url, as_of="2023-06-30", boundary_version="2025-07")
    assert earlier.as_of == F.V1 and earlier.boundary_version == "2025-07"
    assert set(earlier.village_summary["as_of"]) == {F.V1}
    assert not earlier.villages["name"].str.endswith("(mới)").any()
    assert earlier.submissions["filename"].tolist() == ["SYNTHETIC_villages.geojson"]


def test_load_errors_name_the_cause(store: Store) -> None:
    with pytest.raises(NotFound, match="villagecov compute"):
        load(store.url)
    _fill(store)
    with pytest.raises(NotFound, match=f"2010-01-01.*periods are {F.V1}, {F.V2}"):
        load(store.url, as_of="2010-01-01")
    with pytest.raises(NotFound, match="2030.*boundary versions are 2019, 2025-07"):
        load(store.url, boundary_version="2030")
    with pytest.raises(NotFound, match=f"no period in 2021; the store's periods are {F.V1}, {F.V2}"):
        load(store.url, as_of="2021")


def test_load_parses_as_of_as_a_date_and_keeps_nothing_after_it(store: Store) -> None:
    _fill(store)
    assert load(store.url, as_of="2024").as_of == F.V2  # a year: the store's period in that year
    first = load(store.url, as_of="31/12/2019")  # DD/MM/YYYY, not text-compared
    assert first.as_of == F.V1 and first.vintages == [F.V1] and first.previous is None
    assert set(first.indicators["as_of"]) == {F.V1}  # nothing after AS_OF is plotted or exported
    assert first.choice is not None and first.choice.how == "exact"
    latest = load(store.url, as_of="2024-12-31")
    assert latest.previous == F.V1 and set(latest.previous_summary["as_of"]) == {F.V1}


def test_vintage_at() -> None:
    assert vintage_at([F.V1, F.V2], None) == F.V2
    assert vintage_at([F.V1, F.V2], F.V2) == F.V2
    assert vintage_at([F.V1, F.V2], "2024-12-30") == F.V1
    assert vintage_at([F.V1, F.V2], "2024") == F.V2 and vintage_at([F.V1, F.V2], "31/12/2019") == F.V1
