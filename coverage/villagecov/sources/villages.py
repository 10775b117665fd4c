"""Villages (thôn, bản, tổ dân phố): polygons or points from any vector format or CSV.

Vietnamese register columns are recognised (``ma_thon``, ``ten_thon``, ``ma_xa``, ``dan_so``,
``so_ho``, ``dbkk``, ``ngay``); other names are mapped with ``--columns``. A missing commune code
is filled by a spatial join against the communes of the boundary version; points become Voronoi
cells (computed in EPSG:32648) clipped to their commune, flagged ``derived``. Output EPSG:4326.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.schema import METRIC_CRS, STORAGE_CRS
from villagecov.sources.common import (
    ROW,
    Parsed,
    ReadContext,
    Rejects,
    apply_columns,
    as_of_column,
    ascii_fold,
    blank,
    norm_name,
    parse_bools,
    parse_numbers,
    provenance,
    require_columns,
    synthetic_flags,
)
from villagecov.sources.csvio import read_csv_text
from villagecov.sources.headings import parse_dms, recognise
from villagecov.sources.vector_io import (
    LAT_NAMES,
    LON_NAMES,
    WKT_NAMES,
    clean_geometries,
    drop_outside,
    open_layers,
    to_lonlat,
)

REGISTER_COLUMNS = {
    "ma_thon": "village_id", "id": "village_id", "ten_thon": "name", "ten": "name", "ma_xa": "commune_code",
    "dan_so": "population", "so_ho": "households", "dbkk": "remote", "thon_dbkk": "remote", "ngay": "as_of",
}
# Settlement footprint of a village given as a point: a disc whose area is SQM_PER_PERSON for each
# inhabitant (houses, gardens and lanes of a rural Vietnamese hamlet), within these bounds.
SQM_PER_PERSON = 400.0
MIN_RADIUS_M, MAX_RADIUS_M, DEFAULT_RADIUS_M = 250.0, 2000.0, 500.0
COMMUNE_TOLERANCE_DEG = 0.01  # a point up to ≈ 1 km outside its stated commune is still accepted


def read_villages(ctx: ReadContext) -> Parsed:
    """Villages rows (EPSG:4326 MultiPolygons; none for unlocated villages) and rejected rows."""
    if ctx.path.suffix.lower() in (".csv", ".txt", ".tsv"):
        table = read_csv_text(ctx.path, ctx.file)
        names = set(apply_columns(table.frame.head(0), ctx.options.columns, REGISTER_COLUMNS).columns)
        if not names & set(WKT_NAMES):  # WKT geometries go through the vector path
            return read_village_table(table.frame, ctx, table.decimal_comma)
    rejects, notes = Rejects(), []
    layer = open_layers(ctx, all_layers=False)[0]
    return _villages(layer.frame, ctx, rejects, notes, layer.name, layer.decimal_comma, layer.metadata_synthetic)


def read_village_table(frame: pd.DataFrame, ctx: ReadContext, decimal_comma: bool) -> Parsed:
    """Villages from a table of text cells (CSV, spreadsheet): points from lon/lat (decimal or
    DMS) where given, *unlocated* villages (no geometry, a commune code or name) where not."""
    rejects, notes = Rejects(), []
    frame = recognise(apply_columns(frame, ctx.options.columns, REGISTER_COLUMNS), ctx, notes)
    lon = next((c for c in ("lon", *LON_NAMES) if c in frame.columns), None)
    lat = next((c for c in ("lat", *LAT_NAMES) if c in frame.columns), None)
    geoms = np.full(len(frame), None, dtype=object)
    if lon and lat:
        x, bad_x = _coordinates(frame[lon], decimal_comma)
        y, bad_y = _coordinates(frame[lat], decimal_comma)
        frame = rejects.drop(frame, bad_x, lon, f"{lon} '{{value}}' is not a number")  # nor DMS
        frame = rejects.drop(frame, bad_y[frame.index], lat, f"{lat} '{{value}}' is not a number")
        x, y = x[frame.index], y[frame.index]
        both = (x.notna() & y.notna()).to_numpy()
        geoms = np.full(len(frame), None, dtype=object)
        geoms[both] = shapely.points(x[both].to_numpy(), y[both].to_numpy())
        frame = frame.drop(columns=[lon, lat])
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, index=frame.index), crs=None)
    located = ~shapely.is_missing(np.asarray(gdf.geometry.values, dtype=object))
    if located.any():
        checked = to_lonlat(gdf[located], ctx, None, "EPSG:4326")
        gdf = pd.concat([checked, gdf[~located].set_crs("EPSG:4326")]).sort_index()
    else:
        gdf = gdf.set_crs("EPSG:4326")
    return _villages(gdf, ctx, rejects, notes, None, decimal_comma, False)


def _coordinates(values: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    numbers, bad = parse_numbers(values, decimal_comma)
    if bad.any():
        dms = values[bad].map(lambda v: parse_dms(str(v)))
        numbers = numbers.copy()
        numbers[bad] = dms.astype("float64")
        bad = bad & dms.reindex(values.index).isna()
    return numbers, bad


def commune_codes_from_names(frame: pd.DataFrame, ctx: ReadContext, rejects: Rejects) -> pd.DataFrame:
    """Fill ``commune_code`` from a ``commune_name`` column (``Xã Tân Hóa`` or ``Tân Hóa``),
    narrowed by ``district_name`` when two communes share a name."""
    if "commune_name" not in frame.columns:
        return frame
    codes = frame["commune_code"] if "commune_code" in frame.columns else pd.Series(None, index=frame.index)
    index: dict[str, set[str]] = {}
    for code, name in zip(ctx.communes["code"], ctx.communes["name"], strict=True):
        index.setdefault(_plain(name), set()).add(code)
    district_of = (dict(zip(ctx.communes["code"], ctx.communes["district"].map(lambda d: _plain(str(d))), strict=True))
                   if "district" in ctx.communes.columns else {})
    districts = (frame["district_name"] if "district_name" in frame.columns
                 else pd.Series(None, index=frame.index, dtype="object"))
    found = []
    for name, district in zip(frame["commune_name"], districts, strict=True):
        hits = index.get(_plain(str(name)), set()) if pd.notna(name) and str(name).strip() else set()
        if len(hits) > 1 and pd.notna(district) and district_of:
            hits = {c for c in hits if district_of.get(c) == _plain(str(district))} or hits
        found.append(next(iter(hits)) if len(hits) == 1 else ("?" if hits else None))
    found_s = pd.Series(found, index=frame.index, dtype="object")
    need = blank(codes) & ~blank(frame["commune_name"])
    frame = rejects.drop(frame, need & found_s.isna(), "commune_name",
                         f"unknown commune '{{value}}' (boundaries {ctx.options.boundary_version})")
    need, found_s = need[frame.index], found_s[frame.index]
    frame = rejects.drop(frame, need & (found_s == "?"), "commune_name",
                         "commune name '{value}' is ambiguous: give the commune code (ma_xa)")
    frame = frame.copy()
    frame["commune_code"] = codes[frame.index].where(~need[frame.index], found_s[frame.index])
    return frame


def _plain(name: str) -> str:
    folded = ascii_fold(name).lower().strip()
    for prefix in ("xa ", "phuong ", "thi tran ", "tt. ", "tt ", "p. ", "x. ", "huyen ", "thanh pho ", "thi xa ",
                   "tp. ", "tp ", "tx. ", "tx "):
        if folded.startswith(prefix):
            folded = folded[len(prefix):]
    return " ".join(folded.split())


def _villages(frame: gpd.GeoDataFrame, ctx: ReadContext, rejects: Rejects, notes: list[str], layer_name: str | None,
              decimal_comma: bool, meta_synthetic: bool) -> Parsed:
    frame = recognise(apply_columns(frame, ctx.options.columns, REGISTER_COLUMNS), ctx, notes)
    if "village_id" not in frame.columns and "name" in frame.columns and (
            "commune_code" in frame.columns or "commune_name" in frame.columns):
        frame = _generated_ids(frame, ctx, notes)
    require_columns(frame, ctx, ["village_id", "name"], layer_name)
    frame = commune_codes_from_names(frame, ctx, rejects)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if "_coord_reject" in frame.columns:
        missing &= frame["_coord_reject"].isna().to_numpy()
    unlocated = frame[missing].drop(columns=[c for c in ("_coord_reject",) if c in frame.columns])
    frame = frame[~missing]
    frame = clean_geometries(frame, rejects, "any", notes, layer_name)
    frame = drop_outside(frame, ctx, rejects, layer_name)
    frame = pd.concat([frame, unlocated]).sort_values(ROW, kind="stable")
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=STORAGE_CRS)

    frame = rejects.drop(frame, blank(frame["village_id"]), "village_id", "village_id is empty")
    frame["village_id"] = frame["village_id"].astype(str).str.strip().str.removesuffix(".0")
    frame = _drop_duplicates(frame, rejects)
    frame = rejects.drop(frame, blank(frame["name"]), "name", "name is empty")
    frame["name"] = frame["name"].astype(str).str.strip()
    for col in ("population", "households"):
        if col in frame.columns:
            values, bad = parse_numbers(frame[col], decimal_comma)
            frame = rejects.drop(frame, bad, col, f"{col} '{{value}}' is not a number")
            values = values[frame.index]
            wrong = (values < 0) | (values.notna() & (values % 1 != 0))
            frame = rejects.drop(frame, wrong, col, f"{col} '{{value}}' is not a whole number ≥ 0")
            frame[col] = values[frame.index]
    remote = pd.Series(None, index=frame.index, dtype="object")
    if "remote" in frame.columns:
        remote, bad = parse_bools(frame["remote"])
        frame = rejects.drop(frame, bad, "remote", "remote '{value}' is not true/false (1/0, có/không)")
        remote = remote[frame.index]
    frame, as_of = as_of_column(frame, ctx, rejects)
    remote = remote[frame.index]
    frame = _communes(frame, ctx, rejects)
    frame, derived = _polygons(frame, ctx, rejects, notes)
    keep = frame.index
    if "ethnic_minority" in frame.columns:
        notes.append("ethnic-minority column recognised; the village table has no field for it yet (not stored)")
    out = gpd.GeoDataFrame(
        {
            "village_id": frame["village_id"],
            "name": frame["name"],
            "commune_code": frame["commune_code"],
            "boundary_version": ctx.options.boundary_version,
            "population": frame["population"] if "population" in frame.columns else None,
            "households": frame["households"] if "households" in frame.columns else None,
            "remote": remote[keep],
            "remote_official": remote[keep],
            "remote_reasons": remote[keep].map(lambda v: "official" if v is True else None),
            "derived": derived,
            "synthetic": synthetic_flags(frame, ctx, meta_synthetic),
            **provenance(frame, ctx, as_of[keep]),
        },
        geometry=frame.geometry,
        crs=STORAGE_CRS,
    ).reset_index(drop=True)
    lost = shapely.is_missing(np.asarray(out.geometry.values, dtype=object))
    if lost.any():
        path = write_unlocated(out[lost], ctx)
        notes.append(f"{int(lost.sum())} villages have no coordinates: stored unlocated (counted with their "
                     f"commune's evidence where it is uniform, else unknown); fill in lon/lat in {path} and "
                     "ingest it again")
    return Parsed({"villages": out}, rejects, notes)


def _generated_ids(frame: pd.DataFrame, ctx: ReadContext, notes: list[str]) -> pd.DataFrame:
    """A register without village codes: ids from commune (code or name) and village name."""
    commune = (frame["commune_code"] if "commune_code" in frame.columns else
               frame["commune_name"] if "commune_name" in frame.columns else pd.Series("", index=frame.index))
    ids = commune.fillna("").astype(str).map(norm_name) + "-" + frame["name"].fillna("").astype(str).map(norm_name)
    frame = frame.copy()
    frame["village_id"] = ids.where(~blank(frame["name"]), None)
    notes.append("no village code column: ids made from commune and village name (e.g. "
                 f"{ids.iloc[0] if len(ids) else '…'})")
    return frame


def write_unlocated(villages: gpd.GeoDataFrame, ctx: ReadContext) -> Path:
    """``unlocated-villages.csv`` beside the archived file: the villages to give coordinates to."""
    path = ctx.archive_dir / "unlocated-villages.csv"
    table = pd.DataFrame({"village_id": villages["village_id"], "name": villages["name"],
                          "commune_code": villages["commune_code"], "population": villages["population"],
                          "as_of": villages["as_of"], "lon": "", "lat": ""})
    table.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _drop_duplicates(frame: pd.DataFrame, rejects: Rejects) -> pd.DataFrame:
    dup = frame["village_id"].duplicated(keep="first")
    if not dup.any():
        return frame
    first = frame.drop_duplicates("village_id").set_index("village_id")[ROW]
    reason = frame["village_id"].map(lambda v: f"duplicate village_id '{v}' (first at row {first[v]})")
    return rejects.drop(frame, dup, "village_id", "{value}", value=reason.where(dup))


def _commune_codes(values: pd.Series) -> pd.Series:
    """GSO commune codes as 5-digit text (Excel drops leading zeros and adds ``.0``)."""
    text = values.astype("string").str.strip().str.removesuffix(".0")
    return text.where(~text.str.fullmatch(r"\d{1,4}").fillna(False), text.str.zfill(5)).astype("object")


def _communes(frame: gpd.GeoDataFrame, ctx: ReadContext, rejects: Rejects) -> gpd.GeoDataFrame:
    """Check given commune codes, fill missing ones by spatial join (representative point)."""
    communes = ctx.communes
    version = ctx.options.boundary_version
    codes = (_commune_codes(frame["commune_code"]) if "commune_code" in frame.columns
             else pd.Series(None, index=frame.index, dtype="object"))
    given = ~blank(codes)
    unknown = given & ~codes.isin(set(communes["code"]))
    frame = rejects.drop(frame, unknown, "commune_code", f"unknown commune code '{{value}}' (boundaries {version})",
                         value=codes)
    codes, given = codes[frame.index], given[frame.index]
    located = ~shapely.is_missing(np.asarray(frame.geometry.values, dtype=object))
    frame = rejects.drop(frame, ~located & ~given.to_numpy(), "commune_code",
                         "empty geometry (no coordinates) and no commune code or name: the village cannot be placed")
    codes, given = codes[frame.index], given[frame.index]
    located = ~shapely.is_missing(np.asarray(frame.geometry.values, dtype=object))
    unlocated = frame[~located]
    unlocated_codes = codes[unlocated.index]
    frame, codes, given = frame[located], codes[located], given[located]
    reps = shapely.point_on_surface(np.asarray(frame.geometry.values, dtype=object))
    tree = shapely.STRtree(np.asarray(communes.geometry.values, dtype=object))
    geoms_by_code = dict(zip(communes["code"], communes.geometry.values, strict=True))
    if (~given).any():
        idx = np.flatnonzero(~given.to_numpy())
        hit = tree.query_nearest(reps[idx], max_distance=COMMUNE_TOLERANCE_DEG, all_matches=False)
        found = pd.Series(None, index=frame.index, dtype="object")
        found.iloc[idx[hit[0]]] = communes["code"].to_numpy()[hit[1]]
        codes = codes.where(given, found)
        frame = rejects.drop(frame, codes.isna(), "commune_code", "commune_code is empty and no commune contains the village")
        codes, given = codes[frame.index], given[frame.index]
        reps = shapely.point_on_surface(np.asarray(frame.geometry.values, dtype=object))
    zones = np.array([geoms_by_code[c] for c in codes], dtype=object) if len(codes) else np.array([])
    near = shapely.dwithin(zones, reps, COMMUNE_TOLERANCE_DEG) if len(codes) else np.array([], dtype=bool)
    reason = codes.map(lambda c: f"the village lies outside its commune {c}")
    frame = rejects.drop(frame, ~near, "commune_code", "{value}", value=reason.where(~pd.Series(near, index=frame.index)))
    frame = frame.copy()
    frame["commune_code"] = codes[frame.index]
    if len(unlocated):
        unlocated = unlocated.copy()
        unlocated["commune_code"] = unlocated_codes
        frame = gpd.GeoDataFrame(pd.concat([frame, unlocated]).sort_values(ROW, kind="stable"), geometry="geometry",
                                 crs=frame.crs)
    return frame


def footprint_radius(population: np.ndarray) -> np.ndarray:
    """Radius (m) of the settlement disc: area = population × SQM_PER_PERSON, bounded; default when unknown."""
    with np.errstate(invalid="ignore"):
        r = np.sqrt(np.maximum(population, 0) * SQM_PER_PERSON / np.pi)
    return np.where(np.isnan(r), DEFAULT_RADIUS_M, np.clip(r, MIN_RADIUS_M, MAX_RADIUS_M))


def _polygons(frame: gpd.GeoDataFrame, ctx: ReadContext, rejects: Rejects, notes: list[str]
              ) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Replace points by Voronoi cells clipped to their commune (EPSG:32648); flag them derived."""
    geoms = np.asarray(frame.geometry.values, dtype=object)
    is_point = shapely.get_type_id(geoms) == 0
    derived = pd.Series(is_point, index=frame.index)
    if not is_point.any():
        return frame, derived
    pts = frame[is_point]
    dup = pts.geometry.to_wkb().duplicated(keep="first")
    frame = rejects.drop(frame, dup.reindex(frame.index, fill_value=False), "geometry",
                         "same point as another village of the file")
    derived = derived[frame.index]
    pts = frame[derived.to_numpy()]
    communes = ctx.communes.set_index("code").to_crs(METRIC_CRS)
    metric = pts.to_crs(METRIC_CRS)
    population = (pd.to_numeric(pts["population"], errors="coerce") if "population" in pts.columns
                  else pd.Series(np.nan, index=pts.index))
    cells = pd.Series(None, index=pts.index, dtype="object")
    for code, group in metric.groupby("commune_code"):
        zone = communes.geometry[code]
        points = np.asarray(group.geometry.values, dtype=object)
        discs = shapely.buffer(points, footprint_radius(population[group.index].to_numpy(dtype="float64")), quad_segs=32)
        if len(points) == 1:
            cells[group.index[0]] = shapely.intersection(discs[0], zone)
            continue
        diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=zone.envelope.buffer(1000))
        polys = np.asarray(shapely.get_parts(diagram), dtype=object)
        tree = shapely.STRtree(polys)
        pt_idx, poly_idx = tree.query(points, predicate="within")
        for p, q in zip(pt_idx, poly_idx, strict=True):
            cells[group.index[p]] = shapely.intersection(shapely.intersection(polys[q], discs[p]), zone)
    cells_ll = gpd.GeoSeries(cells.to_numpy(), index=cells.index, crs=METRIC_CRS).to_crs(STORAGE_CRS)
    geometry = frame.geometry.copy()
    geometry[cells_ll.index] = cells_ll
    frame = frame.set_geometry(geometry)
    notes.append(f"{len(pts)} village points turned into settlement footprints (derived): the Voronoi cell within "
                 f"a radius that fits the population ({SQM_PER_PERSON:.0f} m² a person, {MIN_RADIUS_M:.0f}–"
                 f"{MAX_RADIUS_M:.0f} m), clipped to the commune")
    return frame, derived
