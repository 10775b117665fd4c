"""Province overview map: villages by coverage status (vector tiles), declared coverage per
operator × technology, predicted-signal rasters, sites, gaps, remote villages, boundaries,
legend, search, fullscreen, scale and minimap. Data in, ``folium.Map`` out (no I/O).

Large layers (village polygons, coverage polygons, rasters) are tiles from the API; only
small lookups (village class per id, search index, outlines, sites, gaps) are inline, which
keeps the HTML of the whole province well under 5 MB.
"""

from __future__ import annotations

import folium
import pandas as pd
from folium.map import CustomPane

from maps.contract import ApiUrls
from maps.elements import VectorTiles, VillageSearch
from maps.i18n import check_lang, t, t_opt
from maps.inputs import MapInputs, as_of_rows, sites_in_service
from maps.layers import (
    CLASS_COLOURS,
    OPERATOR_COLOURS,
    SERVICE_CLASS_COLOURS,
    VILLAGE_FILL_OPACITY,
    add_boundaries,
    add_gaps,
    add_offline_base,
    add_osm,
    add_remote,
    add_sites,
    search_index,
    service_classes,
    village_classes,
)
from maps.panels import add_chrome, add_legend, new_map
from maps.plan import add_plan

BASE_PANE, TILES_PANE, COVERAGE_PANE = "vcBase", "vcTiles", "vcCoverage"


def add_panes(m: folium.Map) -> None:
    """Panes keeping the offline basemap under the tiles whatever base layer is re-selected."""
    CustomPane(BASE_PANE, z_index=250, pointer_events=False).add_to(m)
    CustomPane(TILES_PANE, z_index=350, pointer_events=True).add_to(m)
    CustomPane(COVERAGE_PANE, z_index=360, pointer_events=False).add_to(m)


def latest_streams(coverage: pd.DataFrame, *, raster: bool) -> pd.DataFrame:
    """Latest vintage of each operator × technology × evidence stream, vector or raster rows."""
    if coverage is None or coverage.empty:
        return coverage
    has_raster = coverage["raster_path"].notna() & (coverage["raster_path"].astype(str) != "")
    rows = coverage[has_raster] if raster else coverage[~has_raster]
    if rows.empty:
        return rows
    rows = as_of_rows(rows, "9999-12-31", ["operator", "technology", "evidence"])
    return rows.sort_values(["operator", "technology", "evidence"]).drop_duplicates(
        ["operator", "technology", "evidence"], keep="last"
    )


def add_village_layers(
    m: folium.Map, data: MapInputs, urls: ApiUrls, lang: str, classes: dict[str, str], *, unit_only: bool = False
) -> None:
    """Villages coloured by class (clickable) and, off by default, Task 9 services.

    ``unit_only``: draw only the villages of ``data`` (a unit map); villages of ``data`` without
    computed coverage are then drawn as ``unknown``.
    """
    if unit_only:
        classes = {str(v): classes.get(str(v), "unknown") for v in data.villages["village_id"]}
    VectorTiles(
        urls.village_tiles,
        t("layer.villages", lang),
        classes=classes,
        palette=CLASS_COLOURS,
        village_clicks=True,
        status_fallback=not unit_only,
        hide_unlisted=unit_only,
        fill_opacity=VILLAGE_FILL_OPACITY,
        pane=TILES_PANE,
    ).add_to(m)
    services = service_classes(data.latest_services, classes)
    if services:
        VectorTiles(
            urls.village_tiles,
            t("layer.services", lang),
            classes=services,
            palette=SERVICE_CLASS_COLOURS,
            hide_unlisted=unit_only,
            fill_opacity=VILLAGE_FILL_OPACITY,
            pane=TILES_PANE,
            show=False,
        ).add_to(m)


def add_coverage_layers(m: folium.Map, data: MapInputs, urls: ApiUrls, lang: str) -> None:
    """Declared coverage per operator × technology (vector tiles) and predicted-signal rasters."""
    declared = latest_streams(data.coverage, raster=False)
    if declared is not None and len(declared):
        declared = declared[declared["evidence"] == "declared"]
        for rec in declared.to_dict("records"):
            op, tech = str(rec["operator"]), str(rec["technology"])
            name = f"{t('layer.declared', lang)}: {t_opt('operator', op, lang)} {tech} ({rec['as_of']})"
            VectorTiles(
                urls.coverage_tiles,
                name,
                filter={"operator": op, "technology": tech, "evidence": "declared", "as_of": str(rec["as_of"])},
                fill_color=OPERATOR_COLOURS.get(op, "#3388ff"),
                fill_opacity=0.3,
                weight=0,
                pane=COVERAGE_PANE,
                show=False,
            ).add_to(m)
    rasters = latest_streams(data.coverage, raster=True)
    if rasters is not None and len(rasters):
        for rec in rasters.to_dict("records"):
            op, tech = str(rec["operator"]), str(rec["technology"])
            folium.TileLayer(
                urls.raster_tiles(str(rec["coverage_id"])),
                name=f"{t('layer.predicted', lang)}: {t_opt('operator', op, lang)} {tech} ({rec['as_of']})",
                attr=t("layer.predicted", lang),
                overlay=True,
                show=False,
                opacity=0.6,
                pane=COVERAGE_PANE,
                max_native_zoom=14,
            ).add_to(m)


def build_province_map(
    data: MapInputs,
    urls: ApiUrls | None = None,
    lang: str = "vi",
    *,
    alternate_url: str | None = None,
) -> folium.Map:
    """The province overview map in ``lang`` ("vi" default, "en").

    ``urls``: where the browser finds the API (default: same origin). ``alternate_url``: link
    of the same map in the other language (the language switch).
    """
    lang = check_lang(lang)
    urls = urls or ApiUrls()
    m = new_map(tuple(data.province.total_bounds), lang, urls.village, data.commune_names)
    add_panes(m)
    classes = village_classes(data.latest_coverage)

    add_offline_base(m, data.province, data.communes, lang, pane=BASE_PANE)
    add_osm(m, lang)
    add_village_layers(m, data, urls, lang, classes)
    add_coverage_layers(m, data, urls, lang)
    add_boundaries(m, data.communes, data.districts, data.boundary_version, lang)
    add_gaps(m, data.villages, classes, lang, data.latest_coverage)
    add_remote(m, data.villages, lang)
    sites = sites_in_service(data.sites, None)
    if sites is not None and len(sites):
        add_sites(m, sites, lang)
    add_plan(m, data.plans, urls, lang)  # the latest plan's proposed sites, fetched from the API

    VillageSearch(search_index(data.villages, data.commune_names)).add_to(m)
    operators = sorted(set(sites["operator"].dropna())) if sites is not None and len(sites) else []
    rasters = latest_streams(data.coverage, raster=True)
    add_legend(m, lang, operators=operators, sites=bool(operators), services=bool(len(data.services)),
               signal=rasters is not None and len(rasters) > 0)
    add_chrome(
        m,
        title=t("title.province", lang),
        lang=lang,
        synthetic=data.synthetic,
        alternate_url=alternate_url,
        outline=data.province,
    )
    folium.LayerControl(collapsed=True, position="topright").add_to(m)
    return m
