"""People without 4G: the one definition (:mod:`villagecov.compute.people`) applied to the village
summaries, and the older figures reconciled with it.

``village_summary.pop_share_4g`` is the engine's effective 4G share of each village's population
(null: no counted evidence, which counts as 0). A *gap village* is one whose 4G status is below
the covered rule (``status_4g`` none or partial, or no evidence); the plan, the API gaps layer
and the maps list those, each with its people without 4G.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from villagecov.compute.people import people_without
from villagecov.rules import GAP_STATUSES


def village_people(summary: pd.DataFrame) -> pd.DataFrame:
    """Per village of one period: village_id, commune_code, population, covered share (0–1, null
    read as 0), 4G status, ``gap`` (below the covered rule or no evidence) and
    ``people_without_4g`` (float, the one definition)."""
    share = pd.to_numeric(summary["pop_share_4g"], errors="coerce").astype("float64")
    status = summary["status_4g"].astype(object) if "status_4g" in summary.columns else pd.Series(None, index=summary.index)
    out = pd.DataFrame({
        "village_id": summary["village_id"].astype(str).to_numpy(),
        "commune_code": summary["commune_code"].to_numpy(),
        "population": pd.to_numeric(summary["population"], errors="coerce").fillna(0).astype("int64").to_numpy(),
        "covered_share": share.fillna(0.0).clip(0, 1).to_numpy(),
        "status_4g": status.to_numpy(),
        "evidence": share.notna().to_numpy(),
    })
    out["gap"] = out["status_4g"].isin(GAP_STATUSES) | ~out["evidence"]
    out["people_without_4g"] = people_without(out["population"], share)
    return out


def people_without_4g(summary: pd.DataFrame) -> float:
    """People without 4G in every village of ``summary`` (unrounded)."""
    return float(village_people(summary)["people_without_4g"].sum()) if len(summary) else 0.0


def _province_row(indicators: pd.DataFrame, indicator: str, as_of: str, version: str) -> pd.Series | None:
    p = indicators[(indicators["indicator"] == indicator) & (indicators["level"] == "province")
                   & (indicators["as_of"].astype(str).str[:10] == as_of) & (indicators["boundary_version"] == version)]
    return p.iloc[0] if len(p) else None


RECONCILE_COLUMNS = ["figure", "people", "difference", "villages", "explanation"]
_TEXT = {
    "def": ("Dân số ở phần chưa được phủ sóng 4G của các thôn — định nghĩa thống nhất",
            "People in the parts of villages without 4G — the one definition"),
    "def_why": ("Σ dân số × (1 − tỷ lệ dân số được phủ sóng), mọi thôn; bản đồ, API, kế hoạch trạm và sổ tay dùng con số này",
                "Σ population × (1 − covered share) over every village; the maps, API, site plan and notebooks use it"),
    "ind": ("Theo chỉ tiêu t8.population_4g_share (dân số − tử số)", "From t8.population_4g_share (population − numerator)"),
    "ind_why": ("Cùng định nghĩa, tính từ bảng chỉ tiêu (`villagecov indicators`): phải bằng dòng trên",
                "The same definition from the indicators table (`villagecov indicators`): must equal the line above"),
    "gap": ("… trong đó ở các thôn chưa đạt chuẩn 4G (dưới ngưỡng phủ sóng)",
            "… of which in the villages below the 4G rule"),
    "gap_why": ("Phần ở các thôn chưa có 4G: lớp vùng lõm của API, bản đồ và kế hoạch trạm liệt kê các thôn này",
                "The part in villages without 4G: the API gaps layer, the maps and the site plan list these villages"),
    "cov": ("… trong đó ở các thôn đã đạt chuẩn 4G (phần rìa chưa phủ)",
            "… of which at the edges of villages that meet the 4G rule"),
    "cov_why": ("Thôn đạt chuẩn (≥ ngưỡng) vẫn có một phần dân chưa được phủ sóng",
                "Villages meeting the rule (≥ the threshold) still have some people outside coverage"),
    "whole": ("Số cũ: toàn bộ dân số các thôn chưa đạt chuẩn 4G",
              "Older figure: the whole population of the villages below the 4G rule"),
    "whole_why": ("Cao hơn thực tế: tính cả người dân ở phần đã được phủ sóng của các thôn này (sổ tay 02 trước đây)",
                  "Overstated: counts the people already covered in those villages (notebook 02 before)"),
    "plan": ("Kế hoạch trạm {plan}: dân số chưa phủ sóng ở các thôn lõm", "Site plan {plan}: people without coverage in gap villages"),
    "plan_why": ("Kế hoạch lập trên kỳ {as_of}; chênh lệch do khác kỳ số liệu hoặc công nghệ ({tech})",
                 "Planned on period {as_of}; differences come from another period or technology ({tech})"),
}


def _t(key: str, lang: str, **kw: object) -> str:
    vi, en = _TEXT[key]
    return (vi if lang == "vi" else en).format(**kw)


def reconcile_people(summary: pd.DataFrame, indicators: pd.DataFrame, as_of: str, boundary_version: str = "2019",
                     plans: pd.DataFrame | None = None, lang: str = "vi") -> pd.DataFrame:
    """The people-without-4G figures in use, side by side: the definition, the same from the
    indicators, its part in gap and in covered villages, the older whole-population figure and the
    latest site plan's gap population. ``difference`` = figure − the definition (people)."""
    vp = village_people(summary)
    total = float(vp["people_without_4g"].sum())
    gap = vp[vp["gap"]]
    rows = [
        (_t("def", lang), total, len(vp), _t("def_why", lang)),
    ]
    pop = _province_row(indicators, "t8.population_4g_share", as_of, boundary_version)
    if pop is not None:
        rows.append((_t("ind", lang), float(pop["denominator"]) - float(pop["numerator"]), None, _t("ind_why", lang)))
    rows += [
        (_t("gap", lang), float(gap["people_without_4g"].sum()), len(gap), _t("gap_why", lang)),
        (_t("cov", lang), float(vp.loc[~vp["gap"], "people_without_4g"].sum()), int((~vp["gap"]).sum()),
         _t("cov_why", lang)),
        (_t("whole", lang), float(gap["population"].sum()), len(gap), _t("whole_why", lang)),
    ]
    if plans is not None and len(plans):
        latest = plans.sort_values(["created_at", "plan_id"], kind="stable").iloc[-1]
        rows.append((_t("plan", lang, plan=latest["plan_id"]), float(latest["gap_population"]),
                     int(latest["gap_villages"]) if pd.notna(latest["gap_villages"]) else None,
                     _t("plan_why", lang, as_of=latest.get("as_of"), tech=latest.get("technology"))))
    out = pd.DataFrame(rows, columns=["figure", "people", "villages", "explanation"])
    out["people"] = out["people"].round(0)
    out["difference"] = (out["people"] - round(total)).astype("float64")
    out["villages"] = out["villages"].astype("Int64")
    out.loc[0, "difference"] = np.nan
    return out[RECONCILE_COLUMNS]
