"""Figures of the site-plan, change and sensitivity notebooks (house style of
:mod:`villagecov.analysis.charts`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from villagecov.analysis.charts import (
    COLOURS,
    SERIES,
    Chart,
    bar_labels,
    integer_axis,
    legend_outside,
    new_figure,
    pct_formatter,
    title,
)
from villagecov.analysis.fmt import fmt_int, fmt_num


def _vi(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def _billions(lang: str) -> str:
    return _vi(lang, "tỷ đồng", "billion VND")


def plan_costs(sites: pd.DataFrame, curve: pd.DataFrame, lang: str = "vi", synthetic: bool = False) -> Chart | None:
    """Left: people newly covered against money spent — the proposed sites in priority order and
    the budget curve of the greedy heuristic and of the exact program. Right: cost per person
    newly covered for each proposed site, cheapest first."""
    if sites.empty:
        return None
    fig, axes = new_figure(12.0, 4.8, ncols=2)
    ax = axes[0]
    x = np.r_[0, sites["cumulative_cost_vnd"].to_numpy() / 1e9]
    y = np.r_[0, sites["cumulative_people"].to_numpy()]
    ax.plot(x, y, drawstyle="steps-post", color=COLOURS["cost"], marker="o", label=_vi(lang, "Đề xuất, theo thứ tự",
                                                                                         "Proposal, in order"))
    if len(curve):
        ax.plot(curve["budget_vnd"] / 1e9, curve["greedy_value"], color=SERIES[1], linestyle="--",
                label=_vi(lang, "Tham lam (greedy)", "Greedy"))
        ok = curve["exact_status"].isin(["optimal", "feasible"])
        if ok.any():
            ax.plot(curve.loc[ok, "budget_vnd"] / 1e9, curve.loc[ok, "exact_value"], color=SERIES[0], linestyle=":",
                    marker="s", label=_vi(lang, "Tối ưu chính xác (ILP)", "Exact (ILP)"))
    ax.set_xlabel(_vi(lang, f"Chi phí lũy kế ({_billions(lang)})", f"Cumulative cost ({_billions(lang)})"))
    ax.set_ylabel(_vi(lang, "Số người được phủ sóng mới", "People newly covered"))
    integer_axis(ax, "y", lang)
    legend_outside(ax)
    s = sites[sites["vnd_per_person"].notna()].sort_values("vnd_per_person", kind="stable")
    ax = axes[1]
    labels = [f"#{r}" for r in s["rank"]]
    bars = ax.barh(labels[::-1], (s["vnd_per_person"] / 1e6).to_numpy()[::-1], color=COLOURS["cost"])
    if len(s) <= 25:
        bar_labels(ax, bars, [fmt_num(v / 1e6, 1, lang) for v in s["vnd_per_person"].to_numpy()[::-1]])
    ax.set_xlabel(_vi(lang, "Triệu đồng cho mỗi người được phủ sóng mới", "Million VND per person newly covered"))
    ax.margins(x=0.15)
    fig.suptitle(title(_vi(lang, "Kế hoạch trạm: chi phí và số người được phủ sóng", "Site plan: cost and people covered"),
                       synthetic))
    caption = _vi(lang, "Trái: số người được phủ sóng mới theo chi phí lũy kế của các trạm đề xuất (bậc thang) và "
                        "đường ngân sách của thuật toán tham lam và tối ưu chính xác; độ dốc giảm dần là chi phí biên "
                        "tăng dần. Phải: chi phí cho mỗi người của từng trạm (số thứ tự ưu tiên), rẻ nhất ở trên.",
                  "Left: people newly covered against the cumulative cost of the proposed sites (steps) and the "
                  "budget curves of the greedy heuristic and the exact program; the flattening slope is the rising "
                  "marginal cost. Right: cost per person of each site (by priority rank), cheapest at the top.")
    return Chart(fig, caption, "site_plan_costs")


def share_sensitivity(table: pd.DataFrame, current: float, lang: str = "vi", synthetic: bool = False) -> Chart | None:
    """Villages with 4G and people in villages below the rule as the covered share moves; the
    people without 4G (the one definition) does not depend on it."""
    if table.empty:
        return None
    fig, axes = new_figure(11.0, 4.2, ncols=2)
    x = 100 * table["covered_share"]
    axes[0].plot(x, 100 * table["villages_4g_share"], marker="o", color=COLOURS["covered"])
    axes[0].axvline(100 * current, color=COLOURS["target"], linestyle="--", linewidth=1)
    axes[0].annotate(_vi(lang, "ngưỡng áp dụng", "in force"), (100 * current, 1.0), xycoords=("data", "axes fraction"),
                     ha="right", va="top", fontsize=8, color=COLOURS["target"])
    axes[0].yaxis.set_major_formatter(pct_formatter(lang))
    axes[0].xaxis.set_major_formatter(pct_formatter(lang))
    axes[0].set_xlabel(_vi(lang, "Ngưỡng 'được phủ sóng' (tỷ lệ dân số)", "Covered threshold (share of people)"))
    axes[0].set_ylabel(_vi(lang, "Tỷ lệ thôn có 4G", "Villages with 4G"))
    axes[1].plot(x, table["population_gap_villages"], marker="o", color=COLOURS["no_4g"],
                 label=_vi(lang, "Toàn bộ dân số thôn chưa đạt chuẩn (số cũ)", "Whole population of villages below the rule"))
    axes[1].plot(x, table["people_without_4g"], marker="o", color=COLOURS["no_signal"],
                 label=_vi(lang, "Số người chưa có 4G (định nghĩa thống nhất)", "People without 4G (the one definition)"))
    axes[1].xaxis.set_major_formatter(pct_formatter(lang))
    axes[1].set_xlabel(_vi(lang, "Ngưỡng 'được phủ sóng' (tỷ lệ dân số)", "Covered threshold (share of people)"))
    integer_axis(axes[1], "y", lang)
    legend_outside(axes[1])
    fig.suptitle(title(_vi(lang, "Độ nhạy theo ngưỡng phủ sóng", "Sensitivity to the covered threshold"), synthetic))
    caption = _vi(lang, "Trái: tỷ lệ thôn có 4G khi ngưỡng 'được phủ sóng' thay đổi từ "
                        f"{fmt_int(100 * table['covered_share'].min(), lang)} % đến "
                        f"{fmt_int(100 * table['covered_share'].max(), lang)} %. Phải: số người chưa có 4G không phụ "
                        "thuộc ngưỡng, còn con số cũ (toàn bộ dân số thôn chưa đạt chuẩn) thì có.",
                  "Left: villages with 4G as the covered threshold moves from "
                  f"{fmt_int(100 * table['covered_share'].min(), lang)}% to "
                  f"{fmt_int(100 * table['covered_share'].max(), lang)}%. Right: people without 4G do not depend on "
                  "the threshold; the older figure (whole population of villages below it) does.")
    return Chart(fig, caption, "sensitivity_covered_share")


def threshold_sensitivity(table: pd.DataFrame, current: float, lang: str = "vi", synthetic: bool = False) -> Chart | None:
    """Villages with 4G and people without 4G as the 4G/5G signal threshold moves."""
    if table.empty:
        return None
    fig, axes = new_figure(11.0, 4.2, ncols=2)
    x = table["threshold_dbm"]
    y = 100 * table["villages_4g_share"]
    axes[0].plot(x, y, marker="o", color=COLOURS["covered"])
    for xi, yi in zip(x, y, strict=True):
        axes[0].annotate(fmt_num(yi, 1, lang) + (" %" if lang == "vi" else "%"), (xi, yi), textcoords="offset points",
                         xytext=(0, 6), ha="center", fontsize=8)
    axes[0].set_ylim(max(0.0, float(y.min()) - 1.0), min(100.0, float(y.max()) + 1.0) + 0.5)
    axes[0].yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 5, 10]))
    axes[0].yaxis.set_major_formatter(pct_formatter(lang, 1))
    axes[0].set_ylabel(_vi(lang, "Tỷ lệ thôn có 4G", "Villages with 4G"))
    axes[1].bar(x, table["people_without_4g"], width=2.5, color=COLOURS["no_signal"])
    bar_labels(axes[1], axes[1].containers[0], [fmt_int(v, lang) for v in table["people_without_4g"]])
    integer_axis(axes[1], "y", lang)
    axes[1].set_ylabel(_vi(lang, "Số người chưa có 4G", "People without 4G"))
    for ax in axes:
        ax.axvline(current, color=COLOURS["target"], linestyle="--", linewidth=1)
        ax.annotate(_vi(lang, "ngưỡng áp dụng", "in force"), (current, 1.0), xycoords=("data", "axes fraction"),
                    ha="right", va="top", fontsize=8, color=COLOURS["target"])
        ax.set_xticks(list(x))
        ax.set_xticklabels([f"{fmt_int(v, lang)}" for v in x])
        ax.set_xlabel(_vi(lang, "Ngưỡng tín hiệu 4G/5G (dBm)", "4G/5G signal threshold (dBm)"))
    axes[1].margins(y=0.15)
    fig.suptitle(title(_vi(lang, "Độ nhạy theo ngưỡng tín hiệu", "Sensitivity to the signal threshold"), synthetic))
    caption = _vi(lang, f"Các chỉ tiêu tính lại với ngưỡng tín hiệu 4G/5G từ {fmt_int(x.min(), lang)} đến "
                        f"{fmt_int(x.max(), lang)} dBm (đường nét đứt: ngưỡng áp dụng {fmt_int(current, lang)} dBm).",
                  f"The indicators recomputed with the 4G/5G threshold from {fmt_int(x.min(), lang)} to "
                  f"{fmt_int(x.max(), lang)} dBm (dashed: the threshold in force, {fmt_int(current, lang)} dBm).")
    return Chart(fig, caption, "sensitivity_signal_threshold")


def change_by_site(per_site: pd.DataFrame, lang: str = "vi", synthetic: bool = False, n: int = 15) -> Chart | None:
    """People whose 4G gap closed between the two periods, per new site (by service date)."""
    top = per_site[per_site["people_newly_covered"] > 0].head(n)
    if top.empty:
        return None
    top = top.iloc[::-1]
    fig, (ax,) = new_figure(9.0, max(3.0, 0.32 * len(top) + 1.5))
    labels = [f"{s} ({d})" for s, d in zip(top["site_id"], top["in_service_from"], strict=True)]
    bars = ax.barh(labels, top["people_newly_covered"], color=COLOURS["covered"])
    bar_labels(ax, bars, [f"{fmt_int(p, lang)} / {fmt_int(v, lang)}" for p, v in
                          zip(top["people_newly_covered"], top["villages_closed"], strict=True)])
    integer_axis(ax, "x", lang)
    ax.margins(x=0.2)
    ax.set_xlabel(_vi(lang, "Số người được phủ sóng mới / số thôn hết lõm", "People newly covered / gaps closed"))
    ax.set_title(title(_vi(lang, "Trạm mới và các vùng lõm đã được xóa", "New sites and the gaps they closed"), synthetic))
    caption = _vi(lang, "Mỗi thanh là một trạm mới (ngày đưa vào hoạt động): số người của các thôn hết lõm gần trạm "
                        "nhất, và số thôn đó.",
                  "Each bar is a new site (date in service): the people of the closed gaps nearest to it, and how "
                  "many villages.")
    return Chart(fig, caption, "change_by_new_site")
