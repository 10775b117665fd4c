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

from villagecov.maps.contract import ApiUrls
from villagecov.maps.elements import VectorTiles
from villagecov.maps.i18n import check_lang, file_name, format_date, t, t_opt
from villagecov.maps.inputs import MapInputs, as_of_rows, sites_in_service
from villagecov.maps.layers import (
    CLASS_COLOURS,
    SERVICE_CLASS_COLOURS,
    SERVICE_VIEWS,
    SERVICE_YES_NO,
    VILLAGE_FILL_OPACITY,
    add_boundaries,
    add_gaps,
    add_offline_base,
    add_osm,
    add_remote,
    add_sites,
    classes_at,
    search_index,
    service_classes,
    service_yes_no,
    shares_4g_at,
)
from villagecov.maps.palette import DECLARED_COLOUR, NEWLY_COVERED_COLOUR
from villagecov.maps.panels import add_chrome, add_legend, new_map
from villagecov.maps.plan import add_plan
from villagecov.maps.shell import (
    ChallengeLayer,
    ShellConfig,
    add_shell,
    bounds_of,
    service_layer_name,
    sources_of,
    today,
    unit_rows,
    village_rows,
)
from villagecov.schema import LATEST

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
) -> list[str]:
    """Villages coloured by class (clickable) and, off by default, Task 9 services (all four, and
    each service alone with its own yes / no / not surveyed classes); returns the per-service layer names.

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
    names = []
    for service, lookup in service_yes_no(data.latest_services, classes).items():
        name = service_layer_name(service, lang)
        names.append(name)
        VectorTiles(urls.village_tiles, name, classes=lookup if not unit_only else
                    {str(v): lookup.get(str(v), "unknown") for v in data.villages["village_id"]},
                    palette=SERVICE_YES_NO, hide_unlisted=unit_only, fill_opacity=VILLAGE_FILL_OPACITY,
                    pane=TILES_PANE, show=False).add_to(m)
    return names


def add_newly_covered(m: folium.Map, data: MapInputs, urls: ApiUrls, lang: str) -> bool:
    """Villages with 4G/5G at the latest vintage that had neither at the baseline (first vintage)."""
    vintages = data.vintages
    if len(vintages) < 2:
        return False
    before, after = classes_at(data, vintages[0])[0], classes_at(data, vintages[-1])[0]
    good = ("4G", "5G")
    newly = {v: "newly" for v, c in after.items() if c in good and before.get(v) not in good}
    VectorTiles(urls.village_tiles, t("layer.newly", lang), classes=newly, palette={"newly": NEWLY_COVERED_COLOUR},
                hide_unlisted=True, fill_opacity=VILLAGE_FILL_OPACITY, weight=2.5, color="#000000", pane=TILES_PANE,
                show=False).add_to(m)
    return True


def period_classes(data: MapInputs) -> dict[str, dict[str, str]]:
    """Village classes at every vintage of the computed coverage (the period selector)."""
    return {d: classes_at(data, d)[0] for d in data.vintages}


def add_coverage_layers(m: folium.Map, data: MapInputs, urls: ApiUrls, lang: str) -> None:
    """Declared coverage per operator × technology (vector tiles) and predicted-signal rasters."""
    declared = latest_streams(data.coverage, raster=False)
    if declared is not None and len(declared):
        declared = declared[declared["evidence"] == "declared"]
        for rec in declared.to_dict("records"):
            op, tech = str(rec["operator"]), str(rec["technology"])
            name = f"{t('layer.declared', lang)}: {t_opt('operator', op, lang)} {tech} ({format_date(rec['as_of'], lang)})"
            VectorTiles(
                urls.coverage_tiles,
                name,
                filter={"operator": op, "technology": tech, "evidence": "declared", "as_of": str(rec["as_of"])},
                fill_color=DECLARED_COLOUR,
                fill_opacity=0.3,
                weight=1.5,
                color=DECLARED_COLOUR,
                pane=COVERAGE_PANE,
                show=False,
            ).add_to(m)
    rasters = latest_streams(data.coverage, raster=True)
    if rasters is not None and len(rasters):
        for rec in rasters.to_dict("records"):
            op, tech = str(rec["operator"]), str(rec["technology"])
            folium.TileLayer(
                urls.raster_tiles(str(rec["coverage_id"])),
                name=f"{t('layer.predicted', lang)}: {t_opt('operator', op, lang)} {tech} ({format_date(rec['as_of'], lang)})",
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
    unit_links: bool = True,
    extra_links: list[tuple[str, str]] = (),
) -> folium.Map:
    """The province overview map in ``lang`` ("vi" default, "en").

    ``urls``: where the browser finds the API (default: same origin). ``alternate_url``: link
    of the same map in the other language (the language switch). ``unit_links``: search hits and
    the panel link to the district and commune pages (built beside this one).
    """
    lang = check_lang(lang)
    urls = urls or ApiUrls()
    m = new_map(tuple(data.province.total_bounds), lang, urls.village, data.commune_names)
    add_panes(m)
    classes = classes_at(data, LATEST)[0]

    add_offline_base(m, data.province, data.communes, lang, pane=BASE_PANE)
    add_osm(m, lang)
    service_layers = add_village_layers(m, data, urls, lang, classes)
    newly = add_newly_covered(m, data, urls, lang)
    add_gaps(m, data.villages, classes, lang, shares_4g_at(data, LATEST))
    add_remote(m, data.villages, lang)
    add_coverage_layers(m, data, urls, lang)
    add_boundaries(m, data.communes, data.districts, data.boundary_version, lang)
    sites = sites_in_service(data.sites, None)
    if sites is not None and len(sites):
        add_sites(m, sites, lang)
    plan = add_plan(m, data.plans, urls, lang)  # the latest plan's proposed sites, fetched from the API
    ChallengeLayer(urls.challenges, t("layer.challenges", lang)).add_to(m)

    rasters = latest_streams(data.coverage, raster=True)
    add_legend(m, lang, challenges=True, **legend_flags(data, sites, rasters, service_layers, newly))
    title = t("title.province", lang)
    add_chrome(m, title=title, lang=lang, synthetic=data.synthetic, alternate_url=alternate_url, outline=data.province)
    province_name = str(data.province["name"].iloc[0]) if len(data.province) else title
    children = unit_links and (data.districts if data.districts is not None and len(data.districts) else data.communes)
    level = "district" if data.districts is not None and len(data.districts) else "commune"
    add_shell(m, shell_config(data, lang, title, alternate_url, classes, service_layers, plan,
                              crumbs=[(province_name, None)],
                              children=unit_children(children, level, lang) if unit_links else [],
                              extra_links=list(extra_links), bounds=bounds_of(data.province)),
              search=full_search_index(data, lang, unit_links))
    return m


def legend_flags(data: MapInputs, sites, rasters, service_layers: list[str], newly: bool) -> dict:
    kinds = set(sites["kind"].fillna("mobile_tower")) if sites is not None and len(sites) else set()
    declared = latest_streams(data.coverage, raster=False)
    return {
        "sites": "mobile_tower" in kinds, "infrastructure": bool(kinds - {"mobile_tower"}),
        "services": bool(len(data.services)), "service_layers": service_layers,
        "signal": rasters is not None and len(rasters) > 0, "newly": newly,
        "declared": declared is not None and bool((declared["evidence"] == "declared").any()) if len(declared) else False,
    }


def unit_children(units, level: str, lang: str) -> list[tuple[str, str]]:
    """(name, page) of the units below, sorted the Vietnamese way."""
    from villagecov.maps.collate import vi_key

    if units is None or units is False or len(units) == 0:
        return []
    pairs = [(str(n), file_name(f"{level}-{c}", lang)) for c, n in zip(units["code"], units["name"], strict=True)]
    return sorted(pairs, key=lambda p: vi_key(p[0]))


def full_search_index(data: MapInputs, lang: str, unit_links: bool = True) -> list[list]:
    """Villages, communes and districts for the search box (units link to their pages)."""
    districts = data.districts if data.districts is not None else None
    dnames = {} if districts is None else dict(zip(districts["code"].astype(str), districts["name"].astype(str),
                                                   strict=True))
    rows = unit_rows(districts, "district", lambda c: file_name(f"district-{c}", lang) if unit_links else None)
    rows += unit_rows(data.communes, "commune", lambda c: file_name(f"commune-{c}", lang) if unit_links else None,
                      dnames)
    return rows + [r + ["village", None] for r in search_index(data.villages, data.commune_names)]


def shell_config(data: MapInputs, lang: str, title: str, alternate_url: str | None, classes: dict[str, str],
                 service_layers: list[str], plan, **kw) -> ShellConfig:
    """The panel of a province, district or commune map: views, list, periods, footer."""
    vintages = data.vintages
    views = [{"key": "no_4g", "label": t("view.no_4g", lang), "layers": [t("layer.villages", lang), t("layer.gaps", lang)]}]
    for name in service_layers:
        service = next(s for s in SERVICE_VIEWS if name == service_layer_name(s, lang))
        views.append({"key": f"no.{service}", "label": t(f"view.no.{service}", lang), "layers": [name]})
    return ShellConfig(
        title=title, lang=lang, alternate_url=alternate_url, synthetic=data.synthetic, sources=sources_of(data),
        built=today(), period=vintages[-1] if vintages else "", periods=vintages,
        period_classes=period_classes(data) if len(vintages) > 1 else {},
        periodic_layers=(t("layer.villages", lang),), views=views, villages=village_rows(data, classes),
        classes=classes, plan_layer=None if plan is None else str(plan["plan_id"]),
        plan_site_label="" if plan is None else t("plan.site", lang),
        csv_name="thon" if lang == "vi" else "villages", **kw,
    )
