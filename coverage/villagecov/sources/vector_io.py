"""Opening vector inputs (GeoJSON, GeoPackage, zipped Shapefile, GeoParquet, KML/KMZ, CSV with
lon/lat or WKT), safe zip extraction, CRS checks against Quảng Bình, geometry checks.

Frames leave here in EPSG:4326 with normalised column names and a 1-based ``_row``.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from villagecov.errors import InputError
from villagecov.sources.common import ROW, ReadContext, Rejects, norm_name, parse_numbers, plain_message
from villagecov.sources.csvio import CsvTable, read_csv_text

# Plausible lon/lat window around Quảng Bình (degrees): a file's median point must fall inside.
WINDOW = (104.5, 16.5, 107.5, 18.5)
PROVINCE_TOLERANCE_DEG = 0.01  # ≈ 1 km: features this close to the border count as inside
MAX_ZIP_RATIO = 200  # an entry, or the whole archive, that expands more than this is a zip bomb
MAX_ZIP_ENTRIES = 256  # a zip of 32 Shapefiles with all their side files; more is refused unread
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".zip", ".parquet", ".geoparquet", ".kml", ".kmz",
                   ".csv", ".txt", ".tsv", ".shp"}
LON_NAMES = ("lon", "lng", "long", "longitude", "x", "kinh_do")
LAT_NAMES = ("lat", "latitude", "y", "vi_do")
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom")


@dataclass
class Layer:
    name: str | None
    frame: gpd.GeoDataFrame  # EPSG:4326, normalised columns, _row
    decimal_comma: bool = False
    metadata_synthetic: bool = False


# -- zip files ------------------------------------------------------------------------------------


def safe_extract(path: Path, dest: Path, file: str, max_bytes: int) -> list[Path]:
    """Extract a zip refusing absolute/``..`` names, links and bombs; return the extracted files.

    Limits, all checked on the central directory before anything is extracted: at most
    :data:`MAX_ZIP_ENTRIES` entries, declared total size ≤ ``max_bytes``, expansion ratio ≤
    :data:`MAX_ZIP_RATIO` per large entry and for the archive as a whole (many small entries);
    while extracting, the bytes actually written are counted too (declared sizes can lie).
    """
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a valid zip file ({exc})", file=file) from None
    out: list[Path] = []
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise InputError(f"the zip holds {len(infos)} entries, more than the {MAX_ZIP_ENTRIES} allowed", file=file)
        declared = sum(i.file_size for i in infos)
        if declared > max_bytes:
            raise InputError(f"zip expands to more than {max_bytes // 2**20} MB (zip bomb?)", file=file)
        packed = max(1, sum(i.compress_size for i in infos))
        if declared > 2**20 and declared / packed > MAX_ZIP_RATIO:
            raise InputError(f"the zip expands {declared // packed}:1 as a whole (zip bomb?)", file=file)
        total = 0
        for info in infos:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise InputError(f"zip entry {info.filename!r} points outside the archive (path traversal)", file=file)
            total += info.file_size
            if total > max_bytes:
                raise InputError(
                    f"zip expands to more than {max_bytes // 2**20} MB (zip bomb?)", file=file, field=info.filename
                )
            if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO and info.file_size > 2**20:
                raise InputError(
                    f"zip entry compresses {info.file_size // info.compress_size}:1 (zip bomb?)", file=file,
                    field=info.filename,
                )
        written = 0
        for info in infos:
            if info.is_dir():
                continue
            target = dest.joinpath(*PurePosixPath(info.filename.replace("\\", "/")).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:
                            raise InputError(f"zip expands to more than {max_bytes // 2**20} MB (zip bomb?)", file=file)
                        dst.write(chunk)
            except (zipfile.BadZipFile, EOFError, OSError) as exc:
                raise InputError(f"corrupt zip entry {info.filename!r} ({exc})", file=file) from None
            out.append(target)
    return out


# -- opening ----------------------------------------------------------------------------------------


def open_layers(ctx: ReadContext, *, all_layers: bool) -> list[Layer]:
    """Read the layers of a vector file in EPSG:4326 (one, or all when ``all_layers``)."""
    path, suffix = ctx.path, ctx.path.suffix.lower()
    if suffix == ".zip":
        files = safe_extract(path, ctx.workdir / "unzipped", ctx.file, ctx.max_uncompressed_bytes)
        inner = [f for f in files if f.suffix.lower() in VECTOR_SUFFIXES - {".zip", ".txt", ".json"}]
        shps = [f for f in inner if f.suffix.lower() == ".shp"]
        candidates = shps or inner
        if ctx.options.layer:
            candidates = [f for f in candidates if f.stem == ctx.options.layer] or candidates
        if not candidates:
            raise ctx.error("the zip holds no Shapefile (.shp), GeoPackage, GeoJSON or KML")
        if len(candidates) > 1 and not all_layers:
            names = ", ".join(sorted(f.stem for f in candidates))
            raise ctx.error(f"the zip holds several layers ({names}): choose one with --layer", field="--layer")
        layers: list[Layer] = []
        for f in candidates:
            for layer in _open_file(f, ctx, suffix=f.suffix.lower(), all_layers=all_layers):
                layers.append(Layer(layer.name or f.stem, layer.frame, layer.decimal_comma, layer.metadata_synthetic))
        return layers
    return _open_file(path, ctx, suffix=suffix, all_layers=all_layers)


def _open_file(path: Path, ctx: ReadContext, *, suffix: str, all_layers: bool) -> list[Layer]:
    if suffix in (".csv", ".txt", ".tsv"):
        return [_csv_layer(path, ctx)]
    if suffix in (".parquet", ".geoparquet"):
        try:
            frame = gpd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds
            raise ctx.error(f"cannot read GeoParquet: {_one_line(exc)}") from None
        return [_finish(frame, ctx, None, frame.crs)]
    try:
        names = [str(n) for n, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # GDAL errors come in several classes
        raise ctx.error(f"cannot read {suffix.lstrip('.')} file: {_one_line(exc)}") from None
    if ctx.options.layer:
        if ctx.options.layer not in names:
            raise ctx.error(f"no layer {ctx.options.layer!r} (layers: {', '.join(names)})", field="--layer")
        names = [ctx.options.layer]
    elif len(names) > 1 and not all_layers and suffix not in (".kml", ".kmz"):
        raise ctx.error(f"several layers ({', '.join(names)}): choose one with --layer", field="--layer")
    layers = []
    for name in names:
        try:
            frame = pyogrio.read_dataframe(path, layer=name)
            info = pyogrio.read_info(path, layer=name)
        except Exception as exc:
            raise ctx.error(f"cannot read: {_one_line(exc)}", layer=name) from None
        meta = {**(info.get("dataset_metadata") or {}), **(info.get("layer_metadata") or {})}
        synthetic = any("synthetic" in str(k).lower() and str(v).lower() in ("yes", "true", "1") for k, v in meta.items())
        if not len(frame) and suffix in (".kml", ".kmz") and len(names) > 1:
            continue  # empty KML folders
        layers.append(_finish(frame, ctx, name, frame.crs, synthetic=synthetic))
    if suffix in (".kml", ".kmz") and not all_layers and len(layers) > 1:
        merged = pd.concat([lyr.frame for lyr in layers], ignore_index=True)
        merged[ROW] = range(1, len(merged) + 1)
        return [Layer(None, gpd.GeoDataFrame(merged, geometry="geometry", crs="EPSG:4326"))]
    if not layers:
        raise ctx.error("no features")
    return layers


def _csv_layer(path: Path, ctx: ReadContext) -> Layer:
    return csv_points(read_csv_text(path, ctx.file), ctx)


def csv_points(table: CsvTable, ctx: ReadContext) -> Layer:
    """A layer from a CSV table with lon/lat (WGS 84 unless --assume-crs) or WKT columns."""
    frame = table.frame
    cols = set(frame.columns)
    lon = next((c for c in LON_NAMES if c in cols), None)
    lat = next((c for c in LAT_NAMES if c in cols), None)
    wkt = next((c for c in WKT_NAMES if c in cols), None)
    if lon and lat:
        x, bad_x = parse_numbers(frame[lon], table.decimal_comma)
        y, bad_y = parse_numbers(frame[lat], table.decimal_comma)
        rejects = Rejects()
        keep = rejects.drop(frame, bad_x | x.isna(), lon, f"{lon} '{{value}}' is not a number")
        keep = rejects.drop(keep, (bad_y | y.isna())[keep.index], lat, f"{lat} '{{value}}' is not a number")
        geoms = np.full(len(frame), None, dtype=object)
        ok = frame.index.isin(keep.index)
        geoms[ok] = shapely.points(x[ok].to_numpy(), y[ok].to_numpy())
        frame = frame.assign(_coord_reject=_reasons(rejects, frame))
    elif wkt:
        texts = frame[wkt].fillna("").to_numpy(dtype=object)
        geoms = shapely.from_wkt(texts, on_invalid="ignore")
        bad = shapely.is_missing(geoms) & (frame[wkt].fillna("").str.strip() != "").to_numpy()
        problems = [(wkt, v, f"{wkt} is not valid WKT") if b else None for v, b in zip(texts, bad, strict=True)]
        frame = frame.assign(_coord_reject=pd.Series(problems, index=frame.index, dtype="object"))
        frame = frame.drop(columns=[wkt])
    else:
        raise ctx.error("no lon/lat columns and no wkt column", field="lon")
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=None)
    layer = _finish(gdf, ctx, None, "EPSG:4326", keep_names=True)
    layer.decimal_comma = table.decimal_comma
    return layer


def _reasons(rejects: Rejects, frame: pd.DataFrame) -> pd.Series:
    by_row = {r["row"]: (r["field"], r["value"], r["reason"]) for r in rejects.rows}
    return frame[ROW].map(by_row).astype("object")


def _finish(frame: gpd.GeoDataFrame, ctx: ReadContext, layer: str | None, crs: object,
            *, synthetic: bool = False, keep_names: bool = False) -> Layer:
    frame = frame.reset_index(drop=True)
    if not keep_names:
        frame = frame.rename(columns={c: norm_name(c) for c in frame.columns if c != frame.geometry.name})
        frame[ROW] = range(1, len(frame) + 1)
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    if frame.empty:
        raise ctx.error("no features", layer=layer)
    return Layer(layer, to_lonlat(frame, ctx, layer, crs), metadata_synthetic=synthetic)


def _one_line(exc: Exception) -> str:
    return plain_message(exc)


# -- CRS and geometry checks ---------------------------------------------------------------------


def to_lonlat(frame: gpd.GeoDataFrame, ctx: ReadContext, layer: str | None, declared: object) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 after checking that the CRS is plausible for Quảng Bình.

    ``--assume-crs`` overrides the declared CRS. Raises InputError for a missing CRS, projected
    numbers read as degrees, swapped lon/lat or coordinates far from the province.
    """
    crs_text = ctx.options.assume_crs
    try:
        crs = CRS.from_user_input(crs_text) if crs_text else (CRS.from_user_input(declared) if declared else None)
    except CRSError:
        raise InputError(f"unknown CRS {crs_text!r}", field="--assume-crs") from None
    if crs is None:
        raise ctx.error("no CRS declared (a Shapefile without .prj?): give --assume-crs, e.g. EPSG:32648",
                        layer=layer, field="geometry")
    geoms = frame.geometry.values
    present = ~(shapely.is_missing(np.asarray(geoms)) | shapely.is_empty(np.asarray(geoms)))
    if not present.any():
        return gpd.GeoDataFrame(frame, geometry="geometry", crs=crs).to_crs("EPSG:4326")
    bounds = shapely.bounds(np.asarray(geoms)[present])
    cx = np.median((bounds[:, 0] + bounds[:, 2]) / 2)
    cy = np.median((bounds[:, 1] + bounds[:, 3]) / 2)
    minx, miny, maxx, maxy = WINDOW
    if crs.is_geographic and minx <= cy <= maxx and miny <= cx <= maxy:
        raise ctx.error(
            f"longitude and latitude look swapped (x≈{cx:.3f}, y≈{cy:.3f}): put lon first or fix the columns",
            layer=layer, field="geometry",
        )
    if crs.is_geographic and (abs(cx) > 180 or abs(cy) > 90):
        raise ctx.error(
            f"coordinates look projected (x≈{cx:.0f}, y≈{cy:.0f}) but the CRS is {crs.to_string()} degrees: "
            "give --assume-crs, e.g. EPSG:32648 or VN-2000", layer=layer, field="geometry",
        )
    out = gpd.GeoDataFrame(frame, geometry="geometry", crs=crs)
    if not crs.equals("EPSG:4326"):
        try:
            out = out.to_crs("EPSG:4326")
        except Exception as exc:
            raise ctx.error(f"cannot reproject from {crs.to_string()}: {_one_line(exc)}", layer=layer) from None
        b = shapely.bounds(np.asarray(out.geometry.values)[present])
        cx, cy = np.median((b[:, 0] + b[:, 2]) / 2), np.median((b[:, 1] + b[:, 3]) / 2)
    if not (minx <= cx <= maxx and miny <= cy <= maxy):
        raise ctx.error(
            f"coordinates (lon≈{cx:.3f}, lat≈{cy:.3f}) are far from Quảng Bình: wrong or missing CRS? "
            "give --assume-crs", layer=layer, field="geometry",
        )
    return out


def clean_geometries(frame: gpd.GeoDataFrame, rejects: Rejects, expect: str, notes: list[str],
                     layer: str | None = None) -> gpd.GeoDataFrame:
    """Reject empty/wrong-type geometries, repair invalid polygons (``make_valid``), keep the rest.

    ``expect``: ``polygon``, ``point`` or ``any``.
    """
    if "_coord_reject" in frame.columns:
        bad = frame["_coord_reject"].notna().to_numpy()
        for row, (fld, value, reason) in zip(frame[ROW][bad], frame["_coord_reject"][bad], strict=True):
            rejects.add(row, fld, value, reason, layer)
        frame = frame[~bad].drop(columns="_coord_reject")
    geoms = np.asarray(frame.geometry.values, dtype=object)
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    frame = rejects.drop(frame, empty, "geometry", "empty geometry", layer=layer)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    types = shapely.get_type_id(geoms)
    allowed = {"polygon": (3, 6), "point": (0,), "any": (0, 3, 6)}[expect]
    wrong = ~np.isin(types, allowed)
    if wrong.any():
        names = pd.Series([g.geom_type for g in geoms], index=frame.index)
        frame = rejects.drop(frame, wrong, "geometry", f"geometry is {{value}}, expected {expect}",
                             value=names, layer=layer)
        geoms = np.asarray(frame.geometry.values, dtype=object)
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid])
        fixed = [_polygonal(g) for g in shapely.make_valid(geoms[invalid])]
        ok = np.array([g is not None and not g.is_empty and g.area > 0 for g in fixed])
        geoms = geoms.copy()
        idx = np.flatnonzero(invalid)
        geoms[idx[ok]] = np.array(fixed, dtype=object)[ok] if ok.any() else geoms[idx[ok]]
        frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
        if ok.any():
            notes.append(f"{int(ok.sum())} invalid geometries repaired with make_valid" + (f" (layer {layer})" if layer else ""))
        bad = np.zeros(len(frame), dtype=bool)
        bad[idx[~ok]] = True
        why = pd.Series(None, index=frame.index, dtype="object")
        why.iloc[idx[~ok]] = [str(r).split("[")[0].strip() for r in np.asarray(reasons)[~ok]]
        frame = rejects.drop(frame, bad, "geometry", "invalid geometry ({value}) that cannot be repaired",
                             value=why, layer=layer)
    return frame


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else None


def drop_outside(frame: gpd.GeoDataFrame, ctx: ReadContext, rejects: Rejects, layer: str | None = None
                 ) -> gpd.GeoDataFrame:
    """Quarantine features that do not touch Quảng Bình (≈ 1 km tolerance)."""
    if frame.empty:
        return frame
    area = shapely.buffer(ctx.province, PROVINCE_TOLERANCE_DEG)
    shapely.prepare(area)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    if (shapely.get_type_id(geoms) == 0).all():
        inside = shapely.contains_xy(area, shapely.get_x(geoms), shapely.get_y(geoms))
    else:
        inside = shapely.intersects(area, geoms)
    c = shapely.centroid(geoms)
    swapped = shapely.contains_xy(area, shapely.get_y(c), shapely.get_x(c))
    reason = pd.Series(np.where(swapped, "outside Quảng Bình (lon/lat swapped?)", "outside Quảng Bình"),
                       index=frame.index)
    return rejects.drop(frame, ~inside, "geometry", "{value}", value=reason.where(~inside), layer=layer)
