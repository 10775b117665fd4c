"""Vietnamese (and English) column headings of village registers and Task 9 surveys, recognised
without a mapping, plus the small value rules of such sheets (totals rows, DMS coordinates).

Headings are compared after :func:`~villagecov.sources.common.norm_name` (ASCII, snake case):
``"Loa truyền thanh"`` → ``loa_truyen_thanh`` → ``radio``. Rules are tried in order; the first
that matches wins (``dai_truyen_hinh`` is TV before ``dai`` is radio).
"""

from __future__ import annotations

import re

import pandas as pd

from villagecov.sources.common import ROW, ReadContext, ascii_fold

# (canonical name, predicate on the normalised heading's words and text)
_RULES: list[tuple[str, object]] = []


def _rule(name: str):  # type: ignore[no-untyped-def]
    def register(func):  # type: ignore[no-untyped-def]
        _RULES.append((name, func))
        return func

    return register


def _has(words: set[str], text: str, *parts: str) -> bool:
    return any((p in words) if "_" not in p else (p in text) for p in parts)


PLACE = ("thon", "ban", "xom", "tdp", "to_dan_pho", "khu_pho", "lang", "ap", "khom", "buon", "village")


@_rule("_skip")
def _skip(w: set[str], t: str) -> bool:
    return t in ("stt", "tt", "so_tt", "so_thu_tu", "no", "ghi_chu", "note", "notes", "remarks")


@_rule("village_id")
def _village_id(w: set[str], t: str) -> bool:
    return (("ma" in w or "id" in w or "code" in w) and _has(w, t, *PLACE)) or t in ("village_id", "id", "ma_so")


@_rule("commune_code")
def _commune_code(w: set[str], t: str) -> bool:
    return (("ma" in w or "code" in w) and _has(w, t, "xa", "phuong", "commune", "dvhc")) or t in (
        "commune_co", "commune_cod", "ma_xa_phuo", "maxa")  # Shapefile names cut to 10 characters


@_rule("district_name")
def _district(w: set[str], t: str) -> bool:
    return _has(w, t, "huyen", "district", "quan", "thi_xa") and "ma" not in w and "xa_phuong" not in t \
        and not _has(w, t, *PLACE)


@_rule("commune_name")
def _commune_name(w: set[str], t: str) -> bool:
    return _has(w, t, "xa", "phuong", "thi_tran", "commune") and not _has(w, t, *PLACE) and "ma" not in w


@_rule("name")
def _name(w: set[str], t: str) -> bool:
    return _has(w, t, *PLACE) or t in ("ten", "name", "ten_goi", "village_name", "ten_dia_ban")


@_rule("households")
def _households(w: set[str], t: str) -> bool:
    return "so_ho" in t or "ho_gia_dinh" in t or t in ("ho", "households", "tong_ho")


@_rule("population")
def _population(w: set[str], t: str) -> bool:
    return _has(w, t, "dan_so", "nhan_khau", "so_dan", "population", "so_nguoi") or t in ("dan", "khau")


@_rule("remote")
def _remote(w: set[str], t: str) -> bool:
    return "dbkk" in w or "dac_biet_kho_khan" in t or "kho_khan" in t or t in ("remote", "db_kk")


@_rule("ethnic_minority")
def _ethnic(w: set[str], t: str) -> bool:
    return "dtts" in w or "dan_toc" in t or "ethnic" in w


@_rule("lon")
def _lon(w: set[str], t: str) -> bool:
    return "kinh_do" in t or t in ("lon", "lng", "long", "longitude", "x")


@_rule("lat")
def _lat(w: set[str], t: str) -> bool:
    return "vi_do" in t or t in ("lat", "latitude", "y")


@_rule("as_of")
def _as_of(w: set[str], t: str) -> bool:
    return t in ("as_of", "ngay", "date", "thoi_diem", "ky_bao_cao") or t.startswith(("ngay_", "thoi_diem_"))


@_rule("source")
def _source(w: set[str], t: str) -> bool:
    return t in ("nguon", "source", "don_vi_bao_cao", "nguon_so_lieu")


@_rule("tv")
def _tv(w: set[str], t: str) -> bool:
    return _has(w, t, "truyen_hinh", "tivi", "tv", "television")


@_rule("radio")
def _radio(w: set[str], t: str) -> bool:
    return _has(w, t, "truyen_thanh", "loa", "dai", "radio", "phat_thanh")


@_rule("fixed_broadband")
def _fixed(w: set[str], t: str) -> bool:
    return _has(w, t, "internet", "cap_quang", "bang_rong", "adsl", "ftth", "fixed_broadband", "fibre", "fiber")


@_rule("press")
def _press(w: set[str], t: str) -> bool:
    return _has(w, t, "bao_chi", "bao", "press", "newspaper", "bao_in")


@_rule("post")
def _post(w: set[str], t: str) -> bool:
    return _has(w, t, "buu_chinh", "buu_dien", "buu_cuc", "post", "vnpost", "diem_buu_dien")


@_rule("village_id")
def _plain_code(w: set[str], t: str) -> bool:
    return t in ("ma", "code")


ORDER = ("_skip", "village_id", "commune_code", "remote", "ethnic_minority", "tv", "radio", "fixed_broadband",
         "press", "post", "district_name", "commune_name", "households", "population", "lon", "lat", "as_of",
         "source", "name")
_RULES.sort(key=lambda r: ORDER.index(r[0]) if r[1] is not _plain_code else len(ORDER))


def canonical(normalised: str) -> str | None:
    """The canonical field of a normalised heading, ``"_skip"`` for STT/notes, or None."""
    if not normalised:
        return None
    words = set(normalised.split("_"))
    for name, rule in _RULES:
        if rule(words, normalised):  # type: ignore[operator]
            return name
    return None


COMMUNE_PREFIXES = ("xa ", "phuong ", "thi tran ", "tt ", "p. ", "x. ")
DISTRICT_PREFIXES = ("huyen ", "thanh pho ", "thi xa ", "tp ", "tp. ", "quan ", "tx ", "tx. ")
_TOTAL = re.compile(r"^(tong( cong| so)?|total|sum|toan (tinh|huyen|xa))\b|^cong\s*[:.]?\s*$")


def is_total(text: str) -> bool:
    """True for a totals row label: ``Tổng cộng``, ``Cộng``, ``Tổng số``, ``Toàn tỉnh``, ``Total``."""
    return bool(_TOTAL.match(ascii_fold(text).strip().lower()))


_DMS = re.compile(
    r"^\s*(?P<h1>[NSEW])?\s*(?P<d>\d+(?:[.,]\d+)?)\s*(?:°|º|o|độ|do|d|:|\s)\s*"
    r"(?:(?P<m>\d+(?:[.,]\d+)?)\s*(?:'|′|’|phút|phut|m|:|\s)\s*)?"
    r"(?:(?P<s>\d+(?:[.,]\d+)?)\s*(?:\"|″|”|''|giây|giay|s)?\s*)?(?P<h2>[NSEW])?\s*$",
    re.IGNORECASE,
)


def parse_dms(text: str) -> float | None:
    """Degrees from ``106°35'12.5"E``, ``17° 28' 30" N``, ``106 35 12``, ``17°28,5'``; None if not DMS."""
    if not text or re.fullmatch(r"-?\d+(\.\d+)?", text.strip()):
        return None
    m = _DMS.match(text.replace("\u00a0", " "))
    if not m:
        return None

    def num(v: str | None) -> float:
        return float(v.replace(",", ".")) if v else 0.0

    deg, minutes, seconds = num(m["d"]), num(m["m"]), num(m["s"])
    if minutes >= 60 or seconds >= 60:
        return None
    value = deg + minutes / 60 + seconds / 3600
    hemi = (m["h1"] or m["h2"] or "").upper()
    return -value if hemi in ("S", "W") else value


KNOWN_FIELDS = {"village_id", "name", "commune_code", "commune_name", "district_name", "population", "households",
                "remote", "as_of", "source", "synthetic", "lon", "lat", "ethnic_minority", "fixed_broadband",
                "radio", "tv", "press", "post", "wkt", "geometry"}


def recognise(frame: pd.DataFrame, ctx: ReadContext, notes: list[str]) -> pd.DataFrame:
    """Rename recognised headings to canonical fields; name in ``notes`` every column that is
    neither recognised nor mapped with ``--columns`` (never dropped silently)."""
    rename, unknown = {}, []
    present = set(frame.columns)
    mapped = set(ctx.options.columns.values())
    for col in frame.columns:
        name = str(col)
        if col in (ROW, "geometry") or name.startswith("_") or name in mapped or name in KNOWN_FIELDS:
            continue
        field = canonical(name)
        if field is None:
            if not name.startswith("column_"):
                unknown.append(name)
        elif field != "_skip" and field not in present:
            rename[col] = field
            present.add(field)
    if unknown:
        notes.append("columns not recognised and not read (map with --columns NAME=field): " + ", ".join(unknown))
    return frame.rename(columns=rename)
