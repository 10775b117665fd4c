"""Task 9 village survey: one row per village and survey date with the availability of fixed
broadband, radio, TV, press, a postal point and the commune radio's loudspeakers. Becomes one ``services`` row per
village × service (no geometry). Village ids must exist in the store.
"""

from __future__ import annotations

import pandas as pd

from villagecov.schema import SERVICES
from villagecov.sources.common import (
    ROW,
    Parsed,
    ReadContext,
    Rejects,
    apply_columns,
    as_of_column,
    blank,
    norm_name,
    parse_bools,
    require_columns,
    synthetic_flags,
)
from villagecov.sources.csvio import read_csv_text
from villagecov.sources.headings import recognise

SURVEY_COLUMNS = {
    "ma_thon": "village_id", "ngay": "as_of", "nguon": "source",
    "internet_co_dinh": "fixed_broadband", "bang_rong_co_dinh": "fixed_broadband", "cap_quang": "fixed_broadband",
    "truyen_thanh": "radio", "loa": "radio", "dai_truyen_thanh": "radio", "truyen_hinh": "tv",
    "bao_chi": "press", "bao": "press", "buu_chinh": "post", "diem_buu_dien": "post", "buu_dien": "post",
    "loa_truyen_thanh": "loudspeaker", "cum_loa": "loudspeaker", "loa_ngoai_troi": "loudspeaker",
}


def read_services(ctx: ReadContext) -> Parsed:
    """Services rows from a survey CSV; unknown villages and unreadable answers are rejected."""
    return read_survey_table(read_csv_text(ctx.path, ctx.file).frame, ctx)


def read_survey_table(frame: pd.DataFrame, ctx: ReadContext) -> Parsed:
    """Services rows from a survey table of text cells (CSV or spreadsheet). A blank answer is
    *unknown* (no row), not *no*; a count (``3`` loudspeakers) is *yes* when above 0."""
    rejects: Rejects = Rejects()
    notes: list[str] = []
    frame = recognise(apply_columns(frame, ctx.options.columns, SURVEY_COLUMNS), ctx, notes)
    if "village_id" not in frame.columns and "name" in frame.columns:
        commune = (frame["commune_code"] if "commune_code" in frame.columns else
                   frame["commune_name"] if "commune_name" in frame.columns else pd.Series("", index=frame.index))
        frame = frame.assign(village_id=commune.fillna("").astype(str).map(norm_name) + "-"
                             + frame["name"].fillna("").astype(str).map(norm_name))
        notes.append("no village code column: villages matched by commune and village name")
    require_columns(frame, ctx, ["village_id"])
    present = [s for s in SERVICES if s in frame.columns]
    if not present:
        raise ctx.error(f"no service column (one of {', '.join(SERVICES)})", field="fixed_broadband")
    frame = rejects.drop(frame, blank(frame["village_id"]), "village_id", "village_id is empty")
    frame["village_id"] = frame["village_id"].astype(str).str.strip()
    known = ctx.known_villages or set()
    frame = rejects.drop(frame, ~frame["village_id"].isin(known), "village_id",
                         "unknown village_id '{value}' (not in the store: ingest villages first)")
    answers: dict[str, pd.Series] = {}
    for service in present:
        values, bad = parse_bools(frame[service].map(_count_answer))
        frame = rejects.drop(frame, bad, service, f"{service} '{{value}}' is not yes/no (1/0, có/không)")
        answers[service] = values
    frame, as_of = as_of_column(frame, ctx, rejects)
    key = frame["village_id"] + "|" + as_of
    dup = key.duplicated(keep="first")
    first = frame.assign(k=key).drop_duplicates("k").set_index("k")[ROW]
    reason = key.map(lambda k: f"duplicate survey of village '{k.split('|')[0]}' for {k.split('|')[1]} "
                               f"(first at row {first[k]})")
    frame = rejects.drop(frame, dup, "village_id", "{value}", value=reason.where(dup))
    idx = frame.index
    synthetic = synthetic_flags(frame, ctx)
    source = frame["source"].where(~blank(frame["source"]), ctx.file) if "source" in frame.columns else ctx.file
    base = pd.DataFrame({"village_id": frame["village_id"], "as_of": as_of[idx], "synthetic": synthetic,
                         "source": source, "sha256": ctx.sha256})
    rows = []
    for service in present:
        part = base.assign(service=service, available=answers[service][idx])
        rows.append(part[part["available"].notna()])
    out = pd.concat(rows, ignore_index=True)
    unknown = int(sum(answers[s][idx].isna().sum() for s in present))
    if unknown:
        notes.append(f"{unknown} blank answers kept as unknown (not 'no')")
    return Parsed({"services": out}, rejects, notes)


def _count_answer(value: object) -> object:
    """``3`` (loudspeakers, subscribers) → yes, ``0`` → no; other answers as given."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    text = str(value).strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return value
    return "1" if number > 0 else "0"
