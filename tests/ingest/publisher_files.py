"""Fixture files in each publisher's exact published format, written in code (never by the demo).

- OpenCelliD: the per-country cell export ``452.csv.gz``: gzip, no header line, 14 columns
  ``radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal``,
  Unix times, CRLF-free lines.
- Ookla open data: ``YYYY-MM-DD_performance_{mobile,fixed}_tiles.parquet`` with ``quadkey`` (zoom
  16), ``tile`` (WKT polygon), ``avg_d_kbps``, ``avg_u_kbps``, ``avg_lat_ms``, ``avg_lat_down_ms``,
  ``avg_lat_up_ms``, ``tests``, ``devices`` (int64/float64); and the zipped Shapefile
  ``…_performance_mobile_tiles.zip`` holding ``gps_mobile_tiles.{shp,shx,dbf,prj,cpg}`` (DBF names
  cut to 10 characters).
"""

from __future__ import annotations

import gzip
import math
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from tests.ingest.ingest_files import place, tile_quadkey
from villagecov.sources.measurements import quadkey_bounds

M_PER_DEG_LAT = 111_320.0


def offset(lon: float, lat: float, east_m: float, north_m: float) -> tuple[float, float]:
    return (round(lon + east_m / (M_PER_DEG_LAT * math.cos(math.radians(lat))), 6),
            round(lat + north_m / M_PER_DEG_LAT, 6))


def cell_line(radio: str, net: int, area: int, cell: int, lon: float, lat: float, created: int = 1546300800,
              updated: int = 1719705600) -> str:
    return f"{radio},452,{net},{area},{cell},0,{lon},{lat},1000,12,1,{created},{updated},0"


def opencellid_cells(i: int = 30) -> tuple[list[str], dict[str, int]]:
    """Cells around commune ``i``: a Viettel mast (eNodeB 12345 with 3 sectors whose estimated
    positions lie ~300 m apart, plus a GSM cell), VinaPhone's eNodeB on the same mast (a shared
    tower), a MobiFone NodeB (UMTS, RNC 20) 5 km away and a second Viettel eNodeB 3 km away."""
    _, lon, lat = place(i)
    lines = []
    for sector, (e, n) in enumerate([(0, 180), (160, -90), (-160, -90)], start=1):  # ~300 m apart
        lines.append(cell_line("LTE", 4, 3001, 12345 * 256 + sector, *offset(lon, lat, e, n)))
    lines.append(cell_line("GSM", 4, 100, 5011, *offset(lon, lat, 30, 20), created=1262304000))
    lines.append(cell_line("LTE", 2, 4001, 777 * 256 + 1, *offset(lon, lat, -40, 30)))
    lines.append(cell_line("LTE", 2, 4001, 777 * 256 + 2, *offset(lon, lat, 60, -50)))
    lines.append(cell_line("UMTS", 1, 500, (20 << 16) | 1234, *offset(lon, lat, 5000, 0)))
    lines.append(cell_line("UMTS", 1, 500, (20 << 16) | 1235, *offset(lon, lat, 5100, 120)))
    lines.append(cell_line("LTE", 4, 3001, 12399 * 256 + 1, *offset(lon, lat, 0, -3000)))
    expected = {"cells": 9, "bts": 4, "towers": 3}
    return lines, expected


def opencellid_gz(path: Path, lines: list[str] | None = None) -> Path:
    """``452.csv.gz`` exactly as OpenCelliD ships it: gzip of headerless CSV lines."""
    rows = lines if lines is not None else opencellid_cells()[0]
    path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode("ascii")))
    return path


def ookla_tiles(villages: gpd.GeoDataFrame, speeds: list[tuple[float, int]]) -> pd.DataFrame:
    """One zoom-16 tile on the centroid of each village with (Mbit/s, tests)."""
    rows = []
    centres = villages.geometry.to_crs("EPSG:32648").centroid.to_crs("EPSG:4326")
    for (lon, lat), (mbps, tests) in zip(((p.x, p.y) for p in centres), speeds, strict=True):
        q = tile_quadkey(lon, lat)
        x0, y0, x1, y1 = quadkey_bounds(q)
        rows.append({"quadkey": q, "tile": shapely.box(x0, y0, x1, y1).wkt, "avg_d_kbps": int(mbps * 1000),
                     "avg_u_kbps": int(mbps * 300), "avg_lat_ms": 28, "avg_lat_down_ms": 250.0,
                     "avg_lat_up_ms": 400.0, "tests": tests, "devices": max(1, tests // 3)})
    frame = pd.DataFrame(rows)
    return frame.astype({"avg_d_kbps": "int64", "avg_u_kbps": "int64", "avg_lat_ms": "int64", "tests": "int64",
                         "devices": "int64"})


def ookla_parquet(frame: pd.DataFrame, folder: Path, date: str = "2024-10-01", service: str = "mobile") -> Path:
    path = folder / f"{date}_performance_{service}_tiles.parquet"
    frame.to_parquet(path, index=False)
    return path


def ookla_shapefile_zip(frame: pd.DataFrame, folder: Path, date: str = "2024-10-01", service: str = "mobile") -> Path:
    shp_dir = folder / f"shp-{service}"
    shp_dir.mkdir(exist_ok=True)
    g = gpd.GeoDataFrame(frame.drop(columns=["tile"]), geometry=gpd.GeoSeries.from_wkt(frame["tile"]),
                         crs="EPSG:4326")
    g.to_file(shp_dir / f"gps_{service}_tiles.shp", engine="pyogrio")  # names cut to 10 chars
    path = folder / f"{date}_performance_{service}_tiles.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(shp_dir.iterdir()):
            zf.write(f, f.name)
    return path


def weighted_median(values: list[float], weights: list[int]) -> float:
    """Reference weighted median by expansion (each tile repeated ``tests`` times)."""
    return float(np.median(np.repeat(values, weights)))


# -- spreadsheets as provinces and communes keep them ------------------------------------------------


def _dms(value: float, pos: str, neg: str) -> str:
    hemi = pos if value >= 0 else neg
    value = abs(value)
    d = int(value)
    m = int((value - d) * 60)
    s = (value - d - m / 60) * 3600
    return f"{d}°{m:02d}'{s:05.2f}\"{hemi}"


def commune_name(code: str, column: str = "commune_name") -> str:
    import geopandas as gpd
    from ingest_files import COMMUNES_2019

    c = gpd.read_file(COMMUNES_2019)
    return str(c.loc[c["commune_code"] == code, column].iloc[0])


def village_register_xlsx(path: Path) -> tuple[Path, dict[str, object]]:
    """A village register as a district office keeps it: two title rows, a header over two rows
    (``Tọa độ`` merged over ``Kinh độ``/``Vĩ độ``, other headings merged down), a "(1) (2) …" row,
    district group rows, the commune merged down over its villages, DMS and decimal-comma
    coordinates, one village without coordinates, a thousands dot, a totals row, an unknown column."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách thôn"
    ws.append(["UBND TỈNH QUẢNG BÌNH"])
    ws.merge_cells("A1:J1")
    ws.append(["DANH SÁCH THÔN, BẢN, TỔ DÂN PHỐ NĂM 2024"])
    ws.merge_cells("A2:J2")
    ws.append([])
    ws.append(["STT", "Xã", "Tên thôn", "Số hộ", "Dân số (người)", "Thôn ĐBKK", "Tọa độ", None, "Tỷ lệ hộ nghèo (%)",
               "Ghi chú"])
    ws.append([None, None, None, None, None, None, "Kinh độ", "Vĩ độ", None, None])
    for col in "ABCDEFIJ":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("G4:H4")
    ws.append([f"({k})" for k in range(1, 11)])
    c1, lon1, lat1 = place(10)
    c2, lon2, lat2 = place(11)
    ws.append(["I", commune_name(c1, "district_name")])
    first = ws.max_row + 1
    ws.append([1, commune_name(c1), "Thôn Đồng Thuận 1", 25, 100, "x", _dms(lon1, "E", "W"), _dms(lat1, "N", "S"),
               "12,5", None])
    ws.append([2, None, "Bản Khe Ngát 2", 50, "1.234", "", f"{lon1 + 0.004:.5f}".replace(".", ","),
               f"{lat1 + 0.003:.5f}".replace(".", ","), "8,1", "mới tách"])
    ws.merge_cells(f"B{first}:B{first + 1}")  # the commune merged down over its villages
    ws.append(["II", commune_name(c2, "district_name")])
    ws.append([3, commune_name(c2), "Thôn Đồng Thuận 3", 75, 300, "Không", lon2, lat2, 3.2, None])
    ws.append([4, commune_name(c2), "Bản Khe Ngát 4", 20, 80, "Có", None, None, 40, "chưa có tọa độ"])
    ws.append([None, "Tổng cộng", None, 170, 1714, None, None, None, None, None])
    wb.save(path)
    return path, {"villages": 4, "unlocated": 1, "codes": [c1, c1, c2, c2], "population": [100, 1234, 300, 80]}


def survey_xlsx(path: Path, rows: list[tuple[str, str, list[object]]]) -> Path:
    """A commune Task 9 survey: title row, header with Vietnamese service headings, a number row,
    answers as Có/Không/x/blank/counts, an unrecognised column."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Khảo sát"
    ws.append(["BIỂU TỔNG HỢP KHẢO SÁT DỊCH VỤ VIỄN THÔNG, TRUYỀN THÔNG CẤP THÔN"])
    ws.append(["Mã thôn", "Tên thôn", "Internet cáp quang", "Loa truyền thanh", "Truyền hình", "Báo chí",
               "Bưu chính", "Chỉ số lạ"])
    ws.append([f"({k})" for k in range(1, 9)])
    for vid, name, answers in rows:
        ws.append([vid, name, *answers, "?"])
    ws.append(["Cộng", None, None, None, None, None, None, None])
    wb.save(path)
    return path


def survey_ods(path: Path, rows: list[list[object]]) -> Path:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves): mimetype first, stored, then
    content.xml with one table; numbers as office:value-type="float", text as strings."""
    from xml.sax.saxutils import escape

    def cell(v: object) -> str:
        if v is None or v == "":
            return "<table:table-cell/>"
        if isinstance(v, int | float):
            return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Khảo sát">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path
