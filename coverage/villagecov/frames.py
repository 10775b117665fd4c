"""Frames made canonical: exactly a table's columns (:mod:`villagecov.schema`), in order, with the
canonical dtypes — dates as ISO ``YYYY-MM-DD`` text, timestamps UTC, geometry EPSG:4326 (multi-
polygons where the table says so). Every frame into or out of a store goes through :func:`normalize`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from villagecov.schema import STORAGE_CRS, Table


def _to_date_str(s: pd.Series) -> pd.Series:
    if len(s) > 1000:  # parse each distinct value once (first-seen order keeps format inference)
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        distinct = _parse_date_str(pd.Series(uniques)).to_numpy(dtype=object)
        return pd.Series(np.append(distinct, None)[codes], index=s.index, dtype="object")
    return _parse_date_str(s)


def _parse_date_str(s: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.strftime("%Y-%m-%d")
    else:
        parsed = pd.to_datetime(s.astype("object").where(s.notna(), None), errors="raise")
        out = parsed.dt.strftime("%Y-%m-%d") if hasattr(parsed, "dt") else parsed
    values = [None if pd.isna(v) else str(v) for v in out]
    return pd.Series(values, index=s.index, dtype="object")


def normalize(frame: pd.DataFrame, spec: Table) -> pd.DataFrame:
    """Return ``frame`` with exactly the table's columns, in order, with canonical dtypes.

    Missing columns become nulls; unknown columns are dropped; the geometry column (if any) is
    named ``geometry`` and the CRS is EPSG:4326.
    """
    import geopandas as gpd

    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for col, kind in spec.columns.items():
        s = frame[col].reset_index(drop=True) if col in frame.columns else pd.Series([None] * len(frame))
        if kind == "str" and isinstance(s.dtype, pd.StringDtype):  # already text: skip the per-value map
            s = pd.Series(s.to_numpy(dtype=object, na_value=None), dtype="object")
        elif kind == "str":
            s = s.astype("object").where(s.notna(), None)
            s = s.map(lambda v: v if v is None else str(v))
        elif kind == "int":
            s = pd.to_numeric(s, errors="raise").round().astype("Int64")
        elif kind == "float":
            s = pd.to_numeric(s, errors="raise").astype("float64")
        elif kind == "bool":
            s = s.astype("object").where(s.notna(), None)
            s = s.map(lambda v: None if v is None else bool(v)).astype("boolean")
        elif kind == "date":
            s = _to_date_str(s) if len(s) else s.astype("object")
        elif kind == "datetime":
            s = pd.to_datetime(s, utc=True, errors="raise").astype("datetime64[us, UTC]")
        out[col] = s.array if kind in ("int", "bool", "datetime") else s.to_numpy()
    if spec.geometry:
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry is not None:
            geom = frame.geometry
            if geom.crs is not None and not geom.crs.equals("EPSG:4326"):
                geom = geom.to_crs(STORAGE_CRS)
            values = geom.reset_index(drop=True).values
        else:
            values = gpd.GeoSeries([None] * len(frame), crs=STORAGE_CRS).values
        out = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(values, crs=STORAGE_CRS), crs=STORAGE_CRS)
        if spec.geometry == "MultiPolygon":
            out["geometry"] = _as_multipolygon(out.geometry)
    for col, kind in spec.columns.items():
        if kind == "str":
            out[col] = out[col].astype("object")
    return out


def _as_multipolygon(geoms: pd.Series) -> pd.Series:
    import shapely

    arr = np.asarray(geoms.values, dtype=object)
    types = shapely.get_type_id(arr)
    single = types == 3  # Polygon
    if single.any():
        arr = arr.copy()
        arr[single] = [shapely.MultiPolygon([g]) for g in arr[single]]
    import geopandas as gpd

    return gpd.GeoSeries(arr, crs=STORAGE_CRS, index=geoms.index)
