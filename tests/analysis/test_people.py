"""One definition of people without coverage: population × (1 − covered share), per village,
summed — the same in the analysis, the plan, the API gaps layer (pandas, both stores) and the
PostGIS village layer; and the older figures reconciled with it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from tests.analysis import frames as F
from tests.api.conftest import BACKENDS, seeded_store
from villagecov.analysis.people import people_without_4g, reconcile_people, village_people
from villagecov.compute.people import people_without, people_without_sql
from villagecov.storage import open_store


def test_people_without_is_population_weighted_and_clipped() -> None:
    got = people_without([1277, 100, 50, None, 80], [0.74, None, 1.3, 0.5, -0.2])
    # the example: 1,277 people, 74 % covered -> 332 people without coverage, not 1,277
    assert got.tolist() == pytest.approx([1277 * 0.26, 100.0, 0.0, 0.0, 80.0])
    assert people_without_sql("p", "s") == "(coalesce(p, 0) * (1 - least(greatest(coalesce(s, 0), 0), 1)))"


def test_village_people_and_reconciliation_on_hand_made_villages() -> None:
    summary = F.village_summary()
    vp = village_people(summary).set_index("village_id")
    assert vp["people_without_4g"].round(6).to_dict() == {"v1": 40.0, "v2": 400.0, "v3": 200.0, "v4": 70.0, "v5": 300.0}
    assert vp["gap"].to_dict() == {"v1": False, "v2": True, "v3": True, "v4": True, "v5": True}  # v3: no evidence
    assert people_without_4g(summary) == pytest.approx(1010.0)
    ind = pd.DataFrame([{"indicator": "t8.population_4g_share", "level": "province", "unit_code": "44",
                         "boundary_version": "2019", "as_of": F.V2, "numerator": 2100 - 1010.0, "denominator": 2100.0}])
    plans = pd.DataFrame([{"plan_id": "p1", "created_at": "2025-01-01T00:00:00", "gap_population": 970.0,
                           "gap_villages": 4, "as_of": F.V2, "technology": "4G"}])
    rec = reconcile_people(summary, ind, F.V2, "2019", plans, lang="en")
    assert rec["people"].tolist() == [1010.0, 1010.0, 970.0, 40.0, 1300.0, 970.0]
    assert rec["difference"].tolist()[1:] == [0.0, -40.0, -970.0, 290.0, -40.0]
    assert pd.isna(rec["difference"].iloc[0]) and rec["villages"].iloc[0] == 5
    assert rec["villages"].iloc[2] == 4 and rec["villages"].iloc[4] == 4
    assert "the one definition" in rec["figure"].iloc[0] and "Overstated" in rec["explanation"].iloc[4]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_api_gaps_layer_the_plan_and_the_village_layer_use_the_definition(backend: str, tmp_path: Path) -> None:
    from villagecov.planning.gaps import find_gaps
    from villagecov.publishing import gaps_frame

    with seeded_store(backend, tmp_path) as seeded:
        with open_store(seeded.settings.store) as store:
            summary = store.read("village_summary")
            summary = summary[summary["as_of"] == summary["as_of"].max()]
            gaps = gaps_frame(store, None).set_index("village_id")
            villages = store.read("villages", as_of=str(summary["as_of"].max()))
            vc = store.read("village_coverage", where={"as_of": str(summary["as_of"].max())})
        expected = pd.Series(people_without(summary["population"], summary["pop_share_4g"]),
                             index=summary["village_id"].astype(str).to_numpy())
        assert len(gaps) > 0
        assert gaps["uncovered_population"].astype(int).to_dict() == {
            v: int(np.round(expected[v])) for v in gaps.index}
        planned = find_gaps(villages, vc, "4G", seeded.settings).set_index("village_id")
        assert len(planned) > 0
        # the plan weighs each gap village by population × (1 − its effective covered share)
        assert planned["uncovered_pop"].to_dict() == pytest.approx(
            {v: round(float(p) * (1 - s), 1) for v, p, s in zip(planned.index, planned["population"],
                                                                  planned["covered_share"], strict=True)})
        if backend == "postgis":
            engine = sa.create_engine(seeded.settings.store)
            with engine.connect() as conn:
                layer = pd.read_sql(sa.text("SELECT village_id, uncovered_population, gap_rank FROM village_layer"), conn)
            engine.dispose()
            ranked = layer[layer["gap_rank"].notna()].set_index("village_id")["uncovered_population"]
            assert ranked.astype(int).to_dict() == gaps["uncovered_population"].astype(int).to_dict()
