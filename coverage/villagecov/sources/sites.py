"""Sites: OpenCelliD cell exports aggregated to tower sites, or a generic sites table (CSV,
GeoJSON or any vector format) including the non-mobile kinds (post offices, commune radio,
FM/DTT transmitters, fibre PoPs). Points in EPSG:4326; clustering distances in EPSG:32648 (m).
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from villagecov.compute.clusters import clusters as _clusters
from villagecov.schema import (
    METRIC_CRS,
    MNC_OPERATORS,
    MOBILE_OPERATORS,
    SITE_KINDS,
    STORAGE_CRS,
    TECHNOLOGIES,
)
from villagecov.sources.common import (
    ROW,
    TECH_ALIASES,
    Parsed,
    ReadContext,
    Rejects,
    apply_columns,
    as_of_column,
    blank,
    norm_name,
    option_date,
    parse_dates,
    parse_numbers,
    parse_operators,
    provenance,
    require_columns,
    synthetic_flags,
)
from villagecov.sources.vector_io import clean_geometries, drop_outside, open_layers

OPENCELLID_COLUMNS = ("radio", "mcc", "net", "area", "cell", "lon", "lat")
# OpenCelliD positions are estimates from phones' reports: the sectors of one base station show up
# hundreds of metres apart, in the direction each sector points. Hence (all in metres):
SAME_ID_M = 2000.0  # cells of one eNodeB/gNodeB identity this close are one base station (ids are reused)
SAME_AREA_M = 400.0  # GSM cells of one LAC / UMTS cells of one RNC: one base station when this close
COLOCATED_M = 250.0  # one operator's 2G/3G/4G base stations this close are one site (one BTS location)
TOWER_RADIUS_M = 150.0  # BTS sites of different operators this close stand on one shared tower
SITE_COLUMNS = {"ma_tram": "site_id", "id": "site_id", "loai": "kind", "nha_mang": "operator",
                "cong_nghe": "technologies", "do_cao": "height_m", "chieu_cao": "height_m"}


def read_sites(ctx: ReadContext) -> Parsed:
    """Sites rows (EPSG:4326 points) from an OpenCelliD CSV or a generic sites file."""
    rejects, notes = Rejects(), []
    layer = open_layers(ctx, all_layers=False)[0]
    frame = apply_columns(layer.frame, ctx.options.columns, SITE_COLUMNS)
    frame = clean_geometries(frame, rejects, "point", notes, layer.name)
    frame = drop_outside(frame, ctx, rejects, layer.name)
    if all(c in frame.columns for c in OPENCELLID_COLUMNS):
        sites = _opencellid(frame, ctx, rejects, notes, layer.decimal_comma, layer.metadata_synthetic)
    else:
        sites = _generic(frame, ctx, rejects, layer.decimal_comma, layer.metadata_synthetic)
    return Parsed({"sites": sites}, rejects, notes)


def _whole(values: pd.Series) -> pd.Series:
    return values.map(lambda v: None if pd.isna(v) else str(int(v)))


def _opencellid(frame: gpd.GeoDataFrame, ctx: ReadContext, rejects: Rejects, notes: list[str],
                decimal_comma: bool, meta_synthetic: bool) -> gpd.GeoDataFrame:
    """Aggregate OpenCelliD cells of MCC 452 to sites: one operator's cells within 50 m."""
    mcc, bad = parse_numbers(frame["mcc"], decimal_comma)
    frame = rejects.drop(frame, bad | (mcc != 452), "mcc", "mcc '{value}' is not Viet Nam (452)")
    net, bad = parse_numbers(frame["net"], decimal_comma)
    net = net[frame.index]
    operator = net.map(lambda v: MNC_OPERATORS.get(int(v)) if pd.notna(v) and v == int(v) else None)
    frame = rejects.drop(frame, operator.isna(), "net", "unknown MNC '{value}' for MCC 452")
    tech = frame["radio"].map(lambda v: TECH_ALIASES.get(norm_name(str(v))) if pd.notna(v) else None)
    frame = rejects.drop(frame, tech.isna(), "radio", "unknown radio '{value}' (GSM, UMTS, LTE, NR)")
    times = {}
    for col in ("created", "updated"):
        if col in frame.columns:
            values, bad = parse_numbers(frame[col], decimal_comma)
            frame = rejects.drop(frame, bad, col, f"{col} '{{value}}' is not a Unix time in seconds")
            times[col] = pd.to_datetime(values, unit="s", utc=True)
    key = frame[["mcc", "net", "area", "cell"]].astype(str).agg("-".join, axis=1) + "-" + frame["radio"].astype(str)
    frame = rejects.drop(frame, key.duplicated(keep="first"), "cell", "duplicate cell '{value}'")
    idx = frame.index
    if frame.empty:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=STORAGE_CRS))
    operator, tech = operator[idx], tech[idx]
    created = times["created"][idx] if "created" in times else pd.Series(pd.NaT, index=idx)
    updated = times["updated"][idx] if "updated" in times else pd.Series(pd.NaT, index=idx)
    synthetic = synthetic_flags(frame, ctx, meta_synthetic)
    metric = frame.geometry.to_crs(METRIC_CRS)
    cell_id, _ = parse_numbers(frame["cell"], decimal_comma)
    area, _ = parse_numbers(frame["area"], decimal_comma)
    cells = pd.DataFrame({
        "operator": operator, "tech": tech, "created": created, "updated": updated,
        "x": metric.x, "y": metric.y, "synthetic": synthetic,
        "identity": base_station_identity(tech, cell_id[idx], area[idx]),
    })
    cells["site"] = group_cells(cells)
    g = cells.groupby("site")
    sites = pd.DataFrame({
        "operator": g["operator"].first(),
        "technologies": g["tech"].agg(lambda s: ",".join(t for t in TECHNOLOGIES if t in set(s))),
        "n_cells": g.size(),
        "in_service_from": g["created"].min(),
        "updated": g["updated"].max(),
        "x": g["x"].mean(), "y": g["y"].mean(),
        "synthetic": g["synthetic"].any(),
    })
    sites["tower"] = _clusters(shapely.points(sites["x"].to_numpy(), sites["y"].to_numpy()), TOWER_RADIUS_M)
    towers = sites.groupby("tower")[["x", "y"]].transform("mean")  # BTS of one tower share its point
    sites["x"], sites["y"] = towers["x"], towers["y"]
    points = gpd.GeoSeries(shapely.points(sites["x"], sites["y"]), crs=METRIC_CRS).to_crs(STORAGE_CRS)
    sites["site_id"] = [f"{op}-{p.x:.4f}-{p.y:.4f}" for op, p in zip(sites["operator"], points, strict=True)]
    sites["site_id"] = _unique(sites["site_id"])
    as_of_value = option_date(ctx)
    if as_of_value is None:
        latest = updated.max()
        if pd.isna(latest):
            raise ctx.error("no --as-of and no 'updated' times to date the cells", field="updated")
        as_of_value = latest.strftime("%Y-%m-%d")
    shared = int((sites.groupby("tower")["operator"].nunique() > 1).sum())
    notes.append(
        f"{len(frame)} cells grouped into {len(sites)} BTS sites (one operator's base station: eNodeB/NodeB/BTS "
        f"identity, then co-located technologies within {COLOCATED_M:.0f} m) on {sites['tower'].nunique()} towers "
        f"({shared} shared by several operators, BTS within {TOWER_RADIUS_M:.0f} m)")
    return gpd.GeoDataFrame({
        "site_id": sites["site_id"].to_numpy(), "kind": "mobile_tower", "operator": sites["operator"].to_numpy(),
        "technologies": sites["technologies"].to_numpy(), "height_m": None, "eirp_dbm": None,
        "in_service_from": sites["in_service_from"].dt.strftime("%Y-%m-%d").to_numpy(), "in_service_to": None,
        "n_cells": sites["n_cells"].to_numpy(), "synthetic": sites["synthetic"].to_numpy(),
        "source": ctx.file, "as_of": as_of_value, "sha256": ctx.sha256,
    }, geometry=points.to_numpy(), crs=STORAGE_CRS)


def base_station_identity(tech: pd.Series, cell: pd.Series, area: pd.Series) -> pd.Series:
    """Base-station identity of each cell as OpenCelliD numbers them (None: group by distance).

    LTE: the 28-bit ECI is eNodeB id × 256 + sector, so ``cell >> 8`` is the eNodeB. NR: the
    36-bit NCI holds a gNodeB id of 22–32 bits; ``cell >> 14`` (the shortest id) groups its cells.
    UMTS: the 28-bit UTRAN cell id is RNC id × 65536 + cell id (``cell & 0xFFFF``): cells of one
    RNC near each other are one NodeB. GSM: cells of one LAC near each other are one BTS.
    """
    out = []
    for t, c, a in zip(tech.to_numpy(), cell.to_numpy(dtype="float64"), area.to_numpy(dtype="float64"), strict=True):
        if np.isnan(c):
            out.append(None)
        elif t == "4G":
            out.append(f"enb:{int(c) >> 8}")
        elif t == "5G":
            out.append(f"gnb:{int(c) >> 14}")
        elif t == "3G":
            out.append(f"rnc:{int(c) >> 16}" if c > 0xFFFF else f"lac:{'' if np.isnan(a) else int(a)}")
        else:
            out.append(f"lac:{'' if np.isnan(a) else int(a)}")
    return pd.Series(out, index=tech.index, dtype="object")


def group_cells(cells: pd.DataFrame) -> np.ndarray:
    """Site label per cell: one operator's base station by identity and distance, then that
    operator's co-located base stations of other technologies (same mast) merged."""
    label = np.full(len(cells), -1, dtype=np.int64)
    pts = shapely.points(cells["x"].to_numpy(), cells["y"].to_numpy())
    next_label = 0
    keys = cells["operator"].astype(str) + "|" + cells["tech"].astype(str) + "|" + cells["identity"].fillna("?")
    for key, members in keys.groupby(keys).groups.items():
        pos = cells.index.get_indexer(members)
        radius = SAME_ID_M if str(key).split("|")[2].startswith(("enb:", "gnb:")) else SAME_AREA_M
        sub = _clusters(pts[pos], radius)
        label[pos] = sub + next_label
        next_label += int(sub.max()) + 1
    # co-located base stations of one operator (2G BTS, 3G NodeB, 4G eNodeB on one mast) → one site
    frame = pd.DataFrame({"label": label, "op": cells["operator"].to_numpy(), "x": cells["x"].to_numpy(),
                          "y": cells["y"].to_numpy()})
    stations = frame.groupby("label").agg(op=("op", "first"), x=("x", "mean"), y=("y", "mean"))
    merged = np.zeros(len(stations), dtype=np.int64)
    offset = 0
    for _, grp in stations.groupby("op"):
        pos = stations.index.get_indexer(grp.index)
        sub = _clusters(shapely.points(grp["x"].to_numpy(), grp["y"].to_numpy()), COLOCATED_M)
        merged[pos] = sub + offset
        offset += int(sub.max()) + 1
    return pd.Series(merged, index=stations.index).reindex(label).to_numpy()


def towers_and_bts(sites: pd.DataFrame) -> tuple[int, int]:
    """(towers, BTS) among mobile tower sites: BTS of one shared tower share its point."""
    mobile = sites[sites["kind"] == "mobile_tower"]
    if mobile.empty:
        return 0, 0
    towers = pd.Series(mobile.geometry.to_wkb(hex=True)).nunique() if hasattr(mobile, "geometry") else len(mobile)
    return int(towers), len(mobile)


def _unique(ids: pd.Series) -> pd.Series:
    counts: dict[str, int] = {}
    out = []
    for v in ids:
        n = counts.get(v, 0)
        counts[v] = n + 1
        out.append(v if n == 0 else f"{v}-{n + 1}")
    return pd.Series(out, index=ids.index)


def _generic(frame: gpd.GeoDataFrame, ctx: ReadContext, rejects: Rejects, decimal_comma: bool,
             meta_synthetic: bool) -> gpd.GeoDataFrame:
    require_columns(frame, ctx, ["site_id"])
    frame = rejects.drop(frame, blank(frame["site_id"]), "site_id", "site_id is empty")
    frame["site_id"] = frame["site_id"].astype(str).str.strip()
    dup = frame["site_id"].duplicated(keep="first")
    first = frame.drop_duplicates("site_id").set_index("site_id")[ROW]
    reason = frame["site_id"].map(lambda v: f"duplicate site_id '{v}' (first at row {first[v]})")
    frame = rejects.drop(frame, dup, "site_id", "{value}", value=reason.where(dup))
    kind = (frame["kind"].map(lambda v: norm_name(str(v)) if pd.notna(v) else "mobile_tower")
            if "kind" in frame.columns else pd.Series("mobile_tower", index=frame.index))
    frame = rejects.drop(frame, ~kind.isin(SITE_KINDS), "kind", "unknown site kind '{value}'")
    kind = kind[frame.index]
    raw_op = frame["operator"] if "operator" in frame.columns else pd.Series(ctx.options.operator, index=frame.index)
    operator, bad = parse_operators(raw_op)
    frame = rejects.drop(frame, bad, "operator", "unknown operator '{value}'", value=raw_op)
    operator, kind = operator[frame.index], kind[frame.index]
    mobile = kind == "mobile_tower"
    frame = rejects.drop(frame, mobile & ~operator.isin(MOBILE_OPERATORS), "operator",
                         "a mobile tower needs a mobile operator, got '{value}'", value=operator)
    operator, kind = operator[frame.index], kind[frame.index]
    techs = pd.Series(None, index=frame.index, dtype="object")
    if "technologies" in frame.columns:
        techs, bad_tokens = _technologies(frame["technologies"], kind[frame.index] != "mobile_tower")
        frame = rejects.drop(frame, bad_tokens.notna(), "technologies", "unknown technology '{value}'",
                             value=bad_tokens)
        techs = techs[frame.index]
    numbers = {}
    for col, lo, hi in (("height_m", 0, 500), ("eirp_dbm", 0, 100)):
        if col in frame.columns:
            values, bad = parse_numbers(frame[col], decimal_comma)
            frame = rejects.drop(frame, bad, col, f"{col} '{{value}}' is not a number")
            values = values[frame.index]
            frame = rejects.drop(frame, (values < lo) | (values > hi), col, f"{col} '{{value}}' is out of range {lo}…{hi}")
            numbers[col] = values[frame.index]
    dates = {}
    for col in ("in_service_from", "in_service_to"):
        if col in frame.columns:
            values, bad = parse_dates(frame[col])
            frame = rejects.drop(frame, bad, col, f"{col} '{{value}}' is not a date (YYYY-MM-DD)")
            dates[col] = values[frame.index]
    frame, as_of = as_of_column(frame, ctx, rejects)
    idx = frame.index
    return gpd.GeoDataFrame({
        "site_id": frame["site_id"], "kind": kind[idx], "operator": operator[idx], "technologies": techs[idx],
        "height_m": numbers["height_m"][idx] if "height_m" in numbers else None,
        "eirp_dbm": numbers["eirp_dbm"][idx] if "eirp_dbm" in numbers else None,
        "in_service_from": dates["in_service_from"][idx] if "in_service_from" in dates else None,
        "in_service_to": dates["in_service_to"][idx] if "in_service_to" in dates else None,
        "n_cells": None, "synthetic": synthetic_flags(frame, ctx, meta_synthetic),
        **provenance(frame, ctx, as_of),
    }, geometry=frame.geometry, crs=STORAGE_CRS).reset_index(drop=True)


BROADCAST_TECHNOLOGIES = ("FM", "IP", "DVB-T2")  # commune radio (FM or telecom/IP), transmitters


def _technologies(values: pd.Series, broadcast: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """``"2G;4G"`` → ``"2G,4G"`` (canonical order) and the first unknown token per row, if any.
    Rows flagged in ``broadcast`` (sites that are not mobile towers) may also name FM, IP, DVB-T2."""
    techs, bad = [], []
    flags = broadcast.to_numpy(dtype=bool) if broadcast is not None else [False] * len(values)
    for v, extra in zip(values, flags, strict=True):
        tokens = [t for t in re.split(r"[;,/| ]+", str(v)) if t] if pd.notna(v) else []
        resolved = [TECH_ALIASES.get(norm_name(t)) or (t.upper() if extra and t.upper() in BROADCAST_TECHNOLOGIES
                                                         else None) for t in tokens]
        unknown = next((t for t, r in zip(tokens, resolved, strict=True) if r is None), None)
        bad.append(unknown)
        techs.append(",".join(t for t in (*TECHNOLOGIES, *BROADCAST_TECHNOLOGIES) if t in set(resolved)) or None)
    return pd.Series(techs, index=values.index, dtype="object"), pd.Series(bad, index=values.index, dtype="object")
