"""What every reader shares: options, the reading context, rejected rows, value parsing.

Readers work on frames whose column names are normalised (:func:`norm_name`) and that carry a
1-based ``_row`` column (the record number in the file, header not counted). Row problems are
recorded in :class:`Rejects` and the row is dropped; whole-file problems raise
:class:`~villagecov.errors.InputError`. Geometry is EPSG:4326 (lon/lat degrees).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.errors import InputError
from villagecov.schema import ANY_OPERATOR, MNC_OPERATORS, OPERATORS, TECHNOLOGIES

ROW = "_row"
LOCAL_TZ = "Asia/Ho_Chi_Minh"  # naive times in inputs are Vietnamese local time (UTC+7)


@dataclass
class IngestOptions:
    """Options of one ingest; ``key()`` is part of the duplicate-submission identity."""

    operator: str | None = None
    technology: str | None = None
    as_of: str | None = None
    assume_crs: str | None = None
    layer: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    evidence: str | None = None
    value: str | None = None
    boundary_version: str | None = "2019"  # None: told by the file's commune codes (ingest_file)
    sheet: str | None = None  # spreadsheets: the sheet's name or 1-based number (default: the one with a header)
    classes: str | None = None  # class rasters: "1=strong,2=variable" (see sources.coverage_raster)
    extent: str | None = None  # coverage: unit codes or a polygon file (see villagecov.extents)

    def __post_init__(self) -> None:
        if isinstance(self.columns, str):  # "a=b,c=d" as the CLI takes it
            self.columns = parse_columns(self.columns)
        else:
            self.columns = {norm_name(k): norm_name(v) for k, v in (self.columns or {}).items()}

    def key(self) -> str:
        data = {k: v for k, v in self.__dict__.items() if v not in (None, {}, "")}
        return json.dumps(data, sort_keys=True, ensure_ascii=False)


@dataclass
class ReadContext:
    """Everything a reader may use besides the file: reference geometry and limits."""

    file: str  # original file name, used in messages
    path: Path  # the archived copy that is parsed
    sha256: str
    options: IngestOptions
    province: shapely.Geometry  # EPSG:4326
    communes: gpd.GeoDataFrame  # code, name, geometry (EPSG:4326) of options.boundary_version
    workdir: Path  # scratch folder (zip extraction), removed after the ingest
    archive_dir: Path  # folder of the archived file: derived files (COG) go here
    max_uncompressed_bytes: int
    known_villages: set[str] | None = None
    inner_name: str | None = None  # the parsed file's own name when it came out of an archive

    @property
    def synthetic_name(self) -> bool:
        return "SYNTHETIC" in self.file.upper()

    def error(self, message: str, **kw: Any) -> InputError:
        return InputError(message, file=self.file, **kw)


@dataclass
class Parsed:
    """A reader's result: rows per table, rejected rows, notes for the summary.

    ``chunks``, when given, yields further ``(table, frame)`` pieces lazily so that a large file
    is validated and written piece by piece inside the one transaction (bounded memory); rejects
    and notes grow while it is consumed.
    """

    tables: dict[str, pd.DataFrame]
    rejects: Rejects
    notes: list[str] = field(default_factory=list)
    chunks: Iterator[tuple[str, pd.DataFrame]] | None = None

    @property
    def accepted(self) -> int:
        return sum(len(f) for f in self.tables.values())


class Rejects:
    """Rejected rows: row number (1-based), field, offending value, reason."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, row: int, field: str, value: Any, reason: str, layer: str | None = None) -> None:
        self.rows.append(
            {"layer": layer, "row": int(row), "field": field, "value": _text(value), "reason": reason}
        )

    def drop(
        self, frame: pd.DataFrame, bad: Any, field: str, reason: str, value: pd.Series | None = None,
        layer: str | None = None,
    ) -> pd.DataFrame:
        """Record rows of ``frame`` where ``bad`` is true and return the others.

        ``reason`` may contain ``{value}``, filled with the offending value of each row.
        """
        mask = np.asarray(bad, dtype=bool)
        if not mask.any():
            return frame
        sub = frame[mask]
        vals = (value[mask] if value is not None else sub[field] if field in sub.columns else None)
        vals_list = list(vals) if vals is not None else [None] * len(sub)
        for row, val in zip(sub[ROW].tolist(), vals_list, strict=True):
            self.add(row, field, val, reason.replace("{value}", _text(val) or ""), layer)
        return frame[~mask]

    def __len__(self) -> int:
        return len(self.rows)

    def by_reason(self) -> Counter[str]:
        return Counter(_generic(r["reason"]) for r in self.rows)

    def frame(self) -> pd.DataFrame:
        cols = ["layer", "row", "field", "value", "reason"]
        return pd.DataFrame(self.rows, columns=cols).sort_values(["layer", "row"], kind="stable", na_position="first")


def plain_message(exc: BaseException | str, limit: int = 200) -> str:
    """The first line of a library's error, with file paths cut to their base names (messages name
    the user's file, never the archive's or scratch folder's paths)."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else type(exc).__name__
    text = re.sub(r"(/vsi\w+/)?(/[^\s'\"]+/)+([^\s'\"/]+)", r"\3", text)
    return text[:limit]


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, shapely.Geometry):
        return value.wkt[:80]
    return str(value)


def _generic(reason: str) -> str:
    """Reason without its quoted value, to count rejections by kind ("unknown operator 'x'")."""
    return re.sub(r"'[^']*'", "'…'", reason)


# -- names and column mapping ---------------------------------------------------------------------


def ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def norm_name(name: str) -> str:
    """Column name → lower-case ASCII snake case: ``"Tên thôn"`` → ``ten_thon``."""
    folded = ascii_fold(str(name).strip().lstrip("\ufeff")).lower()
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_")


def parse_columns(spec: str | None, file_text: str | None = None) -> dict[str, str]:
    """Column mapping from ``a=b,c=d`` and/or a mapping file's text (JSON object or ``a=b`` lines)."""
    mapping: dict[str, str] = {}
    if file_text:
        stripped = file_text.strip().lstrip("\ufeff")
        if stripped.startswith("{"):
            try:
                data = json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise InputError(f"not valid JSON: {exc.msg}", field="--columns-file") from None
            if not isinstance(data, dict):
                raise InputError("must be a JSON object {source: target}", field="--columns-file")
            mapping.update({str(k): str(v) for k, v in data.items()})
        else:
            mapping.update(_pairs(stripped.replace("\n", ","), "--columns-file"))
    if spec:
        mapping.update(_pairs(spec, "--columns"))
    return {norm_name(k): norm_name(v) for k, v in mapping.items()}


def _pairs(text: str, option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.split(","):
        part = part.strip()
        if not part or part.startswith("#"):
            continue
        if "=" not in part:
            raise InputError(f"expected SOURCE=TARGET, got {part!r}", field=option)
        src, dst = (p.strip() for p in part.split("=", 1))
        out[src] = dst
    return out


def apply_columns(frame: pd.DataFrame, mapping: dict[str, str], defaults: dict[str, str]) -> pd.DataFrame:
    """Normalise names, then rename: user mapping first, then defaults for absent targets."""
    frame = frame.rename(columns={c: norm_name(c) for c in frame.columns if c != "geometry" and not str(c).startswith("_")})
    rename = {src: dst for src, dst in mapping.items() if src in frame.columns}
    present = set(frame.columns) | set(rename.values())
    for src, dst in defaults.items():
        if src in frame.columns and dst not in present and src not in rename:
            rename[src] = dst
            present.add(dst)
    return frame.rename(columns=rename)


def require_columns(frame: pd.DataFrame, ctx: ReadContext, columns: list[str], layer: str | None = None) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(c for c in frame.columns if c not in (ROW, "geometry"))[:200]
        raise ctx.error(
            f"missing column {missing[0]} (columns are: {have}); map one with --columns SOURCE={missing[0]}",
            layer=layer, field=missing[0],
        )


# -- values ---------------------------------------------------------------------------------------


def blank(s: pd.Series) -> pd.Series:
    """True where a value is missing or only whitespace."""
    return s.isna() | (s.astype("string").str.strip() == "")


def parse_numbers(s: pd.Series, decimal_comma: bool = False) -> tuple[pd.Series, pd.Series]:
    """Numbers from text (float64) and a mask of unparsable non-blank values.

    With ``decimal_comma`` (files with ``;`` separators as Excel writes them) ``12,5`` is 12.5
    and ``1.234,5`` is 1234.5; values with only a dot keep it as the decimal point.
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        values = pd.to_numeric(s, errors="coerce").astype("float64")
        return values, pd.Series(False, index=s.index)
    text = s.astype("string").str.strip().str.replace("\u00a0", "", regex=False)
    if decimal_comma:
        has_comma = text.str.contains(",", regex=False).fillna(False)
        fixed = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        text = text.where(~has_comma, fixed)
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = values.isna() & ~blank(s)
    return values, bad


def parse_dates(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ISO ``YYYY-MM-DD`` strings from ISO dates/times or ``DD/MM/YYYY``; mask of unparsable values."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.strftime("%Y-%m-%d").astype("object"), pd.Series(False, index=s.index)
    text = s.astype("string").str.strip()
    iso = pd.to_datetime(text, format="ISO8601", errors="coerce")
    dmy = pd.to_datetime(text.where(iso.isna()), format="%d/%m/%Y", errors="coerce")
    merged = iso.fillna(dmy) if len(text) else iso
    out = merged.dt.strftime("%Y-%m-%d").astype("object").where(merged.notna(), None)
    return out, merged.isna() & ~blank(s)


def parse_times(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """UTC timestamps from ISO text (naive = Vietnamese local time) or Unix seconds."""
    text = s.astype("string").str.strip()
    numeric = pd.to_numeric(text, errors="coerce")
    parsed = pd.to_datetime(text.where(numeric.isna()), format="ISO8601", errors="coerce", utc=False)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        utc = parsed.dt.tz_convert("UTC")
    else:
        try:
            utc = parsed.dt.tz_localize(LOCAL_TZ).dt.tz_convert("UTC")
        except (TypeError, ValueError):  # mixed offsets: parse row by row
            utc = pd.to_datetime(text.where(numeric.isna()), format="ISO8601", errors="coerce", utc=True)
    from_unix = pd.to_datetime(numeric, unit="s", utc=True, errors="coerce")
    out = utc.fillna(from_unix) if len(text) else utc
    return out, out.isna() & ~blank(s)


_TRUE = {"1", "true", "yes", "y", "co", "x", "t", "dung", "1.0"}
_FALSE = {"0", "false", "no", "n", "khong", "f", "sai", "0.0"}


def parse_bools(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Booleans from 1/0, true/false, yes/no, có/không (object with None for blanks); bad mask."""
    answers = {True: True, False: False}
    for v in pd.unique(s.dropna()):
        key = ascii_fold(str(v)).strip().lower()
        answers[v] = True if key in _TRUE else False if key in _FALSE else None
    out = s.map(answers)
    bad = out.isna() & ~blank(s)
    return out.astype("object"), bad


def _operator_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for op, label in OPERATORS.items():
        aliases[op] = op
        aliases[norm_name(label)] = op
    for mnc, op in MNC_OPERATORS.items():
        for key in (str(mnc), f"{mnc:02d}", f"452{mnc:02d}", f"452_{mnc:02d}", f"{mnc}.0"):
            aliases[key] = op
    for key in ("any", "all", "all_operators", "tat_ca", "tat_ca_nha_mang", "moi_nha_mang", "*"):
        aliases[key] = ANY_OPERATOR  # an all-operators layer (GSMA Mobile Coverage Explorer) is first-class
    aliases.update({"vnpt": "vinaphone", "vinaphone_vnpt": "vinaphone", "mobi": "mobifone",
                    "vnmobile": "vietnamobile", "beeline": "gmobile", "buu_dien": "vnpost",
                    "vietnam_post": "vnpost", "vnpt_vinaphone": "vinaphone"})
    return aliases


OPERATOR_ALIASES = _operator_aliases()
TECH_ALIASES = {
    **{t.lower(): t for t in TECHNOLOGIES},
    "gsm": "2G", "edge": "2G", "gprs": "2G", "umts": "3G", "wcdma": "3G", "hspa": "3G", "cdma": "3G",
    "lte": "4G", "lte_a": "4G", "nr": "5G", "5g_nr": "5G",
}


def _lookup(s: pd.Series, aliases: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Resolve each distinct value once (a million rows hold a handful of operators)."""
    table = {v: aliases.get(norm_name(str(v))) for v in pd.unique(s.dropna())}
    out = s.map(table).astype("object")
    return out.where(out.notna(), None), out.isna() & ~blank(s)


def parse_operators(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Operator ids from ids, names or MCC 452 MNC numbers; mask of unknown non-blank values."""
    return _lookup(s, OPERATOR_ALIASES)


def parse_technologies(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """2G/3G/4G/5G from those or radio names (GSM, UMTS, LTE, NR); mask of unknown values."""
    return _lookup(s, TECH_ALIASES)


def check_option(value: str | None, allowed: dict[str, str], option: str) -> str | None:
    """An option value resolved through ``allowed`` aliases, or InputError naming the option."""
    if value is None:
        return None
    resolved = allowed.get(norm_name(value))
    if resolved is None:
        raise InputError(f"unknown value {value!r}", field=option)
    return resolved


def synthetic_flags(frame: pd.DataFrame, ctx: ReadContext, metadata: bool = False) -> pd.Series:
    """True for rows of a SYNTHETIC file (name or metadata) or whose ``synthetic`` column is true."""
    base = ctx.synthetic_name or metadata
    if "synthetic" in frame.columns:
        values, _ = parse_bools(frame["synthetic"])
        return values.fillna(False).astype(bool) | base
    return pd.Series(base, index=frame.index, dtype=bool)


def provenance(frame: pd.DataFrame, ctx: ReadContext, as_of: pd.Series | str) -> dict[str, Any]:
    """The ``source``, ``as_of``, ``sha256`` columns every input row carries."""
    source = frame["source"].where(~blank(frame["source"]), ctx.file) if "source" in frame.columns else ctx.file
    return {"source": source, "as_of": as_of, "sha256": ctx.sha256}


def option_date(ctx: ReadContext) -> str | None:
    """``--as-of`` as an ISO date, or None; InputError naming the option if it is not a date."""
    if not ctx.options.as_of:
        return None
    parsed, bad = parse_dates(pd.Series([ctx.options.as_of]))
    if bad.any():
        raise InputError(f"{ctx.options.as_of!r} is not a date (YYYY-MM-DD)", field="--as-of")
    return str(parsed.iloc[0])


def as_of_column(frame: pd.DataFrame, ctx: ReadContext, rejects: Rejects, layer: str | None = None
                 ) -> tuple[pd.DataFrame, pd.Series]:
    """Per-row ``as_of``: the column where present and filled, else ``--as-of``; rows without one rejected."""
    default = option_date(ctx)
    if "as_of" not in frame.columns:
        if default is None:
            raise ctx.error("no as_of column and no --as-of given", layer=layer, field="as_of")
        return frame, pd.Series(default, index=frame.index, dtype="object")
    values, bad = parse_dates(frame["as_of"])
    frame = rejects.drop(frame, bad, "as_of", "as_of '{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY)", layer=layer)
    values = values[frame.index]
    if default is None:
        frame = rejects.drop(frame, values.isna(), "as_of", "as_of is empty and no --as-of given", layer=layer)
        values = values[frame.index]
    return frame, values.fillna(default) if default is not None else values
