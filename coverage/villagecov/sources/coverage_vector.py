"""Declared coverage polygons: one operator × technology per file (``--operator``,
``--technology``), or a GeoPackage with one layer per technology (``2G`` … ``5G``), or attribute
columns ``operator``/``technology``. GeoJSON, GeoPackage, zipped Shapefile, KML; any CRS;
stored as EPSG:4326 MultiPolygons, one row per feature.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from villagecov.errors import InputError
from villagecov.schema import ANY_OPERATOR, EVIDENCE, MOBILE_OPERATORS, STORAGE_CRS
from villagecov.sources.common import (
    OPERATOR_ALIASES,
    TECH_ALIASES,
    Parsed,
    ReadContext,
    Rejects,
    apply_columns,
    as_of_column,
    check_option,
    norm_name,
    parse_operators,
    parse_technologies,
    provenance,
    synthetic_flags,
)
from villagecov.sources.vector_io import clean_geometries, drop_outside, open_layers

COVERAGE_COLUMNS = {"nha_mang": "operator", "cong_nghe": "technology", "ngay": "as_of"}


def evidence_option(ctx: ReadContext) -> str:
    evidence = check_option(ctx.options.evidence or "declared", {e: e for e in EVIDENCE}, "--evidence")
    assert evidence is not None
    return evidence


def read_coverage_vector(ctx: ReadContext) -> Parsed:
    """Coverage rows (value_kind ``polygon``) from every layer of a vector coverage file."""
    rejects, notes = Rejects(), []
    evidence = evidence_option(ctx)
    op_option = check_option(ctx.options.operator, OPERATOR_ALIASES, "--operator")
    tech_option = check_option(ctx.options.technology, TECH_ALIASES, "--technology")
    frames = []
    for layer in open_layers(ctx, all_layers=True):
        name = layer.name
        frame = apply_columns(layer.frame, ctx.options.columns, COVERAGE_COLUMNS)
        layer_tech = TECH_ALIASES.get(norm_name(name)) if name else None
        technology = _column_or(frame, "technology", layer_tech or tech_option, parse_technologies)
        if technology is None:
            raise ctx.error("no technology: give --technology, name the layers 2G/3G/4G/5G or add a "
                            "technology column", layer=name, field="technology")
        frame, technology = _drop_bad(frame, technology, "technology", "unknown technology '{value}'", rejects, name)
        operator = _column_or(frame, "operator", op_option, parse_operators)
        if operator is None:
            raise InputError("which operator? give --operator (viettel, vinaphone, mobifone, …)",
                             file=ctx.file, layer=name, field="operator")
        frame, operator = _drop_bad(frame, operator, "operator", "unknown operator '{value}'", rejects, name)
        not_mobile = ~operator.isin((*MOBILE_OPERATORS, ANY_OPERATOR))
        frame = rejects.drop(frame, not_mobile, "operator", "'{value}' is not a mobile operator", operator, name)
        operator, technology = operator[frame.index], technology[frame.index]
        frame = clean_geometries(frame, rejects, "polygon", notes, name)
        frame = drop_outside(frame, ctx, rejects, name)
        frame, as_of = as_of_column(frame, ctx, rejects, name)
        frame, kind = coverage_levels(frame, rejects, name)
        idx = frame.index
        frames.append(gpd.GeoDataFrame({
            "coverage_id": [f"{ctx.sha256[:16]}-{name or 'features'}-{r}" for r in frame["_row"]],
            "operator": operator[idx], "technology": technology[idx], "evidence": evidence,
            "raster_path": None, "value_kind": kind,
            "synthetic": synthetic_flags(frame, ctx, layer.metadata_synthetic),
            **provenance(frame, ctx, as_of),
        }, geometry=frame.geometry, crs=STORAGE_CRS))
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=STORAGE_CRS)
    return Parsed({"coverage": out}, rejects, notes)


LEVEL_COLUMNS = ("level", "coverage_level", "muc_phu_song", "loai_phu_song", "cap_do_phu_song", "muc_song",
                 "signal_level")
LEVELS = {"indoor": "indoor", "in_door": "indoor", "deep_indoor": "indoor", "trong_nha": "indoor",
          "in_car": "in_car", "incar": "in_car", "in_vehicle": "in_car", "trong_xe": "in_car", "vehicle": "in_car",
          "outdoor": "outdoor", "out_door": "outdoor", "ngoai_troi": "outdoor", "ngoai_nha": "outdoor",
          "3": "indoor", "2": "in_car", "1": "outdoor"}


def coverage_levels(frame: pd.DataFrame, rejects: Rejects, layer: str | None) -> tuple[pd.DataFrame, pd.Series]:
    """``value_kind`` per polygon: ``polygon_indoor`` / ``polygon_in_car`` / ``polygon_outdoor`` from a
    coverage-level column (indoor / in-car / outdoor, trong nhà / trong xe / ngoài trời), else ``polygon``."""
    column = next((c for c in LEVEL_COLUMNS if c in frame.columns), None)
    if column is None:
        return frame, pd.Series("polygon", index=frame.index, dtype="object")
    level = frame[column].map(lambda v: LEVELS.get(norm_name(str(v))) if pd.notna(v) and str(v).strip() else "")
    frame = rejects.drop(frame, level.isna(), column, "unknown coverage level '{value}' (indoor, in-car, outdoor)",
                         layer=layer)
    level = level[frame.index]
    return frame, level.map(lambda v: f"polygon_{v}" if v else "polygon").astype("object")


def _column_or(frame: pd.DataFrame, column: str, default: str | None, parse) -> pd.Series | None:  # type: ignore[no-untyped-def]
    """Parsed column values (blank cells take ``default``), NaN-marked bad values as the raw text."""
    if column not in frame.columns:
        return None if default is None else pd.Series(default, index=frame.index, dtype="object")
    parsed, bad = parse(frame[column])
    out = parsed.where(parsed.notna(), default).astype("object")
    return out.where(~bad, "\x00" + frame[column].astype(str))


def _drop_bad(frame: pd.DataFrame, values: pd.Series, field: str, reason: str, rejects: Rejects,
              layer: str | None) -> tuple[pd.DataFrame, pd.Series]:
    bad = values.isna() | values.astype(str).str.startswith("\x00")
    shown = values.astype(str).str.lstrip("\x00").where(values.notna(), "")
    frame = rejects.drop(frame, bad, field, reason, shown, layer)
    return frame, values[frame.index]
