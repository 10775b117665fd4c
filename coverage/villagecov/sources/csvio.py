"""Reading CSV files the way people save them: Excel's UTF-8 with BOM, Windows-1258, UTF-16,
``;`` separators with decimal commas. Every cell is read as text; readers parse the values.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from villagecov.errors import InputError
from villagecov.sources.common import ROW, norm_name

# OpenCelliD's exports (per-country ``452.csv.gz``, the full ``cell_towers.csv.gz``) come without a
# header line; the full export's header, when present, is the same 14 names.
OPENCELLID_HEADER = ("radio", "mcc", "net", "area", "cell", "unit", "lon", "lat", "range", "samples", "changeable",
                     "created", "updated", "averagesignal")
RADIO_NAMES = {"GSM", "UMTS", "LTE", "NR", "CDMA", "NBIOT"}


def headerless_names(first_line: str, sep: str) -> list[str] | None:
    """Column names for a known headerless format (OpenCelliD cells), judged from the first line."""
    fields = [f.strip().strip('"') for f in first_line.rstrip("\r").split(sep)]
    if sep == "," and fields and fields[0].upper() in RADIO_NAMES and 13 <= len(fields) <= len(OPENCELLID_HEADER):
        return list(OPENCELLID_HEADER[: len(fields)])
    return None


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
    return next(iter_csv_text(path, file, None))


def iter_csv_text(path: Path, file: str, chunk_rows: int | None) -> Iterator[CsvTable]:
    """Like :func:`read_csv_text`, in tables of at most ``chunk_rows`` rows (``_row`` runs on)."""
    data = path.read_bytes()
    text, encoding = decode(data, file)
    if not text.strip():
        raise InputError("empty file", file=file)
    header = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = sniff_separator(header)
    names = headerless_names(header, sep)
    # UTF-8 is parsed from the bytes (no second copy of the text); other encodings from the text.
    source = io.BytesIO(data) if encoding.startswith("utf-8") else io.StringIO(text)
    del text, data
    start = 0
    try:
        reader = pd.read_csv(
            source, sep=sep, dtype=str, keep_default_na=False, na_values=[""], encoding=encoding,
            skipinitialspace=True, engine="c", on_bad_lines="error", quoting=csv.QUOTE_MINIMAL,
            chunksize=chunk_rows, header=None if names else "infer", names=names,
        )
        for frame in [reader] if chunk_rows is None else reader:
            if frame.empty:
                break
            if start == 0:
                names = [norm_name(c) for c in frame.columns]
                dupes = sorted({n for n in names if names.count(n) > 1})
                if dupes:
                    raise InputError("column appears twice", file=file, field=dupes[0])
            frame.columns = names
            frame[ROW] = range(start + 1, start + len(frame) + 1)
            start += len(frame)
            yield CsvTable(frame=frame.reset_index(drop=True), encoding=encoding, separator=sep,
                           decimal_comma=sep in (";", "\t"))
    except pd.errors.ParserError as exc:
        raise InputError(f"malformed CSV: {_first_line(exc)}", file=file) from None
    except pd.errors.EmptyDataError:
        raise InputError("empty file", file=file) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid {encoding} text ({exc.reason})", file=file) from None
    if start == 0:
        raise InputError("no data rows (only a header)", file=file)


def _first_line(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()
    text = msg[0] if msg else type(exc).__name__
    return text.replace("Error tokenizing data. C error: ", "")
