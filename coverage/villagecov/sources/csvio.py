"""Reading CSV files the way people save them: Excel's UTF-8 with BOM, Windows-1258, UTF-16,
``;`` separators with decimal commas. Every cell is read as text; readers parse the values.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from villagecov.errors import InputError
from villagecov.sources.common import ROW, norm_name


@dataclass
class CsvTable:
    frame: pd.DataFrame  # text columns (names normalised) + _row
    encoding: str
    separator: str
    decimal_comma: bool


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise InputError("binary data, not a CSV text file", file=file)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Windows-1258 writes Vietnamese with combining tone marks: compose them (NFC).
    return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace")), "cp1258"


def sniff_separator(header: str) -> str:
    """The separator of a header line: the most frequent of ``,`` ``;`` tab ``|`` outside quotes."""
    counts = {sep: 0 for sep in (",", ";", "\t", "|")}
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else ","


def read_csv_text(path: Path, file: str) -> CsvTable:
    """Read ``path`` as a table of text cells with normalised column names and a 1-based ``_row``."""
    data = path.read_bytes()
    text, encoding = decode(data, file)
    if not text.strip():
        raise InputError("empty file", file=file)
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = sniff_separator(header)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
            skipinitialspace=True, engine="c", on_bad_lines="error", quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as exc:
        raise InputError(f"malformed CSV: {_first_line(exc)}", file=file) from None
    except pd.errors.EmptyDataError:
        raise InputError("empty file", file=file) from None
    del text
    if frame.empty:
        raise InputError("no data rows (only a header)", file=file)
    names = [norm_name(c) for c in frame.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError("column appears twice", file=file, field=dupes[0])
    frame.columns = names
    frame[ROW] = range(1, len(frame) + 1)
    frame = frame.reset_index(drop=True)
    return CsvTable(frame=frame, encoding=encoding, separator=sep, decimal_comma=sep in (";", "\t"))


def _first_line(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()
    text = msg[0] if msg else type(exc).__name__
    return text.replace("Error tokenizing data. C error: ", "")
