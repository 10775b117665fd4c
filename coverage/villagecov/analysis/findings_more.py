"""Findings of the site-plan, change and sensitivity notebooks (see :mod:`villagecov.analysis.findings`)."""

from __future__ import annotations

import pandas as pd

from villagecov.analysis.export import VALUES
from villagecov.analysis.findings import Finding, _vi
from villagecov.analysis.fmt import fmt_date, fmt_int, fmt_num, fmt_pct, fmt_vnd


def plan_findings(sites: pd.DataFrame, methods: pd.DataFrame, gap_people: float, budget_vnd: float,
                  lang: str = "vi") -> list[Finding]:
    """What the plan brings for the money, the cheapest sites, sites completing no village, and
    how far the greedy heuristic is from the exact program."""
    if sites.empty:
        return [Finding("plan_sites", 0, _vi(lang, f"Với ngân sách {fmt_vnd(budget_vnd, lang)} không có trạm nào đáng "
                                                   "đề xuất (không còn vùng lõm hoặc không trạm ứng viên nào với tới).",
                                             f"With a budget of {fmt_vnd(budget_vnd, lang)} no site is proposed (no gaps "
                                             "left, or no candidate reaches them)."))]
    people, cost = float(sites["people_covered"].sum()), float(sites["cost_vnd"].sum())
    out = [Finding("plan_gap_people", round(gap_people), _vi(
        lang, f"Các thôn chưa đạt chuẩn 4G còn {fmt_int(gap_people, lang)} người chưa được phủ sóng: đó là đối tượng của "
        "kế hoạch.", f"The villages below the 4G rule hold {fmt_int(gap_people, lang)} people without 4G: the plan's "
        "target."))]
    out += [Finding("plan_people_covered", round(people), _vi(
        lang, f"Với ngân sách {fmt_vnd(budget_vnd, lang)}, {fmt_int(len(sites), lang)} trạm đề xuất (tổng "
        f"{fmt_vnd(cost, lang)}) phủ sóng mới cho {fmt_int(people, lang)} người ở "
        f"{fmt_int(sites['villages_covered'].sum(), lang)} thôn — {fmt_pct(people / gap_people if gap_people else float('nan'), lang=lang)} "
        f"số người còn ở vùng lõm; bình quân {fmt_vnd(cost / people if people else float('nan'), lang)} mỗi người.",
        f"With a budget of {fmt_vnd(budget_vnd, lang)}, {fmt_int(len(sites), lang)} proposed sites (total "
        f"{fmt_vnd(cost, lang)}) newly cover {fmt_int(people, lang)} people in {fmt_int(sites['villages_covered'].sum(), lang)} "
        f"villages — {fmt_pct(people / gap_people if gap_people else float('nan'), lang=lang)} of the people in gap villages; "
        f"VND {fmt_int(cost / people if people else float('nan'), lang)} per person on average."))]
    best = sites.sort_values(["people_per_billion_vnd", "rank"], ascending=[False, True], kind="stable").iloc[0]
    kind = VALUES["site_kind"].get(str(best["site_kind"]), (best["site_kind"], best["site_kind"]))[0 if lang == "vi" else 1]
    out.append(Finding("best_people_per_billion_vnd", float(best["people_per_billion_vnd"]), _vi(
        lang, f"Trạm hiệu quả nhất: #{best['rank']} ({kind}), {fmt_num(best['people_per_billion_vnd'], 0, lang)} "
        f"người trên mỗi tỷ đồng.",
        f"Best value: site #{best['rank']} ({kind}), {fmt_num(best['people_per_billion_vnd'], 0, lang)} people "
        f"per billion VND.")))
    none = sites[sites["villages_covered"] == 0]
    out.append(Finding("sites_without_village", len(none), _vi(
        lang, f"{fmt_int(len(none), lang)} trạm không tự hoàn tất thôn nào" + (
            f": {none['why_no_village'].iloc[0].lower()}." if len(none) else "."),
        f"{fmt_int(len(none), lang)} sites complete no gap village by themselves" + (
            f": {none['why_no_village'].iloc[0].lower()}." if len(none) else "."))))
    g = methods.set_index("method")
    if "ilp" in g.index and g.at["ilp", "status"] in ("optimal", "feasible"):
        diff = float(g.at["ilp", "people_covered"] - g.at["greedy", "people_covered"])
        proven = g.at["ilp", "status"] == "optimal"
        if diff > 0:
            vi = f"Tối ưu chính xác phủ thêm {fmt_int(diff, lang)} người so với thuật toán tham lam với cùng ngân sách."
            en = f"The exact program covers {fmt_int(diff, lang)} more people than the greedy heuristic for the same budget."
        elif diff < 0:
            vi = (f"Thuật toán tham lam phủ nhiều hơn {fmt_int(-diff, lang)} người: chương trình chính xác dừng ở giới hạn "
                  "thời gian trước khi tìm được lời giải tốt hơn (tăng EXACT_TIME_LIMIT_S).")
            en = (f"The greedy heuristic covers {fmt_int(-diff, lang)} more people: the exact program stopped at its time "
                  "limit before finding a better solution (raise EXACT_TIME_LIMIT_S).")
        else:
            vi = "Thuật toán tham lam đạt đúng lời giải tối ưu." if proven else "Hai phương pháp cho cùng số người."
            en = "The greedy heuristic reaches the optimum." if proven else "Both methods cover the same people."
        out.append(Finding("exact_minus_greedy_people", round(diff), _vi(lang, vi, en)))
    return out


def change_findings(closed: pd.DataFrame, per_site: pd.DataFrame, opened: pd.DataFrame, before: str | None,
                    after: str, lang: str = "vi") -> list[Finding]:
    """How many gaps closed and opened between the periods, and how many the new sites explain."""
    if before is None:
        return [Finding("gaps_closed", None, _vi(lang, f"{fmt_date(after, lang)} là kỳ đầu tiên: chưa có kỳ trước để so sánh.",
                                                 f"{fmt_date(after, lang)} is the first period: nothing to compare with."))]
    by_site = closed["site_id"].notna().sum() if len(closed) else 0
    out = [Finding("gaps_closed", len(closed), _vi(
        lang, f"Từ {fmt_date(before, lang)} đến {fmt_date(after, lang)}, {fmt_int(len(closed), lang)} thôn hết lõm sóng 4G "
        f"({fmt_int(closed['people_newly_covered'].sum() if len(closed) else 0, lang)} người được phủ sóng mới); "
        f"{fmt_int(by_site, lang)} thôn có trạm mới gần nhất đưa vào hoạt động trong giai đoạn này.",
        f"From {fmt_date(before, lang)} to {fmt_date(after, lang)}, {fmt_int(len(closed), lang)} villages left the 4G gaps "
        f"({fmt_int(closed['people_newly_covered'].sum() if len(closed) else 0, lang)} people newly covered); "
        f"{fmt_int(by_site, lang)} of them have a site that came into service in between nearby."))]
    named = per_site[per_site["site_id"] != "—"]
    if len(named):
        top = named.iloc[0]
        out.append(Finding("top_new_site_people", float(top["people_newly_covered"]), _vi(
            lang, f"Trạm mới đóng góp nhiều nhất: {top['site_id']} ({top['operator']}, hoạt động từ "
            f"{fmt_date(top['in_service_from'], lang)}), {fmt_int(top['villages_closed'], lang)} thôn, "
            f"{fmt_int(top['people_newly_covered'], lang)} người.",
            f"The new site that did most: {top['site_id']} ({top['operator']}, in service from "
            f"{fmt_date(top['in_service_from'], lang)}), {fmt_int(top['villages_closed'], lang)} villages, "
            f"{fmt_int(top['people_newly_covered'], lang)} people.")))
    out.append(Finding("gaps_opened", len(opened), _vi(
        lang, f"{fmt_int(len(opened), lang)} thôn mất chuẩn 4G so với kỳ trước" + (" — cần kiểm tra." if len(opened) else "."),
        f"{fmt_int(len(opened), lang)} villages fell below the 4G rule since the previous period"
        + (" — to be checked." if len(opened) else "."))))
    return out


def sensitivity_findings(shares: pd.DataFrame, thresholds: pd.DataFrame, settings_covered: float, lang: str = "vi") -> list[Finding]:
    """How much the headline moves across the ranges tested."""
    out: list[Finding] = []
    if len(shares):
        lo, hi = shares["villages_4g_share"].min(), shares["villages_4g_share"].max()
        out.append(Finding("villages_4g_share_range", float(hi - lo), _vi(
            lang, f"Khi ngưỡng 'được phủ sóng' đi từ {fmt_pct(shares['covered_share'].min(), 0, lang)} đến "
            f"{fmt_pct(shares['covered_share'].max(), 0, lang)}, tỷ lệ thôn có 4G dao động từ {fmt_pct(lo, lang=lang)} đến "
            f"{fmt_pct(hi, lang=lang)} (ngưỡng áp dụng {fmt_pct(settings_covered, 0, lang)}); số người chưa có 4G không đổi.",
            f"As the covered threshold moves from {fmt_pct(shares['covered_share'].min(), 0, lang)} to "
            f"{fmt_pct(shares['covered_share'].max(), 0, lang)}, villages with 4G range from {fmt_pct(lo, lang=lang)} to "
            f"{fmt_pct(hi, lang=lang)} (in force: {fmt_pct(settings_covered, 0, lang)}); people without 4G do not change.")))
    if len(thresholds):
        lo, hi = thresholds["people_without_4g"].min(), thresholds["people_without_4g"].max()
        out.append(Finding("people_without_4g_threshold_range", float(hi - lo), _vi(
            lang, f"Với ngưỡng tín hiệu từ {fmt_int(thresholds['threshold_dbm'].min(), lang)} đến "
            f"{fmt_int(thresholds['threshold_dbm'].max(), lang)} dBm, số người chưa có 4G từ {fmt_int(lo, lang)} đến "
            f"{fmt_int(hi, lang)}.",
            f"With signal thresholds from {fmt_int(thresholds['threshold_dbm'].min(), lang)} to "
            f"{fmt_int(thresholds['threshold_dbm'].max(), lang)} dBm, people without 4G range from {fmt_int(lo, lang)} to "
            f"{fmt_int(hi, lang)}.")))
    return out
