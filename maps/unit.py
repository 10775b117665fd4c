"""District and commune maps: one unit, its villages (vector tiles), sites, gaps and remote
villages, the latest site plan with what it brings to the unit, and its indicator table. Data in, ``folium.Map`` out (no I/O).
"""

from __future__ import annotations

from typing import Literal

import folium

from villagecov.errors import NotFound
from villagecov.maps.contract import ApiUrls
from villagecov.maps.i18n import check_lang, file_name, t
from villagecov.maps.inputs import MapInputs, sites_in_service
from villagecov.maps.layers import (
    add_boundaries,
    add_gaps,
    add_offline_base,
    add_osm,
    add_remote,
    add_sites,
    classes_at,
    shares_4g_at,
)
from villagecov.maps.panels import add_chrome, add_indicator_panel, add_legend, new_map
from villagecov.maps.plan import add_plan
from villagecov.maps.province import (
    BASE_PANE,
    add_coverage_layers,
    add_panes,
    add_village_layers,
    full_search_index,
    latest_streams,
    legend_flags,
    shell_config,
    unit_children,
)
from villagecov.maps.shell import ChallengeLayer, add_shell, bounds_of
from villagecov.schema import LATEST

UnitLevel = Literal["district", "commune"]


def build_unit_map(
    data: MapInputs,
    level: UnitLevel,
    code: str,
    urls: ApiUrls | None = None,
    lang: str = "vi",
    *,
    alternate_url: str | None = None,
) -> folium.Map:
    """Map of district or commune ``code`` (of ``data.boundary_version``) with its indicator table.

    ``data`` holds the whole province; it is cut to the unit here. Raises
    :class:`~villagecov.errors.NotFound` when the unit is not in the inputs.
    """
    lang = check_lang(lang)
    urls = urls or ApiUrls()
    units = data.districts if level == "district" else data.communes
    unit = units[units["code"].astype(str) == code] if units is not None else None
    if unit is None or unit.empty:
        raise NotFound(f"no {level} {code} in boundary version {data.boundary_version}")
    sub = data.for_unit(level, code)
    name = str(unit["name"].iloc[0])

    m = new_map(tuple(unit.total_bounds), lang, urls.village, sub.commune_names)
    add_panes(m)
    classes = classes_at(sub, LATEST)[0]
    add_offline_base(m, unit, sub.communes, lang, pane=BASE_PANE)
    add_osm(m, lang)
    service_layers = add_village_layers(m, sub, urls, lang, classes, unit_only=True)
    add_gaps(m, sub.villages, classes, lang, shares_4g_at(sub, LATEST), show=True)
    add_remote(m, sub.villages, lang)
    add_coverage_layers(m, data, urls, lang)
    add_boundaries(m, sub.communes, unit if level == "district" else None, data.boundary_version, lang)
    sites = sites_in_service(sub.sites, None)
    if sites is not None and len(sites):
        add_sites(m, sites, lang)
    plan = add_plan(m, data.plans, urls, lang, unit=(name, sub.plan_villages))  # the latest plan, for this unit
    ChallengeLayer(urls.challenges, t("layer.challenges", lang)).add_to(m)
    add_indicator_panel(m, sub.indicators, lang)
    rasters = latest_streams(data.coverage, raster=True)
    add_legend(m, lang, challenges=True, **legend_flags(data, sites, rasters, service_layers, False))
    title = f"{name} – {t('title.province', lang)}"
    add_chrome(m, title=title, lang=lang, synthetic=data.synthetic, alternate_url=alternate_url, outline=data.province)
    province_name = str(data.province["name"].iloc[0]) if len(data.province) else t("title.province", lang)
    crumbs: list[tuple[str, str | None]] = [(province_name, file_name("province", lang))]
    if level == "commune" and data.districts is not None and len(data.districts):
        parent = data.districts[data.districts["code"].astype(str) == str(unit["parent_code"].iloc[0])]
        if len(parent):
            crumbs.append((str(parent["name"].iloc[0]), file_name(f"district-{parent['code'].iloc[0]}", lang)))
    crumbs.append((name, None))
    children = unit_children(sub.communes, "commune", lang) if level == "district" else []
    cfg = shell_config(sub, lang, title, alternate_url, classes, service_layers, plan, crumbs=crumbs, children=children,
                       bounds=bounds_of(unit))
    add_shell(m, cfg, search=full_search_index(data, lang))
    return m
