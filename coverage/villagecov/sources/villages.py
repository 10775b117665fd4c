"""Villages (thôn, bản, tổ dân phố): polygons or points from any vector format or CSV.

Vietnamese register columns are recognised (``ma_thon``, ``ten_thon``, ``ma_xa``, ``dan_so``,
``so_ho``, ``dbkk``, ``ngay``); other names are mapped with ``--columns``. A missing commune code
is filled by a spatial join against the communes of the boundary version; points become Voronoi
cells (computed in EPSG:32648) clipped to their commune, flagged ``derived``. Output EPSG:4326.
"""

from __future__ import annotations

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
    blank,
    parse_bools,
    parse_numbers,
    provenance,
    require_columns,
    synthetic_flags,
)
from villagecov.sources.vector_io import clean_geometries, drop_outside, open_layers

REGISTER_COLUMNS = {
    "ma_thon": "village_id", "id": "village_id", "ten_thon": "name", "ten": "name", "ma_xa": "commune_code",
    "dan_so": "population", "so_ho": "households", "dbkk": "remote", "thon_dbkk": "remote", "ngay": "as_of",
}
COMMUNE_TOLERANCE_DEG = 0.01  # a point up to ≈ 1 km outside its stated commune is still accepted


def read_villages(ctx: ReadContext) -> Parsed:
    """Villages rows (EPSG:4326 MultiPolygons) and the rejected rows of a villages file."""
    rejects, notes = Rejects(), []
    layer = open_layers(ctx, all_layers=False)[0]
    frame = apply_columns(layer.frame, ctx.options.columns, REGISTER_COLUMNS)
    require_columns(frame, ctx, ["village_id", "name"], layer.name)
    frame = clean_geometries(frame, rejects, "any", notes, layer.name)
    frame = drop_outside(frame, ctx, rejects, layer.name)

    frame = rejects.drop(frame, blank(frame["village_id"]), "village_id", "village_id is empty")
    frame["village_id"] = frame["village_id"].astype(str).str.strip().str.removesuffix(".0")
    frame = _drop_duplicates(frame, rejects)
    frame = rejects.drop(frame, blank(frame["name"]), "name", "name is empty")
    frame["name"] = frame["name"].astype(str).str.strip()
    for col in ("population", "households"):
        if col in frame.columns:
            values, bad = parse_numbers(frame[col], layer.decimal_comma)
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
            "synthetic": synthetic_flags(frame, ctx, layer.metadata_synthetic),
            **provenance(frame, ctx, as_of[keep]),
        },
        geometry=frame.geometry,
        crs=STORAGE_CRS,
    )
    return Parsed({"villages": out.reset_index(drop=True)}, rejects, notes)


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
    return frame


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
    cells = pd.Series(None, index=pts.index, dtype="object")
    for code, group in metric.groupby("commune_code"):
        zone = communes.geometry[code]
        points = np.asarray(group.geometry.values, dtype=object)
        if len(points) == 1:
            cells[group.index[0]] = zone
            continue
        diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=zone.envelope.buffer(1000))
        polys = np.asarray(shapely.get_parts(diagram), dtype=object)
        tree = shapely.STRtree(polys)
        pt_idx, poly_idx = tree.query(points, predicate="within")
        for p, q in zip(pt_idx, poly_idx, strict=True):
            cells[group.index[p]] = shapely.intersection(polys[q], zone)
    cells_ll = gpd.GeoSeries(cells.to_numpy(), index=cells.index, crs=METRIC_CRS).to_crs(STORAGE_CRS)
    geometry = frame.geometry.copy()
    geometry[cells_ll.index] = cells_ll
    frame = frame.set_geometry(geometry)
    notes.append(f"{len(pts)} village points turned into Voronoi cells clipped to their commune (derived)")
    return frame, derived
