"""Pure helpers turning frames into map layers and lookups (no I/O).

Inputs are the store's canonical frames (see ``villagecov.schema``), geometry in EPSG:4326.
Village *classes*: the best technology covered (``5G`` > ``4G`` > ``3G`` > ``2G``), else
``partial`` when some technology partly covers the village, else ``none``; villages without a
status are ``unknown``. With a compute run (``village_summary``) the statuses are the engine's
effective ones — what the indicators and the API count (:func:`classes_at`, :func:`shares_4g_at`);
without one, the best of any operator's ``village_coverage`` rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
import pandas as pd
from folium.plugins import FastMarkerCluster

from villagecov.compute.people import people_without
from villagecov.maps.i18n import format_reasons, t, t_opt
from villagecov.maps.inputs import MapInputs, as_of_rows
from villagecov.maps.palette import (
    CLASS_COLOURS,
    GAP_COLOUR,
    KIND_LETTERS,
    OPERATOR_LETTERS,
    REMOTE_COLOUR,
    SERVICE_CLASS_COLOURS,
    SERVICE_YES_NO,
)
from villagecov.rules import gap_order, whole_people

__all__ = ["CLASS_COLOURS", "SERVICE_CLASS_COLOURS", "SERVICE_YES_NO"]

TECH_ORDER = ("5G", "4G", "3G", "2G")
CLASS_ORDER = ("5G", "4G", "3G", "2G", "partial", "none", "unknown")
# Opaque fills: translucent fills would double up where neighbouring vector tiles overlap in
# their buffers and show the tile grid. Colours: maps.palette (colour-blind safe, one meaning each).
VILLAGE_FILL_OPACITY = 1.0
TASK9_SERVICES = ("internet", "radio", "tv", "press")
# one-click views: each service with its own yes / no / unknown classes
SERVICE_VIEWS = ("internet", "fixed_broadband", "radio", "tv", "press", "post")
BOUNDARY_TOLERANCE_DEG = 0.0003  # ≈ 30 m: outlines stay faithful at commune zoom, HTML stays small


def village_classes(village_coverage: pd.DataFrame) -> dict[str, str]:
    """village_id → class from ``village_coverage`` rows (any operator, any evidence).

    Rows of operator ``ANY`` are used when present, else all operators' rows (same result: the
    best status of any operator).
    """
    vc = village_coverage
    if vc is None or vc.empty:
        return {}
    if (vc["operator"] == "ANY").any():
        vc = vc[vc["operator"] == "ANY"]
    out: dict[str, str] = {}
    for vid, rows in vc.groupby("village_id", sort=True):
        covered = set(rows.loc[rows["status"] == "covered", "technology"])
        best = next((tech for tech in TECH_ORDER if tech in covered), None)
        if best is not None:
            out[str(vid)] = best
        elif (rows["status"] == "partial").any():
            out[str(vid)] = "partial"
        else:
            out[str(vid)] = "none"
    return out


def service_classes(services: pd.DataFrame, village_classes_: dict[str, str] | None = None) -> dict[str, str]:
    """village_id → ``all``/``some``/``no``: Task 9 services (Internet, radio, TV, press).

    Internet counts as available with fixed broadband or 4G/5G mobile coverage (the village
    class); the other three come from the ``services`` survey rows.
    """
    if services is None or services.empty:
        return {}
    mobile = {v for v, c in (village_classes_ or {}).items() if c in ("4G", "5G")}
    out: dict[str, str] = {}
    for vid, rows in services.groupby("village_id", sort=True):
        avail = {s for s, a in zip(rows["service"], rows["available"], strict=True) if bool(a)}
        if "fixed_broadband" in avail or str(vid) in mobile:
            avail.add("internet")
        n = sum(1 for s in TASK9_SERVICES if s in avail)
        out[str(vid)] = "all" if n == len(TASK9_SERVICES) else ("some" if n else "no")
    return out


def service_yes_no(services: pd.DataFrame, village_classes_: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """service → (village_id → ``yes``/``no``) for each of :data:`SERVICE_VIEWS` that has data.

    Villages without a survey row of a service are left out (the map draws them as *no data*);
    ``internet`` is yes with fixed broadband or 4G/5G mobile coverage, as in :func:`service_classes`.
    """
    out: dict[str, dict[str, str]] = {}
    mobile = {v for v, c in (village_classes_ or {}).items() if c in ("4G", "5G")}
    if services is None or services.empty:
        return {"internet": {v: "yes" for v in mobile}} if mobile else {}
    for service, rows in services.groupby("service", sort=True):
        out[str(service)] = {str(v): ("yes" if bool(a) else "no") for v, a in zip(rows["village_id"], rows["available"],
                                                                                  strict=True)}
    fixed = out.get("fixed_broadband", {})
    surveyed = set(fixed) | set(mobile)
    out["internet"] = {v: ("yes" if fixed.get(v) == "yes" or v in mobile else "no") for v in sorted(surveyed)}
    return {k: out[k] for k in SERVICE_VIEWS if k in out and out[k]}


def representative_points(villages: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """A point inside each village polygon (EPSG:4326)."""
    return villages.geometry.representative_point()


def search_index(villages: gpd.GeoDataFrame, commune_names: dict[str, str]) -> list[list[Any]]:
    """Rows ``[village_id, name, commune name, lat, lon]`` for the search box, sorted by name."""
    if villages.empty:
        return []
    pts = representative_points(villages)
    rows = [
        [str(v), str(n), commune_names.get(str(c), ""), round(p.y, 5), round(p.x, 5)]
        for v, n, c, p in zip(villages["village_id"], villages["name"], villages["commune_code"], pts, strict=True)
    ]
    return sorted(rows, key=lambda r: (r[1], r[0]))


def outline_geojson(units: gpd.GeoDataFrame, tolerance: float = BOUNDARY_TOLERANCE_DEG) -> dict[str, Any]:
    """GeoJSON of units (code, name) simplified by ``tolerance`` degrees, coordinates to 5 decimals."""
    keep = [c for c in ("code", "name") if c in units.columns]
    simple = units[keep + ["geometry"]].copy()
    simple["geometry"] = simple.geometry.simplify(tolerance, preserve_topology=True)
    text = simple.to_json(drop_id=True, to_wgs84=True)
    return json.loads(text, parse_float=lambda s: round(float(s), 5))


def add_offline_base(
    m: folium.Map, province: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, lang: str, pane: str = "overlayPane"
) -> None:
    """Base layer drawn from the project's own boundaries: the province's light fill and outline. The
    commune outlines are the boundaries layer's (embedded once); ``communes`` is kept for callers."""
    del communes
    group = folium.FeatureGroup(name=t("layer.offline_base", lang), overlay=False, show=True)
    folium.GeoJson(
        outline_geojson(province),
        style_function=lambda _f: {"color": "#6b7b8c", "weight": 1.5, "fillColor": "#eef2ea", "fillOpacity": 1},
        interactive=False,
        control=False,
        pane=pane,
    ).add_to(group)
    group.add_to(m)


def add_osm(m: folium.Map, lang: str) -> None:
    """OpenStreetMap tiles as an optional base layer, off by default (needs the Internet)."""
    folium.TileLayer(
        "OpenStreetMap", name=t("layer.osm", lang), overlay=False, show=False, control=True
    ).add_to(m)


def add_boundaries(
    m: folium.Map,
    communes: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame | None,
    version: str,
    lang: str,
) -> None:
    """Commune (and district, when the version has them) outlines with name tooltips."""
    suffix = f" ({t('layer.boundary_version', lang)} {version})"
    folium.GeoJson(
        outline_geojson(communes),
        name=t("layer.communes", lang) + suffix,
        style_function=lambda _f: {"color": "#5a6570", "weight": 0.8, "fill": False, "dashArray": "3 3"},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        overlay=True,
        show=True,
    ).add_to(m)
    if districts is not None and not districts.empty:
        folium.GeoJson(
            outline_geojson(districts),
            name=t("layer.districts", lang) + suffix,
            style_function=lambda _f: {"color": "#2b3440", "weight": 2, "fill": False},
            interactive=False,
            overlay=True,
            show=True,
        ).add_to(m)


_SITE_CALLBACK = """function (row) {
  var round = row[8] ? "50%" : "3px";
  var icon = L.divIcon({className: "vc-site-icon", iconSize: [24, 18], iconAnchor: [12, 9],
    html: '<div class="vc-site" style="border-radius:' + round + '">' + VC.esc(row[7]) + '</div>'});
  var m = L.marker(new L.LatLng(row[0], row[1]), {icon: icon, title: row[2] + " – " + row[3], alt: row[2]});
  var h = '<div class="vc-popup"><div class="vc-popup-title">' + VC.esc(row[2]) + '</div><table class="vc-kv">' +
    '<tr><th>' + VC.esc(VC.t("site.kind")) + '</th><td>' + VC.esc(row[3]) + '</td></tr>' +
    '<tr><th>' + VC.esc(VC.t("site.technologies")) + '</th><td>' + VC.esc(row[4] || "–") + '</td></tr>' +
    '<tr><th>' + VC.esc(VC.t("site.height")) + '</th><td>' + VC.num(row[5]) + ' ' + VC.esc(VC.t("unit.m")) + '</td></tr>' +
    '<tr><th>' + VC.esc(VC.t("site.since")) + '</th><td>' + VC.esc(VC.date(row[6]) || "–") + '</td></tr></table></div>';
  m.bindPopup(h);
  return m;
};"""


def site_rows(sites: gpd.GeoDataFrame, lang: str) -> list[list[Any]]:
    """``[lat, lon, operator, kind, technologies, height_m, in service since, letters, round]`` per site.

    Mobile towers are squares lettered by operator (``VT`` Viettel …); other infrastructure is
    round, lettered by kind (maps.palette.KIND_LETTERS): symbols, not colours, tell them apart.
    """
    rows: list[list[Any]] = []
    for rec, geom in zip(sites.to_dict("records"), sites.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        op = rec.get("operator") or ""
        kind = rec.get("kind") or ""
        height = rec.get("height_m")
        tower = kind in ("mobile_tower", "")
        letters = OPERATOR_LETTERS.get(op, op[:2].upper() or "?") if tower else KIND_LETTERS.get(kind, kind[:2].upper())
        rows.append(
            [
                round(geom.y, 5),
                round(geom.x, 5),
                t_opt("operator", op, lang) if op else "–",
                t_opt("kind", kind, lang),
                rec.get("technologies") or "",
                None if height is None or pd.isna(height) else float(height),
                rec.get("in_service_from") or "",
                letters,
                not tower,
            ]
        )
    return rows


def add_sites(m: folium.Map, sites: gpd.GeoDataFrame, lang: str) -> None:
    """Mobile towers and, apart, other infrastructure (post offices, radio, TV, fibre) as two
    MarkerClusters with popups (operator, kind, technologies, height, since).

    Shown on opening (folium's FastMarkerCluster always adds itself to the map)."""
    kinds = sites["kind"].fillna("mobile_tower").astype(str)
    towers, other = sites[kinds == "mobile_tower"], sites[kinds != "mobile_tower"]
    if len(towers):
        FastMarkerCluster(site_rows(towers, lang), callback=_SITE_CALLBACK, name=t("layer.sites", lang),
                          overlay=True).add_to(m)
    if len(other):
        FastMarkerCluster(site_rows(other, lang), callback=_SITE_CALLBACK, name=t("layer.infrastructure", lang),
                          overlay=True).add_to(m)


def share_4g(village_coverage: pd.DataFrame | None) -> dict[str, float]:
    """village_id → population share covered by 4G from any operator (best evidence), in [0, 1]."""
    vc = village_coverage
    if vc is None or vc.empty:
        return {}
    rows = vc[(vc["operator"] == "ANY") & (vc["technology"] == "4G")]
    shares = pd.to_numeric(rows["covered_pop_share"], errors="coerce").fillna(0.0).clip(0, 1)
    return {str(k): float(v) for k, v in shares.groupby(rows["village_id"]).max().items()}


def gap_frame(
    villages: gpd.GeoDataFrame, classes: dict[str, str], shares: Mapping[str, float] | None = None
) -> gpd.GeoDataFrame:
    """Villages without 4G (class not 4G/5G) as points, ranked by the people left without 4G.

    ``uncovered`` = population × (1 − 4G population share, ``shares``: :func:`shares_4g_at`) in
    whole people; rank by the one gap
    ranking (:func:`villagecov.rules.gap_order`, as the API's ``gaps`` collection): rank 1 = most
    people without 4G, ties by village id.
    """
    no4g = villages[~villages["village_id"].astype(str).map(classes).isin(["4G", "5G"])].copy()
    shares = shares or {}
    # astype(float): mapping an empty text column keeps the text dtype (a unit where every village has 4G)
    share = no4g["village_id"].astype(str).map(shares).astype(float)
    # the one definition of people without coverage (villagecov.compute.people)
    people = people_without(no4g["population"], share)
    no4g["uncovered"] = whole_people(people).astype(int)
    no4g = gap_order(no4g, people)  # the one gap ranking (villagecov.rules)
    no4g["rank"] = range(1, len(no4g) + 1)
    no4g["geometry"] = representative_points(no4g)
    return no4g


def add_gaps(
    m: folium.Map,
    villages: gpd.GeoDataFrame,
    classes: dict[str, str],
    lang: str,
    shares: Mapping[str, float] | None = None,
    show: bool = True,
) -> None:
    """The gaps layer: villages without 4G as ranked circle markers with a tooltip."""
    gaps = gap_frame(villages, classes, shares)
    if gaps.empty:
        return
    cls_label = {c: t(f"class.{c}", lang) for c in CLASS_ORDER}
    data = gpd.GeoDataFrame(
        {
            "village_id": gaps["village_id"].astype(str),
            "rank": gaps["rank"].astype(int),
            "name": gaps["name"].astype(str),
            "population": pd.to_numeric(gaps["population"], errors="coerce").fillna(0).astype(int),
            "uncovered": gaps["uncovered"].astype(int),
            "status": gaps["village_id"].astype(str).map(classes).fillna("unknown").map(cls_label),
        },
        geometry=gaps.geometry.values,
        crs="EPSG:4326",
    )
    folium.GeoJson(
        json.loads(data.to_json(drop_id=True), parse_float=lambda s: round(float(s), 5)),
        name=t("layer.gaps", lang),
        marker=folium.CircleMarker(radius=6, weight=1.5, color="#ffffff", fill=True, fill_color=GAP_COLOUR, fill_opacity=1),
        tooltip=folium.GeoJsonTooltip(
            fields=["rank", "name", "population", "uncovered", "status"],
            aliases=[t("popup.rank", lang), t("popup.village", lang), t("popup.population", lang),
                     t("popup.uncovered", lang), t("popup.best", lang)],
        ),
        overlay=True,
        show=show,
    ).add_to(m)


def add_remote(m: folium.Map, villages: gpd.GeoDataFrame, lang: str) -> None:
    """Remote villages (``remote`` true) marked by a purple ring, with their reasons."""
    remote = villages[villages["remote"].fillna(False).astype(bool)]
    if remote.empty:
        return
    reasons = ["; ".join(format_reasons(v if isinstance(v, str) else None, lang)) for v in remote["remote_reasons"]]
    data = gpd.GeoDataFrame(
        {"village_id": remote["village_id"].astype(str).values, "name": remote["name"].astype(str).values,
         "reasons": reasons},
        geometry=representative_points(remote).values,
        crs="EPSG:4326",
    )
    folium.GeoJson(
        json.loads(data.to_json(drop_id=True), parse_float=lambda s: round(float(s), 5)),
        name=t("layer.remote", lang),
        marker=folium.CircleMarker(radius=9, weight=2, color=REMOTE_COLOUR, dash_array="4 3", fill=False),
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "reasons"], aliases=[t("popup.village", lang), t("popup.remote_reasons", lang)]
        ),
        overlay=True,
        show=True,
    ).add_to(m)


def summary_classes(summary: pd.DataFrame) -> dict[str, str]:
    """village_id → class from the engine's effective statuses (``village_summary`` rows of one
    vintage): the best technology ``covered``, else ``partial``, else ``none``; a village whose
    statuses are all unknown is left out (drawn as *unknown*)."""
    out: dict[str, str] = {}
    cols = [f"status_{tech.lower()}" for tech in TECH_ORDER]
    for rec in summary[["village_id", *cols]].itertuples(index=False):
        vid, *statuses = rec
        by_tech = dict(zip(TECH_ORDER, statuses, strict=True))
        best = next((tech for tech in TECH_ORDER if by_tech[tech] == "covered"), None)
        if best is not None:
            out[str(vid)] = best
        elif "partial" in statuses:
            out[str(vid)] = "partial"
        elif "none" in statuses:
            out[str(vid)] = "none"
    return out


def summary_at(data: MapInputs, date: str) -> pd.DataFrame | None:
    """The engine's village statuses at vintage ``date`` (None: the inputs have none)."""
    summary = data.village_summary
    if summary is None or summary.empty:
        return None
    return as_of_rows(summary, date, ["village_id"])


def classes_at(data: MapInputs, date: str) -> tuple[dict[str, str], dict[str, str]]:
    """(coverage classes, Task 9 service classes) of the villages at vintage ``date``: from the
    engine's effective statuses when the inputs have them (as the indicators and the API count:
    contradicted declarations and uncounted evidence do not cover), else from the coverage rows."""
    summary = summary_at(data, date)
    if summary is not None:
        cov = summary_classes(summary)
    else:
        cov = village_classes(as_of_rows(data.village_coverage, date, ["village_id", "operator", "technology", "evidence"]))
    sv = as_of_rows(data.services, date, ["village_id", "service"])
    return cov, service_classes(sv, cov)


def shares_4g_at(data: MapInputs, date: str) -> dict[str, float]:
    """village_id → population share with 4G at vintage ``date``: the engine's effective share
    (``pop_share_4g``) when the inputs have it, else the best ANY-operator 4G row."""
    summary = summary_at(data, date)
    if summary is None:
        return share_4g(as_of_rows(data.village_coverage, date, ["village_id", "operator", "technology", "evidence"]))
    shares = pd.to_numeric(summary["pop_share_4g"], errors="coerce").clip(0, 1)
    return {str(v): float(s) for v, s in zip(summary["village_id"], shares, strict=True) if pd.notna(s)}
