"""Tiny input files for the ingest tests, written in code into a folder (tmp_path).

Places come from the real 2019 commune boundaries of data/ (representative points), so every
feature lies inside Quảng Bình. Data is not real: files carry SYNTHETIC only where a test wants it.
"""

from __future__ import annotations

import functools
import io
import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.settings import PROJECT_ROOT

COMMUNES_2019 = PROJECT_ROOT / "data" / "boundaries" / "quangbinh_communes_2019_vietnam63.geojson"
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@functools.cache
def communes() -> gpd.GeoDataFrame:
    frame = gpd.read_file(COMMUNES_2019)[["commune_code", "commune_name", "geometry"]]
    return frame.sort_values("commune_code").reset_index(drop=True)


def place(i: int) -> tuple[str, float, float]:
    """Commune code and a lon/lat point well inside commune number ``i`` (sorted by code)."""
    row = communes().iloc[i]
    p = row.geometry.representative_point()
    return row["commune_code"], round(p.x, 6), round(p.y, 6)


def square(lon: float, lat: float, half: float = 0.002) -> shapely.Polygon:
    return shapely.box(lon - half, lat - half, lon + half, lat + half)


def encode_cp1258(text: str) -> bytes:
    """Text as Windows-1258 (tone marks as combining characters, as Vietnamese Windows writes)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
        out.append((base + "".join(c for c in d if c in TONES)).encode("cp1258"))
    return b"".join(out)


# -- villages -------------------------------------------------------------------------------------


def villages_frame(n: int = 4, start: int = 10) -> gpd.GeoDataFrame:
    rows = []
    for k in range(n):
        code, lon, lat = place(start + k)
        rows.append({"village_id": f"V{k + 1}", "name": f"Thôn Đồng Thuận {k + 1}", "commune_code": code,
                     "population": 100 * (k + 1), "households": 25 * (k + 1), "remote": k % 2 == 0,
                     "geometry": square(lon, lat)})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def write_vector(frame: gpd.GeoDataFrame, path: Path, layer: str | None = None, **kw: object) -> Path:
    driver = {".geojson": "GeoJSON", ".gpkg": "GPKG", ".kml": "KML", ".shp": "ESRI Shapefile"}[path.suffix]
    frame.to_file(path, driver=driver, layer=layer, **kw)
    return path


def zip_shapefile(frame: gpd.GeoDataFrame, folder: Path, name: str, drop_prj: bool = False) -> Path:
    shp_dir = folder / f"{name}_shp"
    shp_dir.mkdir(parents=True, exist_ok=True)
    frame.to_file(shp_dir / f"{name}.shp", driver="ESRI Shapefile", encoding="UTF-8")
    out = folder / f"{name}.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(shp_dir.iterdir()):
            if drop_prj and f.suffix == ".prj":
                continue
            zf.write(f, f.name)
    return out


def villages_points_csv(path: Path, sep: str = ",", encoding: str = "utf-8", decimal_comma: bool = False,
                        register_names: bool = False) -> Path:
    header = (["ma_thon", "ten_thon", "ma_xa", "dan_so", "so_ho", "lon", "lat"] if register_names
              else ["village_id", "name", "commune_code", "population", "households", "lon", "lat"])
    lines = [sep.join(header)]
    code, lon, lat = place(20)
    for k, (dx, dy) in enumerate([(0, 0), (0.003, 0.002), (-0.003, 0.002)]):
        x, y = f"{lon + dx:.6f}", f"{lat + dy:.6f}"
        if decimal_comma:
            x, y = x.replace(".", ","), y.replace(".", ",")
        lines.append(sep.join([f"P{k + 1}", f"Bản Khe Ngát {k + 1}", code if k else "", str(120 + k), "30", x, y]))
    text = "\r\n".join(lines) + "\r\n"
    data = {"utf-8": text.encode("utf-8"), "utf-8-sig": text.encode("utf-8-sig"),
            "cp1258": encode_cp1258(text)}[encoding]
    path.write_bytes(data)
    return path


# -- sites ----------------------------------------------------------------------------------------


OCID_HEADER = "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"


def opencellid_csv(path: Path, rows: list[str] | None = None) -> Path:
    """Cells: Viettel 3 cells at one tower (≤ 50 m apart) + 1 cell 2 km away; VinaPhone 1 cell."""
    _, lon, lat = place(30)
    d = 0.0002  # ≈ 20 m
    default = [
        f"GSM,452,4,100,11,0,{lon},{lat},1000,5,1,1546300800,1704067200,0",
        f"LTE,452,4,100,12,0,{lon + d},{lat},1000,5,1,1577836800,1704067200,0",
        f"LTE,452,4,100,13,0,{lon},{lat + d},1000,5,1,1609459200,1704067200,0",
        f"UMTS,452,4,100,14,0,{lon + 0.02},{lat},1000,5,1,1609459200,1704067200,0",
        f"LTE,452,2,200,21,0,{lon},{lat},1000,5,1,1640995200,1706745600,0",
    ]
    path.write_text(OCID_HEADER + "\n" + "\n".join(rows if rows is not None else default) + "\n", encoding="utf-8")
    return path


def generic_sites(n_kinds: bool = True) -> gpd.GeoDataFrame:
    kinds = ["mobile_tower", "post_office", "commune_radio", "fm_transmitter", "dtt_transmitter", "fibre_pop"]
    ops = ["viettel", "vnpost", None, "province", None, "vinaphone"]
    rows = []
    for k, (kind, op) in enumerate(zip(kinds, ops, strict=True)):
        _, lon, lat = place(40 + k)
        rows.append({"site_id": f"S{k + 1}", "kind": kind, "operator": op,
                     "technologies": "2G;4G" if kind == "mobile_tower" else None, "height_m": 30.0 + k,
                     "eirp_dbm": None, "in_service_from": "2020-05-01", "in_service_to": None,
                     "geometry": shapely.Point(lon, lat)})
    return gpd.GeoDataFrame(rows, crs="EPSG:4326")


def frame_to_csv(frame: gpd.GeoDataFrame, path: Path, sep: str = ",") -> Path:
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table["lon"], table["lat"] = frame.geometry.x, frame.geometry.y
    table.to_csv(path, index=False, sep=sep)
    return path


# -- coverage -------------------------------------------------------------------------------------


def coverage_polygons(n: int = 3, start: int = 50) -> gpd.GeoDataFrame:
    geoms = [square(*place(start + k)[1:], half=0.02) for k in range(n)]
    return gpd.GeoDataFrame({"name": [f"vùng phủ {k}" for k in range(n)]}, geometry=geoms, crs="EPSG:4326")


def coverage_geotiff(path: Path, *, crs: str | None = "EPSG:32648", classes: bool = False, nodata: float = -9999,
                     size: int = 64, values: np.ndarray | None = None, georef: bool = True,
                     tags: dict[str, str] | None = None) -> Path:
    """A small raster over central Quảng Bình: dBm falling with distance from the centre, or classes."""
    import rasterio
    from rasterio.transform import from_origin

    _, lon, lat = place(60)
    if crs == "EPSG:32648":
        x0, y0 = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs(crs).iloc[0].coords[0]
        res = 100.0
    else:
        x0, y0, res = lon, lat, 0.001
    yy, xx = np.mgrid[0:size, 0:size]
    dist = np.hypot(xx - size / 2, yy - size / 2)
    if classes:
        nodata = 255
    if values is None:
        values = np.where(dist < size / 2.5, -70 - dist * 1.5, nodata)
        if classes:
            values = np.where(dist < size / 2.5, np.clip(3 - dist // 8, 0, 3), 255)
            nodata = 255
    dtype = "uint8" if classes else "float32"
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 1, "dtype": dtype, "nodata": nodata}
    if georef:
        profile |= {"crs": crs, "transform": from_origin(x0 - size / 2 * res, y0 + size / 2 * res, res, res)}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(values.astype(dtype), 1)
        if tags:
            dst.update_tags(**tags)
    return path


# -- measurements and services --------------------------------------------------------------------


def drive_csv(path: Path, n: int = 5, sep: str = ",", decimal_comma: bool = False) -> Path:
    _, lon, lat = place(70)
    lines = [sep.join(["time", "lon", "lat", "mnc", "technology", "rsrp_dbm", "rsrq_db", "sinr_db", "dl_mbps",
                       "ul_mbps", "latency_ms"])]
    for k in range(n):
        vals = [f"2024-03-0{1 + k % 9}T08:{k % 60:02d}:00", f"{lon + k * 1e-4:.6f}", f"{lat:.6f}", "4", "LTE",
                f"{-80.5 - k}", "-10.5", "12.25", "35.5", "8.25", "28"]
        if decimal_comma:
            vals = [v.replace(".", ",") if i not in (0,) else v for i, v in enumerate(vals)]
        lines.append(sep.join(vals))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tile_quadkey(lon: float, lat: float, zoom: int = 16) -> str:
    import math

    n = 1 << zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    digits = []
    for z in range(zoom, 0, -1):
        mask = 1 << (z - 1)
        digits.append(str((1 if x & mask else 0) + (2 if y & mask else 0)))
    return "".join(digits)


def ookla_csv(path: Path, keys: list[str] | None = None) -> Path:
    if keys is None:
        keys = [tile_quadkey(*place(80 + k)[1:]) for k in range(3)]
    lines = ["quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices"]
    lines += [f"{q},{25000 + k},{9000},{30},{5 + k},{2}" for k, q in enumerate(keys)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def services_csv(path: Path, village_ids: list[str], as_of: str = "2024-06-30") -> Path:
    lines = ["village_id,as_of,source,fixed_broadband,radio,tv,press,post"]
    answers = ["1,có,yes,true,0", "0,không,no,false,1", "có,1,1,,0"]
    lines += [f"{v},{as_of},Khảo sát xã,{answers[k % 3]}" for k, v in enumerate(village_ids)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def bytes_of_zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()
