"""Coverage rasters: GeoTIFF of signal strength (dBm) or of coverage classes, any CRS, nodata.

The file is converted by GDAL's COG driver (tiled, DEFLATE, internal overviews) into the
archive folder, keeping its CRS and pixels. GDAL streams blocks with a bounded cache, and this
module only reads a decimated overview (≤ 1024 px a side) to check values and trace the data
footprint, so memory stays bounded whatever the raster size. The coverage row points at the COG
(``raster_path``, absolute) and carries the footprint (EPSG:4326) as geometry.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import shapely.geometry
from pyproj import CRS
from pyproj.exceptions import CRSError

from villagecov.errors import InputError
from villagecov.schema import STORAGE_CRS
from villagecov.sources.common import (
    OPERATOR_ALIASES,
    TECH_ALIASES,
    Parsed,
    ReadContext,
    Rejects,
    check_option,
    norm_name,
    option_date,
    plain_message,
)
from villagecov.sources.coverage_vector import evidence_option
from villagecov.sources.vector_io import WINDOW

VALUE_KINDS = ("signal_dbm", "class")
DBM_RANGE = (-160.0, -20.0)
CLASSES = (0, 1, 2, 3)  # none, outdoor, in-car, indoor
COVERAGE_NAMES = {0: "none", 1: "outdoor", 2: "in_car", 3: "indoor"}
MAX_OUTLIER_SHARE = 0.01  # a dBm raster may have up to 1 % of pixels outside the range (near antennas)
# What the words of a class declaration mean on the project's scale (stronger is higher).
CLASS_WORDS = {"none": 0, "no": 0, "no_coverage": 0, "khong": 0, "khong_phu_song": 0,
               "outdoor": 1, "variable": 1, "weak": 1, "limited": 1, "ngoai_troi": 1, "yeu": 1,
               "in_car": 2, "incar": 2, "vehicle": 2, "medium": 2, "trong_xe": 2, "trung_binh": 2,
               "indoor": 3, "strong": 3, "good": 3, "trong_nha": 3, "manh": 3, "tot": 3}
# Documented default declarations per known source, recognised by the file name.
KNOWN_CLASS_SOURCES = {"gsma": "1=strong,2=variable", "mobile_coverage_explorer": "1=strong,2=variable",
                       "mce_": "1=strong,2=variable"}
PREVIEW_PX = 1024
GDAL_ENV = {"GDAL_CACHEMAX": 256, "GDAL_NUM_THREADS": "2", "CHECK_DISK_FREE_SPACE": "NO"}


def read_coverage_raster(ctx: ReadContext) -> Parsed:
    import rasterio
    from rasterio.errors import RasterioIOError

    classes = class_meanings(ctx)
    value_kind = check_option(ctx.options.value or ("class" if classes else "signal_dbm"),
                              {v: v for v in VALUE_KINDS}, "--value")
    if value_kind == "class" and classes is None:
        classes = {c: c for c in CLASSES}  # the project's own scale: 0 none, 1 outdoor, 2 in-car, 3 indoor
    operator = check_option(ctx.options.operator, OPERATOR_ALIASES, "--operator")
    technology = check_option(ctx.options.technology, TECH_ALIASES, "--technology")
    evidence = evidence_option(ctx)
    if operator is None:
        raise InputError("a coverage raster needs --operator", file=ctx.file, field="--operator")
    if technology is None:
        raise InputError("a coverage raster needs --technology", file=ctx.file, field="--technology")
    as_of = option_date(ctx)
    if as_of is None:
        raise InputError("a coverage raster needs --as-of", file=ctx.file, field="--as-of")
    with rasterio.Env(**GDAL_ENV):
        try:
            src = rasterio.open(ctx.path)
        except RasterioIOError as exc:
            raise ctx.error(f"cannot read GeoTIFF: {plain_message(exc)}") from None
        with src:
            crs = _crs(src, ctx)
            if src.transform.is_identity and not src.gcps[0]:
                raise ctx.error("GeoTIFF has no georeferencing (no geotransform)", field="geotransform")
            synthetic = ctx.synthetic_name or str(src.tags().get("VILLAGECOV_SYNTHETIC", "")).lower() in ("yes", "true", "1")
            _check_place(src.bounds, crs, ctx)
            if value_kind == "class" and not np.issubdtype(np.dtype(src.dtypes[0]), np.integer):
                raise ctx.error(f"coverage classes need an integer band, got {src.dtypes[0]}", field="band 1")
        notes: list[str] = []
        cog = _to_cog(ctx, crs, classes if value_kind == "class" else None, notes)
        footprint = _check_and_trace(cog, ctx, value_kind, notes)
    row = gpd.GeoDataFrame({
        "coverage_id": [f"{ctx.sha256[:16]}-raster"], "operator": [operator], "technology": [technology],
        "evidence": [evidence], "raster_path": [str(cog.resolve())], "value_kind": [value_kind],
        "synthetic": [synthetic], "source": [ctx.file], "as_of": [as_of], "sha256": [ctx.sha256],
    }, geometry=[footprint], crs=STORAGE_CRS)
    notes.append(f"stored as COG {cog.name}; footprint traced at ≤{PREVIEW_PX} px")
    return Parsed({"coverage": row}, Rejects(), notes)


def class_meanings(ctx: ReadContext) -> dict[int, int] | None:
    """``--classes 1=strong,2=variable`` (or a known source's default) as file value → project class."""
    spec = ctx.options.classes
    if spec is None:
        low = (ctx.file + " " + (ctx.inner_name or "")).lower()
        spec = next((v for k, v in KNOWN_CLASS_SOURCES.items() if k in low), None)
    if spec is None:
        return None
    out: dict[int, int] = {}
    for part in [p.strip() for p in spec.split(",") if p.strip()]:
        value, _, word = part.partition("=")
        try:
            number = int(value.strip())
        except ValueError:
            raise InputError(f"expected VALUE=MEANING (e.g. 1=strong), got {part!r}", field="--classes") from None
        meaning = CLASS_WORDS.get(norm_name(word))
        if meaning is None:
            raise InputError(f"unknown class meaning {word.strip()!r} (strong, variable, indoor, in-car, outdoor, "
                             "none)", field="--classes")
        out[number] = meaning
    if not out:
        raise InputError("no class given", field="--classes")
    out.setdefault(0, 0)  # 0 is "no coverage" unless declared otherwise
    return out


def _crs(src, ctx: ReadContext) -> CRS:  # type: ignore[no-untyped-def]
    if ctx.options.assume_crs:
        try:
            return CRS.from_user_input(ctx.options.assume_crs)
        except CRSError:
            raise InputError(f"unknown CRS {ctx.options.assume_crs!r}", field="--assume-crs") from None
    if src.crs is None:
        raise ctx.error("GeoTIFF has no georeferencing (no CRS): give --assume-crs", field="crs")
    return CRS.from_user_input(src.crs.to_wkt())


def _check_place(bounds, crs: CRS, ctx: ReadContext) -> None:  # type: ignore[no-untyped-def]
    from rasterio.warp import transform_bounds

    cx, cy = (bounds.left + bounds.right) / 2, (bounds.bottom + bounds.top) / 2
    if crs.is_geographic and (abs(cx) > 180 or abs(cy) > 90):
        raise ctx.error(f"coordinates look projected (x≈{cx:.0f}, y≈{cy:.0f}) but the CRS is in degrees: "
                        "give --assume-crs", field="crs")
    try:
        w, s, e, n = transform_bounds(crs.to_wkt(), "EPSG:4326", *bounds)
    except Exception as exc:
        raise ctx.error(f"cannot reproject the raster bounds: {exc}", field="crs") from None
    minx, miny, maxx, maxy = WINDOW
    if not shapely.box(w, s, e, n).intersects(ctx.province):
        raise ctx.error(f"the raster ({w:.3f},{s:.3f},{e:.3f},{n:.3f}) does not overlap Quảng Bình: wrong CRS?",
                        field="crs")
    if not (minx - 2 <= w and e <= maxx + 2 and miny - 2 <= s and n <= maxy + 2):
        raise ctx.error(f"the raster ({w:.3f},{s:.3f},{e:.3f},{n:.3f}) is far larger than Quảng Bình", field="crs")


def _to_cog(ctx: ReadContext, crs: CRS, classes: dict[int, int] | None, notes: list[str]) -> Path:
    """Convert to a COG beside the archived file (atomic rename); reused if already there. A class
    raster is first recoded to the project's scale (0 none, 1 outdoor, 2 in-car, 3 indoor)."""
    from rasterio.shutil import copy as rio_copy

    recode = classes is not None and classes != {c: c for c in CLASSES}
    tag = "" if not recode else "." + "-".join(f"{k}_{v}" for k, v in sorted(classes.items()))  # type: ignore[union-attr]
    target = ctx.archive_dir / f"{ctx.path.stem}{tag}.cog.tif"
    if recode:
        meaning = ", ".join(f"{k} → {COVERAGE_NAMES[v]}" for k, v in sorted(classes.items()))  # type: ignore[union-attr]
        notes.append(f"classes recoded to the project's scale: {meaning}")
    if target.exists():
        return target
    source: str = str(ctx.path)
    if ctx.options.assume_crs:
        source = _vrt_with_crs(ctx, crs)
    if recode:
        source = _recoded(source, classes, ctx)  # type: ignore[arg-type]
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        rio_copy(source, tmp, driver="COG", COMPRESS="DEFLATE", PREDICTOR="YES", BLOCKSIZE=512,
                 OVERVIEWS="AUTO", RESAMPLING="NEAREST", BIGTIFF="IF_SAFER", NUM_THREADS="2")
    except Exception as exc:
        tmp.unlink(missing_ok=True)
        raise ctx.error(f"cannot convert to COG: {str(exc).splitlines()[0][:200]}") from None
    os.replace(tmp, target)
    return target


def _recoded(source: str, classes: dict[int, int], ctx: ReadContext) -> str:
    """The class raster recoded block by block (bounded memory) into a uint8 GeoTIFF in the
    scratch folder; values the declaration does not name are refused with their value."""
    import rasterio

    out = ctx.workdir / "recoded.tif"
    lut = np.full(65536, 255, dtype=np.uint8)
    for k, v in classes.items():
        lut[k + 32768] = v
    with rasterio.open(source) as src:
        if not np.issubdtype(np.dtype(src.dtypes[0]), np.integer):
            raise ctx.error(f"coverage classes need an integer band, got {src.dtypes[0]}", field="band 1")
        profile = {**src.profile, "driver": "GTiff", "dtype": "uint8", "count": 1, "nodata": 255, "tiled": True,
                   "blockxsize": 256, "blockysize": 256, "compress": "deflate"}
        with rasterio.open(out, "w", **profile) as dst:
            for _, window in src.block_windows(1):
                band = src.read(1, window=window, masked=True)
                values = band.filled(0).astype(np.int64)
                mask = np.ma.getmaskarray(band)
                if ((values < -32768) | (values > 32767)).any():
                    raise ctx.error("class values out of range", field="band 1")
                coded = lut[values + 32768]
                unknown = (coded == 255) & ~mask
                if unknown.any():
                    bad = int(values[unknown][0])
                    raise ctx.error(f"value {bad} is not a declared class (--classes "
                                    f"{','.join(f'{k}={COVERAGE_NAMES[v]}' for k, v in sorted(classes.items()))})",
                                    field="band 1")
                coded[mask] = 255
                dst.write(coded, 1, window=window)
            dst.update_tags(**src.tags())
    return str(out)


def _vrt_with_crs(ctx: ReadContext, crs: CRS) -> str:
    """A VRT over the archived file that declares ``crs`` (for ``--assume-crs``)."""
    import rasterio
    with rasterio.open(ctx.path) as src:
        gt = src.transform.to_gdal()
        bands = []
        for b in range(1, src.count + 1):
            nodata = f"<NoDataValue>{src.nodata}</NoDataValue>" if src.nodata is not None else ""
            bands.append(
                f'<VRTRasterBand dataType="{_gdal_type(src.dtypes[b - 1])}" band="{b}">{nodata}'
                f'<SimpleSource><SourceFilename relativeToVRT="0">{ctx.path}</SourceFilename>'
                f"<SourceBand>{b}</SourceBand></SimpleSource></VRTRasterBand>"
            )
        xml = (f'<VRTDataset rasterXSize="{src.width}" rasterYSize="{src.height}">'
               f"<SRS>{crs.to_wkt().replace('&', '&amp;').replace('<', '&lt;')}</SRS>"
               f"<GeoTransform>{', '.join(repr(v) for v in gt)}</GeoTransform>{''.join(bands)}</VRTDataset>")
    path = ctx.workdir / "assume_crs.vrt"
    path.write_text(xml, encoding="utf-8")
    return str(path)


def _gdal_type(dtype: str) -> str:
    return {"uint8": "Byte", "int8": "Int8", "uint16": "UInt16", "int16": "Int16", "uint32": "UInt32",
            "int32": "Int32", "float32": "Float32", "float64": "Float64"}[dtype]


def _check_and_trace(cog: Path, ctx: ReadContext, value_kind: str, notes: list[str]) -> shapely.Geometry:
    """Check the values on a decimated read and trace the data footprint in EPSG:4326."""
    import rasterio
    from rasterio.features import shapes
    from rasterio.warp import transform_geom

    with rasterio.open(cog) as src:
        factor = max(1, int(np.ceil(max(src.width, src.height) / PREVIEW_PX)))
        h, w = max(1, src.height // factor), max(1, src.width // factor)
        band = src.read(1, out_shape=(h, w), masked=True)
        transform = src.transform * src.transform.scale(src.width / w, src.height / h)
        crs_wkt = src.crs.to_wkt()
    valid = ~np.ma.getmaskarray(band)
    if np.issubdtype(band.dtype, np.floating):
        valid &= np.isfinite(band.filled(np.nan))
    if not valid.any():
        raise ctx.error("the raster has no data (every pixel is nodata)", field="band 1")
    values = np.asarray(band)[valid]
    if value_kind == "signal_dbm":
        lo, hi = float(values.min()), float(values.max())
        outside = (values < DBM_RANGE[0]) | (values > DBM_RANGE[1])
        if outside.mean() > MAX_OUTLIER_SHARE or (np.issubdtype(values.dtype, np.integer) and hi <= 10 and lo >= 0):
            raise ctx.error(f"values from {lo:g} to {hi:g} are not signal strengths in dBm "
                            f"({DBM_RANGE[0]:g}…{DBM_RANGE[1]:g}): coverage classes? use --classes "
                            "1=strong,2=variable (or --value class)", field="band 1")
        if outside.any():
            notes.append(f"{outside.mean():.2%} of the pixels lie outside {DBM_RANGE[0]:g}…{DBM_RANGE[1]:g} dBm "
                         f"(from {lo:g} to {hi:g}; e.g. beside an antenna): kept and flagged, not refused")
    else:
        unknown = sorted(set(np.unique(values).tolist()) - set(CLASSES))
        if unknown:
            raise ctx.error(f"class {unknown[0]} is not a coverage class (0 none, 1 outdoor, 2 in-car, 3 indoor)",
                            field="band 1")
    polys = [shapely.geometry.shape(geom) for geom, _ in shapes(valid.astype(np.uint8), mask=valid, transform=transform)]
    footprint = shapely.union_all(polys)
    footprint = shapely.geometry.shape(transform_geom(crs_wkt, "EPSG:4326", shapely.geometry.mapping(footprint)))
    return shapely.make_valid(footprint)
