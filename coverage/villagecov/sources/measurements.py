"""Measurements: drive-test / crowd CSV (points) and Ookla open-data tiles (quadkey → tile
polygon in EPSG:4326). Vectorised so that a million rows fit in seconds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from villagecov.schema import ANY_OPERATOR, STORAGE_CRS
from villagecov.sources.common import (
    LOCAL_TZ,
    OPERATOR_ALIASES,
    ROW,
    TECH_ALIASES,
    Parsed,
    ReadContext,
    Rejects,
    apply_columns,
    as_of_column,
    blank,
    check_option,
    norm_name,
    parse_numbers,
    parse_operators,
    parse_technologies,
    parse_times,
    plain_message,
    provenance,
    require_columns,
    synthetic_flags,
)
from villagecov.sources.csvio import CsvTable, iter_csv_text
from villagecov.sources.vector_io import clean_geometries, csv_points, drop_outside

KINDS = ("drive_test", "crowd")
TILE_KINDS = {"mobile": "ookla_tile", "fixed": "ookla_fixed_tile"}  # measurement kinds of Ookla tiles
# column -> (canonical, min, max)
RANGES = {
    "rsrp_dbm": (-160.0, -20.0), "rsrq_db": (-40.0, 0.0), "sinr_db": (-30.0, 60.0),
    "dl_mbps": (0.0, 10000.0), "ul_mbps": (0.0, 10000.0), "latency_ms": (0.0, 100000.0),
}
DRIVE_COLUMNS = {"rsrp": "rsrp_dbm", "rscp": "rsrp_dbm", "rxlev": "rsrp_dbm", "rsrq": "rsrq_db", "sinr": "sinr_db",
                 "dl": "dl_mbps", "ul": "ul_mbps", "latency": "latency_ms", "ping_ms": "latency_ms",
                 "timestamp": "time", "datetime": "time", "thoi_gian": "time", "nha_mang": "operator",
                 "cong_nghe": "technology", "network_type": "technology"}


CHUNK_ROWS = 200_000  # drive tests are validated and written this many rows at a time


TILE_SUFFIXES = (".parquet", ".geoparquet", ".shp", ".gpkg", ".geojson", ".fgb")


def read_measurements(ctx: ReadContext) -> Parsed:
    """Ookla tiles (Parquet, Shapefile or CSV; read whole) or drive-test points (read and written
    in chunks)."""
    if ctx.path.suffix.lower() in TILE_SUFFIXES:
        return _ookla(read_tile_table(ctx), ctx, False)
    tables = iter_csv_text(ctx.path, ctx.file, CHUNK_ROWS)
    first = next(tables)
    if "quadkey" in first.frame.columns or "quadkey" in ctx.options.columns.values():
        frame = pd.concat([first.frame, *(t.frame for t in tables)], ignore_index=True)
        return _ookla(frame, ctx, first.decimal_comma)
    rejects, notes = Rejects(), []
    out = _drive(first, ctx, rejects, notes)  # whole-file problems surface before any write

    def chunks() -> Iterator[tuple[str, pd.DataFrame]]:
        yield "measurements", out
        for table in tables:
            yield "measurements", _drive(table, ctx, rejects, notes)

    return Parsed({}, rejects, notes, chunks=chunks())


def _numbers(frame: pd.DataFrame, rejects: Rejects, decimal_comma: bool, columns: dict[str, tuple[float, float]],
             ) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    out = {}
    for col, (lo, hi) in columns.items():
        if col not in frame.columns:
            continue
        values, bad = parse_numbers(frame[col], decimal_comma)
        frame = rejects.drop(frame, bad, col, f"{col} '{{value}}' is not a number")
        values = values[frame.index]
        frame = rejects.drop(frame, (values < lo) | (values > hi), col, f"{col} '{{value}}' is out of range {lo:g}…{hi:g}")
        out[col] = values
    return frame, {c: v[frame.index] for c, v in out.items()}


def _drive(table: CsvTable, ctx: ReadContext, rejects: Rejects, notes: list[str]) -> gpd.GeoDataFrame:
    table.frame = apply_columns(table.frame, ctx.options.columns, DRIVE_COLUMNS)
    if "operator" not in table.frame.columns and "mnc" in table.frame.columns:
        table.frame = table.frame.rename(columns={"mnc": "operator"})
    layer = csv_points(table, ctx)
    frame = layer.frame
    require_columns(frame, ctx, ["time"])
    frame = clean_geometries(frame, rejects, "point", notes)
    frame = drop_outside(frame, ctx, rejects)
    times, bad = parse_times(frame["time"])
    frame = rejects.drop(frame, bad | times.isna(), "time", "time '{value}' is not a date-time (ISO 8601)")
    times = times[frame.index]
    frame, operator = _operator(frame, ctx, rejects, required=True)
    frame, technology = _technology(frame, ctx, rejects, required=True)
    kind = (frame["kind"].map(lambda v: norm_name(str(v)) if pd.notna(v) else "drive_test")
            if "kind" in frame.columns else pd.Series("drive_test", index=frame.index))
    frame = rejects.drop(frame, ~kind.isin(KINDS), "kind", "unknown measurement kind '{value}' (drive_test, crowd)")
    frame, numbers = _numbers(frame, rejects, table.decimal_comma, RANGES)
    if "as_of" in frame.columns or ctx.options.as_of:
        frame, as_of = as_of_column(frame, ctx, rejects)
    else:
        as_of = times[frame.index].dt.tz_convert(LOCAL_TZ).dt.strftime("%Y-%m-%d").astype("object")
    idx = frame.index
    out = gpd.GeoDataFrame({
        "measurement_id": ctx.sha256[:16] + "-" + frame["_row"].astype(str),
        "kind": kind[idx], "time": times[idx], "operator": operator[idx], "technology": technology[idx],
        **{c: numbers.get(c) for c in RANGES}, "tests": None, "devices": None,
        "synthetic": synthetic_flags(frame, ctx), **provenance(frame, ctx, as_of[idx]),
    }, geometry=frame.geometry, crs=STORAGE_CRS)
    return out


def validate_drive_table(table: CsvTable, ctx: ReadContext, rejects: Rejects, notes: list[str]) -> gpd.GeoDataFrame:
    """Drive-test / crowd rows of one table of text cells, validated (rejected rows into ``rejects``):
    the rules of :func:`read_measurements`, for callers that read the table themselves (the
    partitions of a dataset on Dask, :mod:`villagecov.scale.partitions`)."""
    return _drive(table, ctx, rejects, notes)


def _operator(frame: pd.DataFrame, ctx: ReadContext, rejects: Rejects, required: bool
              ) -> tuple[pd.DataFrame, pd.Series]:
    default = check_option(ctx.options.operator, OPERATOR_ALIASES, "--operator")
    if "operator" not in frame.columns:
        if default is None and required:
            raise ctx.error("no operator or mnc column and no --operator", field="operator")
        return frame, pd.Series(default or ANY_OPERATOR, index=frame.index, dtype="object")
    values, bad = parse_operators(frame["operator"])
    frame = rejects.drop(frame, bad, "operator", "unknown operator '{value}'")
    values = values[frame.index].where(~blank(frame["operator"]), default)
    if required:
        frame = rejects.drop(frame, values.isna(), "operator", "operator is empty")
    return frame, values[frame.index].fillna(ANY_OPERATOR)


def _technology(frame: pd.DataFrame, ctx: ReadContext, rejects: Rejects, required: bool
                ) -> tuple[pd.DataFrame, pd.Series]:
    default = check_option(ctx.options.technology, TECH_ALIASES, "--technology")
    if "technology" not in frame.columns:
        if default is None and required:
            raise ctx.error("no technology column and no --technology", field="technology")
        return frame, pd.Series(default, index=frame.index, dtype="object")
    values, bad = parse_technologies(frame["technology"])
    frame = rejects.drop(frame, bad, "technology", "unknown technology '{value}'")
    values = values[frame.index].where(~blank(frame["technology"]), default)
    if required:
        frame = rejects.drop(frame, values.isna(), "technology", "technology is empty")
    return frame, values[frame.index]


def quadkey_bounds(quadkey: str) -> tuple[float, float, float, float] | None:
    """Lon/lat bounds (EPSG:4326) of a Bing/Ookla quadkey tile, or None if it is not a quadkey."""
    if not quadkey or len(quadkey) > 23 or any(c not in "0123" for c in quadkey):
        return None
    x = y = 0
    for digit in quadkey:
        d = int(digit)
        x, y = (x << 1) | (d & 1), (y << 1) | (d >> 1)
    n = 1 << len(quadkey)

    def lat(yy: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * yy / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def read_tile_table(ctx: ReadContext) -> pd.DataFrame:
    """Ookla's Parquet (``tile`` as WKT text) or Shapefile tiles as a plain table with ``_row``;
    the tile is rebuilt from the quadkey, so the geometry columns are not needed."""
    suffix = ctx.path.suffix.lower()
    try:
        if suffix in (".parquet", ".geoparquet"):
            frame = _province_tiles(ctx)
        else:
            frame = pyogrio.read_dataframe(ctx.path, read_geometry=False)
    except Exception as exc:  # pyarrow / GDAL raise many classes
        raise ctx.error(f"cannot read {suffix.lstrip('.')} tiles: {plain_message(exc, 160)}") from None
    frame = pd.DataFrame(frame).drop(columns=[c for c in ("tile", "geometry") if c in frame.columns])
    if frame.empty:
        raise ctx.error("no tiles over Quảng Bình")
    frame.columns = [norm_name(c) for c in frame.columns]
    frame[ROW] = range(1, len(frame) + 1)
    return frame


def quadkey_of(lon: float, lat: float, zoom: int) -> str:
    n = 1 << zoom
    x = min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))
    s = math.sin(math.radians(max(-85.0, min(85.0, lat))))
    y = min(n - 1, max(0, int((0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n)))
    return "".join(str(((x >> b) & 1) | (((y >> b) & 1) << 1)) for b in range(zoom - 1, -1, -1))


def _province_tiles(ctx: ReadContext, zoom: int = 9) -> pd.DataFrame:
    """Rows of an Ookla Parquet file whose quadkey lies in the zoom-``zoom`` tiles over the province,
    read batch by batch (a global quarter is millions of rows; only Quảng Bình's are kept)."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    w, s, e, n = shapely.buffer(ctx.province, 0.05).bounds
    x0, y0 = quadkey_of(w, n, zoom), quadkey_of(e, s, zoom)
    prefixes = sorted({quadkey_of(lon, lat, zoom) for lon in np.linspace(w, e, 24) for lat in np.linspace(s, n, 24)}
                      | {x0, y0})
    source = pq.ParquetFile(ctx.path)
    names = source.schema_arrow.names
    keep = [c for c in names if c not in ("tile", "geometry")]
    parts = []
    for batch in source.iter_batches(batch_size=200_000, columns=keep):
        if "quadkey" in batch.schema.names:
            keys = pc.cast(batch.column("quadkey"), "string")
            mask = pc.starts_with(keys, prefixes[0])
            for p in prefixes[1:]:
                mask = pc.or_(mask, pc.starts_with(keys, p))
            batch = batch.filter(mask)
        if batch.num_rows:
            parts.append(batch.to_pandas())
    if not parts:
        return pd.DataFrame(columns=keep)
    return pd.concat(parts, ignore_index=True)


def tile_service(ctx: ReadContext, frame: pd.DataFrame) -> str:
    """``mobile`` or ``fixed``: ``--technology mobile|fixed``, a ``type``/``service`` column, or the
    file name as Ookla publishes it (``…_performance_fixed_tiles…``, ``gps_mobile_tiles.shp``)."""
    option = norm_name(ctx.options.technology or "")
    if option in ("fixed", "fixed_broadband", "mobile"):
        return "fixed" if option.startswith("fixed") else "mobile"
    for col in ("type", "service", "network"):
        if col in frame.columns:
            values = set(frame[col].dropna().astype(str).str.lower().str.strip())
            if values and values <= {"fixed", "mobile"} and len(values) == 1:
                return values.pop()
    for name in (ctx.file, ctx.inner_name or ""):
        low = name.lower()
        if "fixed" in low:
            return "fixed"
        if "mobile" in low:
            return "mobile"
    return "mobile"


def name_date(*names: str) -> str | None:
    """The date in a file name: ``2024-10-01_performance_mobile_tiles`` or ``…_2024q4`` (quarter start)."""
    for name in names:
        if m := re.search(r"(20\d\d)-([01]\d)-([0-3]\d)", name):
            return "-".join(m.groups())
        if m := re.search(r"(20\d\d)[-_ ]?q([1-4])", name.lower()):
            return f"{m.group(1)}-{(int(m.group(2)) - 1) * 3 + 1:02d}-01"
        if m := re.search(r"year=(20\d\d)/quarter=([1-4])", name.lower()):
            return f"{m.group(1)}-{(int(m.group(2)) - 1) * 3 + 1:02d}-01"
    return None


def _ookla(frame: pd.DataFrame, ctx: ReadContext, decimal_comma: bool) -> Parsed:
    rejects, notes = Rejects(), []
    frame = apply_columns(frame, ctx.options.columns, {})
    service = tile_service(ctx, frame)
    require_columns(frame, ctx, ["quadkey"])
    keys = frame["quadkey"].astype("string").str.strip().str.removesuffix(".0")
    bounds = keys.map(lambda k: quadkey_bounds(str(k)) if pd.notna(k) else None)
    frame = rejects.drop(frame, bounds.isna(), "quadkey", "quadkey '{value}' is not a tile quadkey (digits 0-3)")
    dup = keys[frame.index].duplicated(keep="first")
    frame = rejects.drop(frame, dup, "quadkey", "duplicate quadkey '{value}'")
    bounds = bounds[frame.index]
    arr = np.array(bounds.tolist(), dtype=float).reshape(-1, 4)
    geoms = shapely.box(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3])
    frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=STORAGE_CRS)
    frame = drop_outside(frame, ctx, rejects)
    frame, numbers = _numbers(frame, rejects, decimal_comma, {
        "avg_d_kbps": (0.0, 1e7), "avg_u_kbps": (0.0, 1e7), "avg_lat_ms": (0.0, 1e5), "tests": (0.0, 1e9),
        "devices": (0.0, 1e9)})
    frame, operator = _operator(frame, ctx, rejects, required=False)
    if service == "fixed" or norm_name(ctx.options.technology or "") == "mobile":
        technology = pd.Series(None, index=frame.index, dtype="object")
    else:
        frame, technology = _technology(frame, ctx, rejects, required=False)
    from_name = name_date(ctx.file, ctx.inner_name or "")
    if "as_of" not in frame.columns and not ctx.options.as_of and from_name:
        as_of = pd.Series(from_name, index=frame.index, dtype="object")
        notes.append(f"dated {from_name} from the file name (Ookla's quarter start); --as-of overrides")
    else:
        frame, as_of = as_of_column(frame, ctx, rejects)
    idx = frame.index
    time = pd.to_datetime(as_of, utc=False).dt.tz_localize(LOCAL_TZ).dt.tz_convert("UTC")

    def num(col: str, scale: float = 1.0) -> pd.Series | None:
        return numbers[col][idx] / scale if col in numbers else None

    out = gpd.GeoDataFrame({
        "measurement_id": ctx.sha256[:16] + "-" + keys[idx].astype(str) + "-" + as_of.astype(str),
        "kind": TILE_KINDS[service], "time": time, "operator": operator[idx], "technology": technology[idx],
        "rsrp_dbm": None, "rsrq_db": None, "sinr_db": None,
        "dl_mbps": num("avg_d_kbps", 1000.0), "ul_mbps": num("avg_u_kbps", 1000.0), "latency_ms": num("avg_lat_ms"),
        "tests": num("tests"), "devices": num("devices"),
        "synthetic": synthetic_flags(frame, ctx), **provenance(frame, ctx, as_of),
    }, geometry=frame.geometry, crs=STORAGE_CRS)
    tests = int(numbers["tests"][idx].sum()) if "tests" in numbers else 0
    notes.append(f"{len(out)} Ookla {service} tiles (zoom {int(keys[idx].str.len().median()) if len(out) else 0}), "
                 f"{tests} tests: medians are weighted by tests")
    return Parsed({"measurements": out}, rejects, notes)
