"""The figures of the progress, gaps and evidence notebooks, in the house style of
:mod:`villagecov.analysis.charts`. Each returns a :class:`~villagecov.analysis.charts.Chart`
(figure, caption, file stem), or None when there is nothing to draw (the caller says why)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from villagecov.analysis.charts import (
    COLOURS,
    SERIES,
    Chart,
    bar_labels,
    date_axis,
    integer_axis,
    legend_outside,
    new_figure,
    pct_formatter,
    target_line,
    title,
)
from villagecov.analysis.fmt import fmt_date, fmt_int, fmt_pct


def _vi(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def province_progress(province: pd.DataFrame, ids: tuple[str, ...], lang: str = "vi",
                      synthetic: bool = False) -> Chart | None:
    """Headline shares of the province at each period (real dates), the target labelled."""
    rows = province[province["indicator"].isin(ids) & province["value"].notna()]
    if rows.empty:
        return None
    periods = sorted(rows["as_of"].unique())
    fig, (ax,) = new_figure(9.5, 5.0)
    for colour, (label, part) in zip(SERIES, rows.groupby("label", sort=False), strict=False):
        x = pd.to_datetime(part["as_of"])
        ax.plot(x, 100 * part["value"], marker="o", color=colour, label=label)
        if len(periods) <= 4:
            for xi, v in zip(x, part["value"], strict=True):
                ax.annotate(fmt_pct(v, lang=lang), (xi, 100 * v), textcoords="offset points", xytext=(6, -3),
                            fontsize=7, color=colour)
    targets = rows["target"].dropna().unique()
    if len(targets) == 1:
        target_line(ax, 100 * float(targets[0]), _vi(lang, f"Mục tiêu {fmt_pct(targets[0], 0, lang)}",
                                                       f"Target {fmt_pct(targets[0], 0, lang)}"))
    date_axis(ax, periods, lang)
    ax.set_ylim(0, 105)
    ax.yaxis.set_major_formatter(pct_formatter(lang))
    ax.set_ylabel(_vi(lang, "Tỷ lệ", "Share"))
    ax.set_xlabel(_vi(lang, "Kỳ số liệu", "Period"))
    ax.set_title(title(_vi(lang, "Tỉnh: các chỉ tiêu chính qua các kỳ", "Province: headline indicators by period"),
                       synthetic))
    legend_outside(ax)
    caption = _vi(lang, f"Các chỉ tiêu chính của tỉnh tại {len(periods)} kỳ số liệu "
                        f"({', '.join(fmt_date(p, lang) for p in periods)}); đường nét đứt là mục tiêu.",
                  f"The province's headline indicators at {len(periods)} periods "
                  f"({', '.join(fmt_date(p, lang) for p in periods)}); the dashed line is the target.")
    return Chart(fig, caption, "province_progress")


def units_share(long: pd.DataFrame, indicator: str, as_of: str, previous: str | None, unit_label: str,
                lang: str = "vi", synthetic: bool = False, n: int = 20) -> Chart | None:
    """One bar per unit at ``as_of`` (sorted, largest gap at the top), the previous period as a
    marker, the target labelled, value labels."""
    now = long[(long["indicator"] == indicator) & (long["as_of"] == as_of) & long["value"].notna()]
    if now.empty:
        return None
    now = now.sort_values(["value", "unit_code"], ascending=[False, True], kind="stable").tail(n)
    fig, (ax,) = new_figure(9.0, max(3.0, 0.32 * len(now) + 1.5))
    y = np.arange(len(now))
    bars = ax.barh(y, 100 * now["value"], color=COLOURS["covered"], label=fmt_date(as_of, lang))
    bar_labels(ax, bars, [fmt_pct(v, lang=lang) for v in now["value"]])
    if previous:
        prev = long[(long["indicator"] == indicator) & (long["as_of"] == previous)].set_index("unit_code")["value"]
        pv = now["unit_code"].map(prev)
        ax.scatter(100 * pv, y, marker="|", s=200, color="black", zorder=3, label=fmt_date(previous, lang))
    ax.set_yticks(y, now["unit_name"].fillna(now["unit_code"]))
    target = now["target"].dropna()
    if len(target):
        target_line(ax, 100 * float(target.iloc[0]), _vi(lang, "Mục tiêu", "Target"), axis="x")
    ax.set_xlim(0, 112)
    ax.xaxis.set_major_formatter(pct_formatter(lang))
    label = str(now["label"].iloc[0])
    ax.set_xlabel(label)
    ax.set_title(title(f"{unit_label}: {label}", synthetic))
    legend_outside(ax)
    caption = _vi(lang, f"{label} theo {unit_label.lower()} tại kỳ {fmt_date(as_of, lang)} (thanh), xếp từ thấp nhất; "
                        + (f"vạch đen là kỳ {fmt_date(previous, lang)}." if previous else "chưa có kỳ trước."),
                  f"{label} by {unit_label.lower()} at {fmt_date(as_of, lang)} (bars), lowest first; "
                  + (f"the black tick is {fmt_date(previous, lang)}." if previous else "no earlier period."))
    return Chart(fig, caption, f"units_{indicator.replace('.', '_')}")


def gap_kinds(ranked: pd.DataFrame, lang: str = "vi", synthetic: bool = False) -> Chart | None:
    """Villages without 4G by kind (some signal / none) and remoteness, and the people without
    4G in each; one colour per kind in both panels."""
    if ranked.empty:
        return None
    kinds = [("no_4g", _vi(lang, "Có sóng nhưng chưa có 4G", "Some signal, no 4G")),
             ("no_signal", _vi(lang, "Không có sóng di động", "No mobile signal"))]
    fig, axes = new_figure(11.0, 4.2, ncols=2)
    remote = ranked["remote"].astype(bool)
    groups = [_vi(lang, "Vùng sâu, vùng xa", "Remote"), _vi(lang, "Không thuộc vùng sâu", "Not remote")]
    y = np.arange(2)
    for ax, metric in zip(axes, ("villages", "people"), strict=True):
        left = np.zeros(2)
        for kind, label in kinds:
            sel = ranked["gap"] == kind
            vals = np.array([
                (sel & remote).sum() if metric == "villages" else ranked.loc[sel & remote, "people_without_4g"].sum(),
                (sel & ~remote).sum() if metric == "villages" else ranked.loc[sel & ~remote, "people_without_4g"].sum(),
            ], dtype=float)
            bars = ax.barh(y, vals, left=left, color=COLOURS[kind], label=label, edgecolor="white",
                           hatch="//" if kind == "no_signal" else None)  # hatched too: not told by colour alone
            bar_labels(ax, bars, [fmt_int(v, lang) if v else "" for v in vals], inside=True)
            left += vals
        ax.set_yticks(y, groups)
        integer_axis(ax, "x", lang)
    axes[0].set_xlabel(_vi(lang, "Số thôn chưa có 4G", "Villages without 4G"))
    axes[1].set_xlabel(_vi(lang, "Số người chưa có 4G", "People without 4G"))
    legend_outside(axes[0])
    fig.suptitle(title(_vi(lang, "Thôn chưa có 4G và số người chưa có 4G", "Villages and people without 4G"), synthetic))
    caption = _vi(lang, "Trái: số thôn chưa đạt chuẩn 4G theo loại (cam: có sóng nhưng chưa có 4G; đỏ son gạch chéo: "
                        "không có sóng) và theo vùng sâu, vùng xa. Phải: số người ở phần chưa được phủ sóng của các thôn đó.",
                  "Left: villages below the 4G rule by kind (orange: some signal, no 4G; hatched vermillion: no signal) "
                  "and remoteness. Right: the people in the parts of those villages without 4G.")
    return Chart(fig, caption, "gap_villages_by_kind")


def people_by_unit(unit_gaps: pd.DataFrame, unit_label: str, lang: str = "vi", synthetic: bool = False,
                   n: int = 15) -> Chart | None:
    """People without 4G per unit, largest first (at the top), value labels."""
    top = unit_gaps[unit_gaps["people_without_4g"] > 0].head(n)
    if top.empty:
        return None
    top = top.iloc[::-1]
    fig, (ax,) = new_figure(9.0, max(3.0, 0.32 * len(top) + 1.5))
    bars = ax.barh(top["unit_name"].fillna(top["unit_code"]), top["people_without_4g"], color=COLOURS["no_4g"])
    bar_labels(ax, bars, [fmt_int(v, lang) for v in top["people_without_4g"]])
    integer_axis(ax, "x", lang)
    ax.set_xlabel(_vi(lang, "Số người chưa có 4G", "People without 4G"))
    ax.set_title(title(_vi(lang, f"{unit_label}: số người chưa có 4G", f"{unit_label}: people without 4G"), synthetic))
    ax.margins(x=0.12)
    caption = _vi(lang, f"{len(top)} {unit_label.lower()} có nhiều người chưa được phủ sóng 4G nhất (dân số × phần "
                        "chưa phủ sóng của mỗi thôn, cộng theo đơn vị).",
                  f"The {len(top)} {unit_label.lower()} units with most people without 4G (population × the share "
                  "not covered of each village, summed by unit).")
    return Chart(fig, caption, "people_without_4g_by_unit")


def evidence_per_operator(tested: pd.DataFrame, lang: str = "vi", synthetic: bool = False) -> Chart | None:
    """Per operator × technology: share of tests meeting the threshold (blue) and villages where
    the tests contradict the declared map (vermillion), sorted."""
    if tested.empty:
        return None
    t = tested.assign(_label=tested["operator"] + " " + tested["technology"]).sort_values(
        ["tests_ok_share", "_label"], kind="stable")
    fig, axes = new_figure(11.0, max(3.0, 0.35 * len(t) + 1.6), ncols=2)
    bars = axes[0].barh(t["_label"], 100 * t["tests_ok_share"], color=COLOURS["covered"])
    bar_labels(axes[0], bars, [fmt_pct(v, lang=lang) for v in t["tests_ok_share"]])
    axes[0].set_xlim(0, 112)
    axes[0].xaxis.set_major_formatter(pct_formatter(lang))
    axes[0].set_xlabel(_vi(lang, "Tỷ lệ lần đo đạt ngưỡng tín hiệu", "Tests meeting the signal threshold"))
    bars = axes[1].barh(t["_label"], t["villages_contradicted"], color=COLOURS["no_signal"])
    bar_labels(axes[1], bars, [fmt_int(v, lang) for v in t["villages_contradicted"]])
    integer_axis(axes[1], "x", lang)
    axes[1].set_xlabel(_vi(lang, "Số thôn có kết quả đo mâu thuẫn", "Villages contradicted by tests"))
    axes[1].margins(x=0.15)
    fig.suptitle(title(_vi(lang, "Vùng phủ công bố so với đo kiểm", "Declared coverage against tests"), synthetic))
    caption = _vi(lang, "Trái (xanh): tỷ lệ lần đo trong vùng doanh nghiệp công bố đạt ngưỡng tín hiệu. Phải (đỏ son): "
                        "số thôn mà kết quả đo bác bỏ vùng phủ công bố.",
                  "Left (blue): share of the tests inside the declared coverage that meet the signal threshold. "
                  "Right (vermillion): villages where the tests contradict the declared coverage.")
    return Chart(fig, caption, "evidence_per_operator")


def operators_compared(coverage: pd.DataFrame, lang: str = "vi", synthetic: bool = False) -> Chart | None:
    """Villages each operator covers with 4G (blue), of them those covered by it alone (orange)."""
    ops = coverage[coverage["operator"] != "ANY"].sort_values(["villages_covered", "operator"], kind="stable")
    if ops.empty:
        return None
    fig, (ax,) = new_figure(9.0, max(3.0, 0.45 * len(ops) + 1.5))
    bars = ax.barh(ops["operator"], ops["villages_covered"], color=COLOURS["covered"],
                   label=_vi(lang, "Thôn được phủ sóng 4G", "Villages covered by 4G"))
    bar_labels(ax, bars, [f"{fmt_int(v, lang)} ({fmt_pct(s, lang=lang)})"
                          for v, s in zip(ops["villages_covered"], ops["villages_covered_share"], strict=True)])
    ax.barh(ops["operator"], ops["single_operator_villages"], color=COLOURS["no_4g"],
            label=_vi(lang, "… chỉ doanh nghiệp này phủ sóng", "… covered by this operator alone"))
    integer_axis(ax, "x", lang)
    ax.margins(x=0.2)
    ax.set_xlabel(_vi(lang, "Số thôn", "Villages"))
    ax.set_title(title(_vi(lang, "Doanh nghiệp: số thôn được phủ sóng 4G", "Operators: villages covered by 4G"), synthetic))
    legend_outside(ax)
    caption = _vi(lang, "Số thôn mỗi doanh nghiệp phủ sóng 4G (xanh, kèm tỷ lệ trên tổng số thôn) và số thôn chỉ doanh "
                        "nghiệp đó phủ sóng (cam).",
                  "Villages each operator covers with 4G (blue, with the share of all villages) and those it covers "
                  "alone (orange).")
    return Chart(fig, caption, "operators_4g")
