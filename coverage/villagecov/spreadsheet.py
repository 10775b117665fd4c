"""Cells that spreadsheets must not run: CSV/XLSX outputs neutralise formula text.

Excel, LibreOffice and Google Sheets evaluate a cell that begins with ``=``, ``+``, ``-``, ``@``
(and, through their import quirks, a tab or carriage return) — ``=cmd|' /C calc'!A1`` in a
village name becomes code on the planner's computer (CSV injection, OWASP). Every such text
cell is written with a leading apostrophe, which spreadsheets show as text; plain numbers such
as ``-105.5`` stay as they are. Only text columns are touched.
"""

from __future__ import annotations

import re

import pandas as pd

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise_cell(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_TRIGGERS) and not _NUMBER.match(value.strip()):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as formulas (geometry left alone)."""
    out = frame.copy()
    for col in out.columns:
        if col == "geometry" or not (out[col].dtype == object or isinstance(out[col].dtype, pd.StringDtype)):
            continue
        values = out[col]
        if any(isinstance(v, str) and v.startswith(_TRIGGERS) for v in values):
            out[col] = pd.Series([neutralise_cell(v) for v in values], index=values.index, dtype=object)
    return out
