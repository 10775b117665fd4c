"""The per-village ANY status that village_summary stores for the map layers (hand-computed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from villagecov.compute.status import any_status, effective_shares
from villagecov.settings import Settings


def _vc(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame([{"village_id": v, "operator": o, "technology": t, "evidence": e, "covered_pop_share": s,
                          "contradicted": c} for v, o, t, e, s, c in rows])


def test_any_status_from_effective_shares() -> None:
    settings = Settings()  # covered ≥ 0.8, partial ≥ 0.2; declared and modelled count
    vc = _vc([
        ("a", "ANY", "4G", "declared", 0.5, False), ("a", "ANY", "4G", "modelled", 0.85, False),  # best evidence: 0.85
        ("a", "ANY", "2G", "declared", 0.1, False),
        ("a", "viettel", "4G", "declared", 0.85, False),
        # b: viettel's declared 4G is contradicted, so ANY falls back to vinaphone's 0.3 → partial
        ("b", "ANY", "4G", "declared", 0.9, False), ("b", "viettel", "4G", "declared", 0.9, True),
        ("b", "vinaphone", "4G", "declared", 0.3, False),
        ("c", "ANY", "4G", "measured", 1.0, False),  # measured is not counted evidence: c has no status
        ("d", "ANY", "3G", "declared", 0.0, False),  # evidence of no coverage: none, not null
    ])
    st = any_status(effective_shares(vc, settings), settings)
    assert sorted(st.index) == ["a", "b", "d"]
    assert st.loc["a", "status_4g"] == "covered" and st.loc["a", "pop_share_4g"] == pytest.approx(0.85)
    assert st.loc["a", "status_2g"] == "none" and pd.isna(st.loc["a", "status_3g"]) and pd.isna(st.loc["a", "status_5g"])
    assert st.loc["b", "status_4g"] == "partial" and st.loc["b", "pop_share_4g"] == pytest.approx(0.3)
    assert st.loc["d", "status_3g"] == "none" and pd.isna(st.loc["d", "status_4g"]) and np.isnan(st.loc["d", "pop_share_4g"])


def test_any_status_of_no_rows_is_empty() -> None:
    settings = Settings()
    st = any_status(effective_shares(_vc([]).reindex(columns=["village_id", "operator", "technology", "evidence",
                                                               "covered_pop_share", "contradicted"]), settings), settings)
    assert st.empty and list(st.columns) == ["status_2g", "status_3g", "status_4g", "status_5g", "pop_share_4g"]
