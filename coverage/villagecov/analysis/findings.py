"""Findings written from the numbers: what changed, where the largest gaps are, what to do next.

Each finding carries its ``key``, the ``value`` it states (as stored: shares as fractions, counts,
people) and the sentence, Vietnamese first (``lang="en"`` for English). The notebooks show them
as their closing section and export them (``findings_…csv``) so the tests can check every value
against ``villagecov indicators``. Nothing here reads the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from villagecov.analysis.fmt import fmt_date, fmt_int, fmt_pct, fmt_pp
from villagecov.analysis.progress import shortfall

FINDING_COLUMNS = ["key", "value", "text"]


@dataclass(frozen=True)
class Finding:
    key: str
    value: float | None
    text: str


def _vi(lang: str, vi: str, en: str) -> str:
    return vi if lang == "vi" else en


def findings_table(findings: Sequence[Finding]) -> pd.DataFrame:
    return pd.DataFrame([{"key": f.key, "value": f.value, "text": f.text} for f in findings], columns=FINDING_COLUMNS)


def findings_markdown(findings: Sequence[Finding], lang: str = "vi") -> str:
    """The closing section of a notebook: a heading and one bullet per finding."""
    head = _vi(lang, "## Kết luận — những điều số liệu cho thấy", "## Findings — what the numbers show")
    if not findings:
        return head + "\n\n" + _vi(lang, "Không có số liệu để rút ra kết luận.", "No data to draw findings from.")
    return head + "\n\n" + "\n".join(f"- {f.text}" for f in findings)


def _row(long: pd.DataFrame, indicator: str, as_of: str) -> pd.Series | None:
    r = long[(long["indicator"] == indicator) & (long["as_of"] == as_of)]
    return r.iloc[0] if len(r) and pd.notna(r.iloc[0]["value"]) else None


def _since(row: pd.Series, lang: str, pct: bool = True) -> str:
    if pd.isna(row["change"]):
        return _vi(lang, "chưa có kỳ trước để so sánh", "no earlier period to compare with")
    base = fmt_date(row["baseline_as_of"], lang)
    if pct:
        return _vi(lang, f"{fmt_pp(row['change'], lang=lang)} so với kỳ gốc {base}",
                   f"{fmt_pp(row['change'], lang=lang)} since the baseline of {base}")
    return _vi(lang, f"kỳ gốc {base}: {fmt_int(row['baseline'], lang)}", f"baseline {base}: {fmt_int(row['baseline'], lang)}")


def progress_findings(province: pd.DataFrame, units: pd.DataFrame, as_of: str, people_without_4g: float,
                      lang: str = "vi", unit_word: str = "") -> list[Finding]:
    """Province findings at ``as_of`` (``province``: progress_long of the province) and the unit
    furthest behind on villages with 4G (``units``: progress_long of districts or communes)."""
    out: list[Finding] = []
    d = fmt_date(as_of, lang)
    r = _row(province, "t8.villages_4g_share", as_of)
    if r is not None:
        gap = r["target"] - r["value"] if pd.notna(r["target"]) else None
        rest = (_vi(lang, f"; còn {fmt_pp(gap, lang=lang).lstrip('+')} mới đạt mục tiêu {fmt_pct(r['target'], 0, lang)}",
                    f"; {fmt_pp(gap, lang=lang).lstrip('+')} short of the {fmt_pct(r['target'], 0, lang)} target")
                if gap is not None and gap > 0 else _vi(lang, "; đã đạt mục tiêu", "; the target is reached"))
        out.append(Finding("t8.villages_4g_share", float(r["value"]), _vi(
            lang,
            f"Đến {d}, {fmt_pct(r['value'], lang=lang)} số thôn có sóng 4G ({fmt_int(r['numerator'], lang)}/"
            f"{fmt_int(r['denominator'], lang)} thôn), {_since(r, lang)}{rest}.",
            f"By {d}, {fmt_pct(r['value'], lang=lang)} of villages have 4G ({fmt_int(r['numerator'], lang)} of "
            f"{fmt_int(r['denominator'], lang)}), {_since(r, lang)}{rest}.")))
    r = _row(province, "t8.population_4g_share", as_of)
    if r is not None:
        out.append(Finding("t8.population_4g_share", float(r["value"]), _vi(
            lang, f"{fmt_pct(r['value'], lang=lang)} dân số sống trong vùng phủ sóng 4G ({_since(r, lang)}).",
            f"{fmt_pct(r['value'], lang=lang)} of the people live inside 4G coverage ({_since(r, lang)}).")))
    out.append(Finding("people_without_4g", round(people_without_4g), _vi(
        lang, f"{fmt_int(people_without_4g, lang)} người còn sống ở phần chưa được phủ sóng 4G của các thôn.",
        f"{fmt_int(people_without_4g, lang)} people still live in the parts of villages without 4G.")))
    r = _row(province, "t8.villages_no_signal", as_of)
    if r is not None:
        out.append(Finding("t8.villages_no_signal", float(r["value"]), _vi(
            lang, f"Còn {fmt_int(r['value'], lang)} thôn chưa có sóng di động ({_since(r, lang, pct=False)}).",
            f"{fmt_int(r['value'], lang)} villages still have no mobile signal ({_since(r, lang, pct=False)}).")))
    r = _row(province, "t9.villages_all_services_share", as_of)
    if r is not None:
        out.append(Finding("t9.villages_all_services_share", float(r["value"]), _vi(
            lang, f"{fmt_pct(r['value'], lang=lang)} số thôn có đủ Internet, phát thanh, truyền hình và báo chí "
            f"({_since(r, lang)}).",
            f"{fmt_pct(r['value'], lang=lang)} of villages have Internet, radio, TV and the press ({_since(r, lang)}).")))
    behind = units[(units["indicator"] == "t8.villages_4g_share") & (units["as_of"] == as_of)]
    behind = behind.assign(_gap=shortfall(behind)).loc[lambda r: r["_gap"].notna()]  # no official target: lowest
    if len(behind):
        w = behind.sort_values(["_gap", "unit_code"], ascending=[False, True], kind="stable").iloc[0]
        out.append(Finding("furthest_behind", float(w["value"]), _vi(
            lang, f"Xa mục tiêu nhất: {unit_word}{w['unit_name']} ({w['unit_code']}), {fmt_pct(w['value'], lang=lang)} "
            f"số thôn có 4G — nên ưu tiên đầu tư tại đây.",
            f"Furthest behind: {unit_word}{w['unit_name']} ({w['unit_code']}), {fmt_pct(w['value'], lang=lang)} of "
            f"villages with 4G — the place to invest first.")))
    return out


def gap_findings(summary: pd.Series, unit_gaps: pd.DataFrame, ranked: pd.DataFrame, shortlist_n: int,
                 lang: str = "vi") -> list[Finding]:
    """Findings of the gap analysis: villages and people without 4G, the unit with most people
    without 4G, what the short list brings."""
    out = [
        Finding("villages_no_4g", int(summary["villages_no_4g"]), _vi(
            lang, f"{fmt_int(summary['villages_no_4g'], lang)} trên {fmt_int(summary['villages'], lang)} thôn chưa đạt "
            f"chuẩn phủ sóng 4G, trong đó {fmt_int(summary['villages_no_signal'], lang)} thôn không có sóng di động "
            f"nào và {fmt_int(summary['remote_villages_no_4g'], lang)} thôn thuộc vùng sâu, vùng xa.",
            f"{fmt_int(summary['villages_no_4g'], lang)} of {fmt_int(summary['villages'], lang)} villages are below "
            f"the 4G rule; {fmt_int(summary['villages_no_signal'], lang)} have no mobile signal at all and "
            f"{fmt_int(summary['remote_villages_no_4g'], lang)} are remote.")),
        Finding("people_without_4g", int(summary["people_without_4g"]), _vi(
            lang, f"{fmt_int(summary['people_without_4g'], lang)} người ({fmt_pct(summary['share_people_without_4g'], lang=lang)} "
            f"dân số) sống ở phần chưa được phủ sóng 4G; con số cũ {fmt_int(summary['population_gap_villages'], lang)} "
            f"là toàn bộ dân số các thôn chưa đạt chuẩn, kể cả người đã có sóng.",
            f"{fmt_int(summary['people_without_4g'], lang)} people ({fmt_pct(summary['share_people_without_4g'], lang=lang)} "
            f"of the population) live where there is no 4G; the older figure "
            f"{fmt_int(summary['population_gap_villages'], lang)} is the whole population of the villages below the "
            f"rule, including people who have 4G.")),
    ]
    top = unit_gaps[unit_gaps["people_without_4g"] > 0].head(3)
    if len(top):
        names = ", ".join(f"{n} ({fmt_int(p, lang)})" for n, p in zip(top["unit_name"], top["people_without_4g"],
                                                                        strict=True))
        out.append(Finding("largest_unit_people_without_4g", float(top["people_without_4g"].iloc[0]), _vi(
            lang, f"Nhiều người chưa có 4G nhất: {names}.", f"Most people without 4G: {names}.")))
    if len(ranked):
        short = ranked.sort_values("rank", kind="stable").head(shortlist_n)
        people = float(short["people_without_4g"].sum()) if "people_without_4g" in short else float("nan")
        out.append(Finding("shortlist_people_without_4g", round(people), _vi(
            lang, f"Việc tiếp theo: phủ sóng {fmt_int(len(short), lang)} thôn trong danh sách ưu tiên sẽ đưa 4G đến "
            f"tối đa {fmt_int(people, lang)} người; thôn đứng đầu là {short['name'].iloc[0]}.",
            f"Next: covering the {fmt_int(len(short), lang)} villages of the short list reaches up to "
            f"{fmt_int(people, lang)} people without 4G; first is {short['name'].iloc[0]}.")))
    return out


def evidence_findings(per_operator: pd.DataFrame, reach: pd.DataFrame, coverage: pd.DataFrame, single: pd.DataFrame,
                      rejected_rows: int, lang: str = "vi") -> list[Finding]:
    """Findings on the evidence: agreement per operator (with its interval), villages never
    tested, operators compared, villages on a single operator, rows rejected at ingest."""
    out: list[Finding] = []
    tested = per_operator[per_operator["tests"] > 0]
    if len(tested):
        worst = tested.sort_values(["tests_ok_share", "operator"], kind="stable").iloc[0]
        out.append(Finding("lowest_tests_ok_share", float(worst["tests_ok_share"]), _vi(
            lang, f"Kết quả đo khớp kém nhất với vùng công bố: {worst['operator']} {worst['technology']}, "
            f"{fmt_pct(worst['tests_ok_share'], lang=lang)} lần đo đạt ngưỡng (khoảng tin cậy 95 %: "
            f"{fmt_pct(worst['tests_ok_low'], lang=lang)}–{fmt_pct(worst['tests_ok_high'], lang=lang)}, "
            f"{fmt_int(worst['tests'], lang)} lần đo); {fmt_int(worst['villages_contradicted'], lang)} thôn bị bác bỏ.",
            f"Declared coverage agrees least with the tests for {worst['operator']} {worst['technology']}: "
            f"{fmt_pct(worst['tests_ok_share'], lang=lang)} of tests meet the threshold (95 % interval "
            f"{fmt_pct(worst['tests_ok_low'], lang=lang)}–{fmt_pct(worst['tests_ok_high'], lang=lang)}, "
            f"{fmt_int(worst['tests'], lang)} tests); {fmt_int(worst['villages_contradicted'], lang)} villages contradicted.")))
    if len(reach):
        declared, tested_n = int(reach["villages_declared"].sum()), int(reach["villages_tested"].sum())
        share = 1 - tested_n / declared if declared else float("nan")
        out.append(Finding("never_tested_share", share, _vi(
            lang, f"{fmt_pct(share, lang=lang)} cặp thôn–doanh nghiệp có vùng phủ công bố chưa từng được đo kiểm "
            f"({fmt_int(declared - tested_n, lang)}/{fmt_int(declared, lang)}): cần đo kiểm thêm trước khi tin số liệu công bố.",
            f"{fmt_pct(share, lang=lang)} of the village–operator pairs with declared coverage were never tested "
            f"({fmt_int(declared - tested_n, lang)} of {fmt_int(declared, lang)}): test more before relying on them.")))
    ops = coverage[coverage["operator"] != "ANY"]
    if len(ops):
        top = ops.iloc[0]
        out.append(Finding("top_operator_villages", int(top["villages_covered"]), _vi(
            lang, f"Doanh nghiệp phủ nhiều thôn nhất: {top['operator']} ({fmt_int(top['villages_covered'], lang)} thôn, "
            f"{fmt_pct(top['villages_covered_share'], lang=lang)}).",
            f"The operator covering most villages: {top['operator']} ({fmt_int(top['villages_covered'], lang)} villages, "
            f"{fmt_pct(top['villages_covered_share'], lang=lang)}).")))
    out.append(Finding("single_operator_villages", len(single), _vi(
        lang, f"{fmt_int(len(single), lang)} thôn chỉ có sóng 4G của một doanh nghiệp "
        f"({fmt_int(single['population'].sum() if len(single) else 0, lang)} người): mất sóng khi trạm của doanh nghiệp đó hỏng.",
        f"{fmt_int(len(single), lang)} villages have 4G from one operator only "
        f"({fmt_int(single['population'].sum() if len(single) else 0, lang)} people): they lose it if that operator's site fails.")))
    out.append(Finding("rows_rejected", rejected_rows, _vi(
        lang, f"{fmt_int(rejected_rows, lang)} dòng số liệu bị loại khi tiếp nhận (xem báo cáo cách ly).",
        f"{fmt_int(rejected_rows, lang)} rows were rejected at ingest (see the quarantine reports).")))
    return out
