"""Reader and validator of the bundled real boundaries of Quảng Bình (see data/SOURCES.md).

Produces the rows of ``admin_units`` (province, districts, communes for boundary versions 2019,
2025-01 and 2025-07), ``crosswalk`` and ``places`` (district seats). Geometry EPSG:4326.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from villagecov.errors import InputError
from villagecov.schema import METRIC_CRS, STORAGE_CRS

FILES = {
    "province": "boundaries/quangbinh_province_2019_gischinhphu.geojson",
    "districts": "boundaries/quangbinh_districts_2019_gischinhphu.geojson",
    "communes_2019": "boundaries/quangbinh_communes_2019_vietnam63.geojson",
    "communes_2025-01": "boundaries/quangbinh_communes_2025-01_derived.geojson",
    "communes_2025-07": "boundaries/quangbinh_communes_2025-07_derived.geojson",
    "crosswalk": "boundaries/quangbinh_commune_crosswalk_2019_to_2025.csv",
    "census": "boundaries/quangbinh_census2019_population_by_commune.csv",
    "seats": "places/quangbinh_towns_geonames_cities1000.geojson",
}
VERSION_DATES = {"2019": "2019-04-01", "2025-01": "2025-01-04", "2025-07": "2025-07-01"}
PROVINCE_NAME_2025_07 = "Tỉnh Quảng Trị (địa bàn tỉnh Quảng Bình cũ)"
# Plausible lon/lat window around Quảng Bình: anything outside means a wrong or missing CRS.
LONLAT_WINDOW = (104.5, 16.5, 107.5, 18.5)


@dataclass
class Boundaries:
    admin_units: gpd.GeoDataFrame
    crosswalk: pd.DataFrame
    places: gpd.GeoDataFrame
    sha256: str
    repaired: list[str] = field(default_factory=list)


def files_sha256(data_dir: Path) -> str:
    """One sha256 over all boundary files (names and bytes), in a fixed order."""
    h = hashlib.sha256()
    for key in sorted(FILES):
        path = data_dir / FILES[key]
        if not path.exists():
            raise InputError("file is missing", file=str(path))
        h.update(FILES[key].encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def _read_layer(path: Path) -> gpd.GeoDataFrame:
    try:
        frame = pyogrio.read_dataframe(path)
    except Exception as exc:  # pyogrio raises several GDAL error classes
        raise InputError(f"cannot read: {exc}", file=path.name) from None
    if frame.crs is None:
        raise InputError("no CRS declared", file=path.name)
    frame = frame.to_crs(STORAGE_CRS)
    minx, miny, maxx, maxy = frame.total_bounds
    wminx, wminy, wmaxx, wmaxy = LONLAT_WINDOW
    if not (wminx <= minx and maxx <= wmaxx and wminy <= miny and maxy <= wmaxy):
        raise InputError(
            f"coordinates ({minx:.3f},{miny:.3f},{maxx:.3f},{maxy:.3f}) are not in Quảng Bình: wrong CRS?",
            file=path.name,
            field="geometry",
        )
    return frame


def repair(frame: gpd.GeoDataFrame, label: str, repaired: list[str]) -> gpd.GeoDataFrame:
    """Repair invalid geometries with ``make_valid`` keeping only polygons; record each repair."""
    geoms = frame.geometry.values
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        polys = [_polygonal(g) for g in fixed]
        for idx in frame.index[invalid]:
            repaired.append(f"{label} row {idx}: {shapely.is_valid_reason(frame.geometry[idx])}")
        frame = frame.copy()
        frame.loc[invalid, "geometry"] = polys
    empty = shapely.is_empty(frame.geometry.values) | frame.geometry.isna().values
    if empty.any():
        row = int(frame.index[empty][0])
        raise InputError("empty geometry", file=label, row=row, field="geometry")
    return frame


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _area_km2(frame: gpd.GeoDataFrame) -> pd.Series:
    return frame.geometry.to_crs(METRIC_CRS).area / 1e6


def _units(
    frame: gpd.GeoDataFrame, *, level: str, version: str, code: str, name: str, parent: pd.Series | str,
    population: pd.Series, unit_type: pd.Series | str | None, source: str, sha: str,
) -> gpd.GeoDataFrame:
    out = gpd.GeoDataFrame(
        {
            "code": frame[code].astype(str),
            "level": level,
            "name": frame[name],
            "name_ascii": frame[name].map(ascii_fold),
            "unit_type": unit_type,
            "parent_code": parent,
            "version": version,
            "population": population,
            "area_km2": _area_km2(frame).round(3),
            "source": source,
            "as_of": VERSION_DATES[version],
            "sha256": sha,
        },
        geometry=frame.geometry.values,
        crs=STORAGE_CRS,
    )
    return out


def ascii_fold(text: str | None) -> str | None:
    """Vietnamese name without diacritics, for search ("Quảng Bình" → "Quang Binh")."""
    import unicodedata

    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def read_boundaries(data_dir: Path) -> Boundaries:
    """Read, check and repair every bundled boundary file; raise InputError on a whole-file problem."""
    sha = files_sha256(data_dir)
    repaired: list[str] = []
    path = {k: data_dir / v for k, v in FILES.items()}
    src = {k: f"data/{v}" for k, v in FILES.items()}

    prov = repair(_read_layer(path["province"]), path["province"].name, repaired)
    dist = repair(_read_layer(path["districts"]), path["districts"].name, repaired)
    c19 = repair(_read_layer(path["communes_2019"]), path["communes_2019"].name, repaired)
    c25a = repair(_read_layer(path["communes_2025-01"]), path["communes_2025-01"].name, repaired)
    c25b = repair(_read_layer(path["communes_2025-07"]), path["communes_2025-07"].name, repaired)

    census = pd.read_csv(path["census"], dtype={"gso_commune_code_2019": str, "gso_district_code_2019": str})
    pop19 = census.set_index("gso_commune_code_2019")["pop_total"]
    missing = sorted(set(c19["commune_code"]) - set(pop19.index))
    if missing:
        raise InputError(f"no census population for commune {missing[0]}", file=path["census"].name)
    c19_pop = c19["commune_code"].map(pop19).astype("Int64")
    dist_pop = c19.assign(p=c19_pop).groupby("district_code")["p"].sum()
    province_pop = int(c19_pop.sum())

    frames = []
    for version in ("2019", "2025-01", "2025-07"):
        name = PROVINCE_NAME_2025_07 if version == "2025-07" else prov["province_name"].iloc[0]
        frames.append(
            _units(prov.assign(province_name=name), level="province", version=version, code="province_code",
                   name="province_name", parent=None, population=pd.Series([province_pop]),
                   unit_type="Tỉnh", source=src["province"], sha=sha)
        )
    for version in ("2019", "2025-01"):  # districts were abolished on 2025-07-01
        frames.append(
            _units(dist, level="district", version=version, code="district_code", name="district_name",
                   parent=dist["province_code"], population=dist["district_code"].map(dist_pop),
                   unit_type=dist["district_type"], source=src["districts"], sha=sha)
        )
    frames.append(
        _units(c19, level="commune", version="2019", code="commune_code", name="commune_name",
               parent=c19["district_code"], population=c19_pop, unit_type=c19["commune_type"],
               source=src["communes_2019"], sha=sha)
    )
    frames.append(
        _units(c25a, level="commune", version="2025-01", code="commune_code", name="commune_name",
               parent=c25a["district_code"], population=c25a["pop_2019"],
               unit_type=c25a["commune_name"].str.split(" ").str[0], source=src["communes_2025-01"], sha=sha)
    )
    frames.append(
        _units(c25b, level="commune", version="2025-07", code="commune_code", name="commune_name",
               parent=c25b["province_code"], population=c25b["pop_2019"], unit_type=c25b["commune_type"],
               source=src["communes_2025-07"], sha=sha)
    )
    units = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=STORAGE_CRS)
    check_units(units)

    crosswalk = read_crosswalk(path["crosswalk"], src["crosswalk"], sha)
    check_crosswalk(crosswalk, units, path["crosswalk"].name)

    seats = _read_layer(path["seats"])
    places = gpd.GeoDataFrame(
        {
            "place_id": "seat-" + seats["commune_code"].astype(str),
            "name": seats["name"],
            "place_kind": "district_seat",
            "commune_code": seats["commune_code"].astype(str),
            "population": seats["population_geonames"],
            "source": src["seats"] + " (GeoNames cities1000, CC BY 4.0)",
            "as_of": VERSION_DATES["2019"],
            "sha256": sha,
        },
        geometry=seats.geometry.values,
        crs=STORAGE_CRS,
    )
    return Boundaries(units, crosswalk, places, sha, repaired)


def check_units(units: pd.DataFrame) -> None:
    """Codes unique per version; every parent present in the same version."""
    dup = units.duplicated(["version", "code", "level"], keep=False)
    if dup.any():
        row = units[dup].iloc[0]
        raise InputError(f"duplicate code {row['code']} in version {row['version']}", field="code")
    by_version = units.groupby("version")["code"].agg(set)
    for _, row in units[units["parent_code"].notna()].iterrows():
        if row["parent_code"] not in by_version[row["version"]]:
            raise InputError(
                f"unit {row['code']} ({row['name']}) has parent {row['parent_code']} that is not in version "
                f"{row['version']}",
                field="parent_code",
            )


def read_crosswalk(path: Path, source: str, sha: str) -> pd.DataFrame:
    """Commune crosswalk rows 2019→2025-01, 2019→2025-07 and 2025-01→2025-07 (whole merges, weight 1)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("code_2019", "code_2025_01", "new_code_2025_07"):
        if col not in raw.columns:
            raise InputError("column is missing", file=path.name, field=col)
        blank = raw[col].str.strip() == ""
        if blank.any():
            raise InputError("empty code", file=path.name, row=int(blank.idxmax()) + 2, field=col)
    inferred = raw["jan2025_step"].str.strip() != ""
    pairs = [
        ("2019", "code_2019", "2025-01", "code_2025_01", inferred),
        ("2019", "code_2019", "2025-07", "new_code_2025_07", inferred),
    ]
    rows = [
        pd.DataFrame({"from_version": fv, "from_code": raw[fc], "to_version": tv, "to_code": raw[tc],
                      "inferred": inf})
        for fv, fc, tv, tc, inf in pairs
    ]
    jan_to_jul = raw.groupby("code_2025_01").agg(
        to_code=("new_code_2025_07", "first"), n=("new_code_2025_07", "nunique"), inferred=("jan2025_step", "any")
    )
    split = jan_to_jul[jan_to_jul["n"] > 1]
    if len(split):
        raise InputError(f"2025-01 commune {split.index[0]} maps to several 2025-07 units", file=path.name)
    rows.append(
        pd.DataFrame({"from_version": "2025-01", "from_code": jan_to_jul.index, "to_version": "2025-07",
                      "to_code": jan_to_jul["to_code"].values, "inferred": False})
    )
    districts = raw.drop_duplicates("district_code_2019")
    rows.append(
        pd.DataFrame({"from_version": "2019", "from_code": districts["district_code_2019"], "to_version": "2025-01",
                      "to_code": districts["district_code_2019"], "inferred": False, "level": "district"})
    )
    out = pd.concat(rows, ignore_index=True)
    out["level"] = out["level"].fillna("commune") if "level" in out else "commune"
    out["weight"] = 1.0
    out["source"] = source
    out["as_of"] = VERSION_DATES["2025-07"]
    out["sha256"] = sha
    return out


def check_crosswalk(crosswalk: pd.DataFrame, units: pd.DataFrame, label: str) -> None:
    """Every code the crosswalk names exists in its version."""
    codes = units.groupby("version")["code"].agg(set)
    for side in ("from", "to"):
        for _, row in crosswalk.iterrows():
            if row[f"{side}_code"] not in codes[row[f"{side}_version"]]:
                raise InputError(
                    f"{side} code {row[f'{side}_code']} is not a {row[f'{side}_version']} unit",
                    file=label, field=f"{side}_code",
                )
