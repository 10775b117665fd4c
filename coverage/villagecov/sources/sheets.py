"""Spreadsheets (XLSX, XLSM, XLS, ODS) as Vietnamese registers and surveys come: title rows above
the header, merged cells, a two-row header (group heading over sub-headings), a "(1) (2) (3)…"
column-number row, district/commune group rows, a totals row, decimal commas, DMS coordinates.

Read with python-calamine (one reader for all four formats). The sheet is turned into a plain
table with canonical column names (Vietnamese headings recognised by :mod:`.headings`) and handed
to the villages or services reader; row numbers in messages are the spreadsheet's own rows.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from villagecov.errors import InputError
from villagecov.sources.common import ROW, Parsed, ReadContext, ascii_fold, norm_name, plain_message
from villagecov.sources.headings import (
    COMMUNE_PREFIXES,
    DISTRICT_PREFIXES,
    canonical,
    is_total,
    parse_dms,
)

MAX_HEADER_SCAN = 40  # the header is looked for in this many first rows
COLUMN_NUMBER = re.compile(r"^\(?\s*[0-9ivxlc]+\s*\)?(\s*=\s*.*)?$", re.IGNORECASE)
NUMERIC_FIELDS = {"population", "households", "lon", "lat"}


@dataclasses.dataclass
class SheetTable:
    frame: pd.DataFrame  # text cells, canonical names, _row = spreadsheet row (1-based)
    sheet: str
    notes: list[str]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _rows(path: Path, file: str, wanted: str | None) -> tuple[str, list[list[str]]]:
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if wanted is not None and wanted not in names:
            if wanted.isdigit() and 1 <= int(wanted) <= len(names):
                wanted = names[int(wanted) - 1]
            else:
                raise InputError(f"no sheet {wanted!r} (sheets: {', '.join(names)})", file=file, field="--sheet")
        best: tuple[int, str, list[list[str]]] | None = None
        for name in [wanted] if wanted else names:
            sheet = book.get_sheet_by_name(name)
            rows = [[_cell_text(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
            _unmerge(rows, getattr(sheet, "merged_cell_ranges", None))
            score = max((_score(r) for r in rows[:MAX_HEADER_SCAN]), default=0)
            if best is None or score > best[0]:
                best = (score, name, rows)
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own classes for damaged or protected files
        raise InputError(f"cannot read the spreadsheet: {plain_message(exc, 160)}", file=file) from None
    if best is None:
        raise InputError("the spreadsheet has no sheet", file=file)
    return best[1], best[2]


def _unmerge(rows: list[list[str]], merged: Any) -> None:
    """Copy each merged range's top-left value into all its cells (calamine leaves them blank)."""
    for rng in merged or []:
        try:
            (r0, c0), (r1, c1) = rng
        except (TypeError, ValueError):
            continue
        if r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                if not rows[r][c]:
                    rows[r][c] = value


def _score(row: list[str]) -> int:
    """Distinct recognised fields in a row (a merged title row repeats one text: it scores 1 at most)."""
    return len({canonical(norm_name(v)) for v in row if v} - {None, "_skip"})


def _header(rows: list[list[str]], file: str) -> tuple[int, list[str], list[str]]:
    """(index of the last header row, canonical names, original headings) of the sheet."""
    scores = [_score(r) for r in rows[:MAX_HEADER_SCAN]]
    if not scores or max(scores) < 2:
        raise InputError("no header row found in the first 40 rows (e.g. 'Tên thôn', 'Mã xã', 'Dân số')", file=file)
    h = scores.index(max(scores))
    width = max(len(r) for r in rows)
    top = rows[h] + [""] * (width - len(rows[h]))
    headings = list(top)
    last = h
    if h + 1 < len(scores) and scores[h + 1] >= 2:  # sub-headings under a group heading (no numbers: not data)
        sub = rows[h + 1] + [""] * (width - len(rows[h + 1]))
        if not _is_number_row(sub) and not any(re.fullmatch(r"-?[\d.,/:\- ]+", v) for v in sub if v):
            headings = [s if s else t for t, s in zip(top, sub, strict=True)]
            last = h + 1
    if h > 0:  # a heading merged over two rows has its text in the row above
        above = rows[h - 1] + [""] * (width - len(rows[h - 1]))
        headings = [t if t else a for t, a in zip(headings, above, strict=True)]
    names = []
    for i, text in enumerate(headings):
        key = norm_name(text) if text else f"column_{i + 1}"
        names.append(canonical(key) or key)
    return last, names, headings


def _is_number_row(row: list[str]) -> bool:
    cells = [v for v in row if v]
    return bool(cells) and all(COLUMN_NUMBER.match(v.replace(" ", "")) for v in cells)


def read_sheet(path: Path, file: str, sheet: str | None) -> SheetTable:
    """The sheet as text cells with canonical names; title, number, group and total rows skipped."""
    name, rows = _rows(path, file, sheet)
    last, names, headings = _header(rows, file)
    notes: list[str] = []
    records, row_numbers = [], []
    commune_ctx = district_ctx = ""
    skipped = {"column numbers": 0, "group": 0, "total": 0, "blank": 0}
    width = len(names)
    for r in range(last + 1, len(rows)):
        cells = (rows[r] + [""] * width)[:width]
        filled = [v for v in cells if v]
        if not filled:
            skipped["blank"] += 1
            continue
        if _is_number_row(cells) and r <= last + 2:
            skipped["column numbers"] += 1
            continue
        if is_total(filled[0]) or (len(filled) > 1 and is_total(filled[1]) and len(filled[0]) <= 4):
            skipped["total"] += 1
            continue
        if len(filled) <= 2 and len(filled) < max(3, width // 2):  # a group heading row (district, commune)
            text = filled[-1]
            folded = ascii_fold(text).lower()
            if folded.startswith(COMMUNE_PREFIXES):
                commune_ctx = text
            elif folded.startswith(DISTRICT_PREFIXES):
                district_ctx, commune_ctx = text, ""
            skipped["group"] += 1
            continue
        record = dict(zip(names, cells, strict=True))
        if commune_ctx and not record.get("commune_name") and not record.get("commune_code"):
            record["commune_name"] = commune_ctx
        if district_ctx and not record.get("district_name"):
            record["district_name"] = district_ctx
        records.append(record)
        row_numbers.append(r + 1)
    if not records:
        raise InputError(f"sheet {name!r} has a header but no data rows", file=file)
    frame = pd.DataFrame.from_records(records)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for col in NUMERIC_FIELDS & set(frame.columns):
        frame[col] = frame[col].map(_number_text if col in ("population", "households") else _coordinate_text)
    frame[ROW] = row_numbers
    done = ", ".join(f"{n} {k} row{'s' if n > 1 else ''}" for k, n in skipped.items() if n and k != "blank")
    notes.insert(0, f"sheet {name!r}: header at row {last + 1}, {len(records)} data rows" + (f" ({done} skipped)" if done
                                                                                              else ""))
    return SheetTable(frame.drop(columns=[c for c in frame.columns if c == "_skip"]), name, notes)


def _number_text(text: str) -> str:
    """``1.234`` (Vietnamese thousands) → ``1234``; ``12,5`` → ``12.5``."""
    t = text.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", t):
        return t.replace(".", "")
    if re.fullmatch(r"-?\d+,\d+", t):
        return t.replace(",", ".")
    return t


def _coordinate_text(text: str) -> str:
    t = text.strip()
    if re.fullmatch(r"-?\d+,\d+", t):
        return t.replace(",", ".")
    value = parse_dms(t)
    return repr(value) if value is not None else t


def read_sheet_kind(kind: str) -> Callable[[ReadContext], Parsed]:
    """A reader of ``kind`` (villages, services) for spreadsheets."""

    def read(ctx: ReadContext) -> Parsed:
        table = read_sheet(ctx.path, ctx.file, ctx.options.sheet)
        frame = table.frame
        if kind == "villages":
            from villagecov.sources.villages import read_village_table

            parsed = read_village_table(frame, ctx, decimal_comma=False)
        else:
            from villagecov.sources.services import read_survey_table

            parsed = read_survey_table(frame, ctx)
        parsed.notes[:0] = table.notes
        return parsed

    return read
