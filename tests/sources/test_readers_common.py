"""Pure reader helpers: CSV decoding and sniffing, value parsing, column mapping, quadkeys,
safe zip extraction, cell clustering. No store needed."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from villagecov.errors import InputError
from villagecov.sources.common import (
    ROW,
    Rejects,
    apply_columns,
    norm_name,
    parse_bools,
    parse_columns,
    parse_dates,
    parse_numbers,
    parse_operators,
    parse_technologies,
    parse_times,
)
from villagecov.sources.csvio import decode, read_csv_text, sniff_separator
from villagecov.sources.measurements import quadkey_bounds
from villagecov.sources.sites import _clusters, _technologies
from villagecov.sources.vector_io import safe_extract

TEXT = "ma_thon;ten_thon;dan_so\r\nT1;Thôn Phú Hải;1.234,5\r\nT2;Bản Dộ;12,5\r\n"


def test_norm_name_folds_vietnamese_headers() -> None:
    assert norm_name("\ufeffTên thôn ") == "ten_thon"
    assert norm_name("Mã xã") == "ma_xa" and norm_name("Số hộ") == "so_ho" and norm_name("Đơn vị") == "don_vi"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_excel_encodings_decode_to_the_same_text(tmp_path: Path, encoding: str) -> None:
    if encoding == "cp1258":
        from source_helpers import encode_cp1258

        data = encode_cp1258(TEXT)
    else:
        data = TEXT.encode(encoding)
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    table = read_csv_text(path, "f.csv")
    assert table.separator == ";" and table.decimal_comma
    assert table.frame["ten_thon"].tolist() == ["Thôn Phú Hải", "Bản Dộ"]
    assert table.frame[ROW].tolist() == [1, 2]
    values, bad = parse_numbers(table.frame["dan_so"], decimal_comma=True)
    assert values.tolist() == [1234.5, 12.5] and not bad.any()


def test_decode_rejects_binary() -> None:
    with pytest.raises(InputError, match="binary data"):
        decode(b"\x00\x01\x02abc", "x.csv")


@pytest.mark.parametrize(("header", "sep"), [("a,b;c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ('"a;b",c', ","),
                                             ("abc", ",")])
def test_sniff_separator(header: str, sep: str) -> None:
    assert sniff_separator(header) == sep


def test_parse_numbers_keeps_dot_decimals_in_comma_mode() -> None:
    values, bad = parse_numbers(pd.Series(["106.5", "17,25", "", None, "x1"]), decimal_comma=True)
    assert values.tolist()[:2] == [106.5, 17.25] and bad.tolist() == [False, False, False, False, True]


def test_parse_dates_iso_and_day_first() -> None:
    values, bad = parse_dates(pd.Series(["2024-06-30", "30/06/2024", "2024-06-30T10:00:00", "31/02/2024", None]))
    assert values.tolist()[:3] == ["2024-06-30"] * 3 and bad.tolist() == [False, False, False, True, False]


def test_parse_times_local_naive_utc_and_unix() -> None:
    values, bad = parse_times(pd.Series(["2024-03-01T08:00:00", "1709254800", "nope"]))
    assert values.iloc[0] == pd.Timestamp("2024-03-01T01:00:00Z")
    assert values.iloc[1] == pd.Timestamp("2024-03-01T01:00:00Z")
    assert bad.tolist() == [False, False, True]


def test_parse_bools_vietnamese() -> None:
    values, bad = parse_bools(pd.Series(["có", "Không", "1", "0", "yes", "", "có lẽ"]))
    assert values.tolist()[:5] == [True, False, True, False, True]
    assert bad.tolist() == [False] * 6 + [True]


def test_operators_by_id_name_and_mnc() -> None:
    values, bad = parse_operators(pd.Series(["Viettel", "4", "452-04", "VNPT", "MobiFone", "07", "Orange", None]))
    assert values.tolist()[:6] == ["viettel", "viettel", "viettel", "vinaphone", "mobifone", "gmobile"]
    assert bad.tolist() == [False] * 6 + [True, False]


def test_technologies_aliases() -> None:
    values, bad = parse_technologies(pd.Series(["LTE", "nr", "UMTS", "gsm", "4g", "6G"]))
    assert values.tolist()[:5] == ["4G", "5G", "3G", "2G", "4G"] and bad.tolist() == [False] * 5 + [True]
    techs, unknown = _technologies(pd.Series(["4G;2G", "LTE/NR", "2G,WiMAX", None]))
    assert techs.tolist() == ["2G,4G", "4G,5G", "2G", None] and unknown.tolist() == [None, None, "WiMAX", None]


def test_column_mapping_user_first_then_defaults() -> None:
    mapping = parse_columns("Tên=name, xa=commune_code", "# comment\nnguoi=population\n")
    assert mapping == {"ten": "name", "xa": "commune_code", "nguoi": "population"}
    frame = pd.DataFrame({"Tên": ["a"], "ten_thon": ["b"], "xa": ["1"], ROW: [1]})
    out = apply_columns(frame, mapping, {"ten_thon": "name"})
    assert out.columns.tolist() == ["name", "ten_thon", "commune_code", ROW]
    with pytest.raises(InputError, match="expected SOURCE=TARGET"):
        parse_columns("broken", None)
    with pytest.raises(InputError, match="--columns-file"):
        parse_columns(None, "{not json")


def test_rejects_drop_records_row_field_value_reason() -> None:
    rejects = Rejects()
    frame = pd.DataFrame({ROW: [1, 2, 3], "x": ["a", "b", "c"]})
    kept = rejects.drop(frame, [False, True, True], "x", "x '{value}' is bad")
    assert kept[ROW].tolist() == [1]
    assert [(r["row"], r["field"], r["value"], r["reason"]) for r in rejects.rows] == [
        (2, "x", "b", "x 'b' is bad"), (3, "x", "c", "x 'c' is bad")]
    assert rejects.by_reason() == {"x '…' is bad": 2}


def test_quadkey_bounds_hand_computed() -> None:
    assert quadkey_bounds("0") == pytest.approx((-180.0, 0.0, 0.0, 85.0511287798), abs=1e-9)
    assert quadkey_bounds("3") == pytest.approx((0.0, -85.0511287798, 180.0, 0.0), abs=1e-9)
    west, south, east, north = quadkey_bounds("13")  # x=3, y=1 at zoom 2
    assert (west, east) == (90.0, 180.0) and south == 0.0 and north == pytest.approx(66.51326044311186)
    assert quadkey_bounds("") is None and quadkey_bounds("0124") is None


@settings(max_examples=60, deadline=None)
@given(st.floats(104.5, 107.5), st.floats(16.5, 18.5), st.integers(1, 20))
def test_quadkey_tile_contains_its_point(lon: float, lat: float, zoom: int) -> None:
    from source_helpers import tile_quadkey

    west, south, east, north = quadkey_bounds(tile_quadkey(lon, lat, zoom))  # type: ignore[misc]
    assert west <= lon <= east and south <= lat <= north
    assert east - west == pytest.approx(360 / 2**zoom)
    assert north > south


def test_safe_extract_refuses_traversal_and_bombs(tmp_path: Path) -> None:
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("dir/a.shp", b"abc")
    assert [p.name for p in safe_extract(good, tmp_path / "out", "good.zip", 2**20)] == ["a.shp"]
    for name in ("../evil.txt", "/etc/passwd", "a/../../evil.txt", "..\\evil.txt"):
        bad = tmp_path / "bad.zip"
        with zipfile.ZipFile(bad, "w") as zf:
            zf.writestr(name, b"x")
        with pytest.raises(InputError, match="path traversal"):
            safe_extract(bad, tmp_path / "out2", "bad.zip", 2**20)
    assert not (tmp_path / "evil.txt").exists()
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.csv", b"0" * (4 * 2**20))
    with pytest.raises(InputError, match="zip bomb"):
        safe_extract(bomb, tmp_path / "out3", "bomb.zip", 10 * 2**20)
    with pytest.raises(InputError, match="more than 1 MB"):
        safe_extract(bomb, tmp_path / "out4", "bomb.zip", 2**20)
    (tmp_path / "notzip.zip").write_bytes(b"PK\x03\x04broken")
    with pytest.raises(InputError, match="not a valid zip file"):
        safe_extract(tmp_path / "notzip.zip", tmp_path / "out5", "notzip.zip", 2**20)


def test_clusters_join_chains_within_radius() -> None:
    pts = shapely.points([0, 30, 60, 500, 1000, 1040], [0, 0, 0, 0, 0, 0])
    labels = _clusters(np.asarray(pts, dtype=object), 50.0)
    assert labels.tolist() == [0, 0, 0, 1, 2, 2]
