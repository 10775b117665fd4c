"""Progress map: baseline vintage (left) and latest vintage (right), synchronised (Leaflet.Sync).

Each side colours the villages (vector tiles) by their class at its vintage, has the Task 9
services layer and the sites in service at that date; a panel on the right compares the
province indicators of both vintages. Data in, ``folium.plugins.DualMap`` out (no I/O).
"""

from __future__ import annotations

from html import escape

import folium
import pandas as pd
from branca.element import Element
from folium.map import FitBounds
from folium.plugins import DualMap

from villagecov.maps.contract import ApiUrls
from villagecov.maps.elements import Config, HtmlControl, VectorTiles
from villagecov.maps.i18n import check_lang, format_date, indicator_sort_key, t
from villagecov.maps.inputs import MapInputs, sites_in_service
from villagecov.maps.layers import (
    CLASS_COLOURS,
    SERVICE_CLASS_COLOURS,
    VILLAGE_FILL_OPACITY,
    add_offline_base,
    add_osm,
    add_sites,
    classes_at,
)
from villagecov.maps.panels import add_chrome, add_legend, format_value, limit_zoom
from villagecov.maps.province import BASE_PANE, TILES_PANE, add_panes
from villagecov.maps.shell import ShellConfig, add_shell, map_layers, sources_of, today


def comparison_html(indicators: pd.DataFrame, baseline: str, latest: str, lang: str) -> str:
    """Province indicators at the baseline and latest vintages (latest value on or before each)."""
    ind = indicators[indicators["level"] == "province"] if len(indicators) else indicators
    head = (
        f"<tr><th>{escape(t('panel.indicator', lang))}</th><th>{escape(format_date(baseline, lang))}</th>"
        f"<th>{escape(format_date(latest, lang))}</th><th>{escape(t('panel.target', lang))}</th></tr>"
    )
    rows = []
    groups = sorted(ind.groupby("indicator"), key=lambda g: indicator_sort_key(str(g[0]))) if len(ind) else []
    for name, rows_i in groups:
        b = rows_i[rows_i["as_of"].astype(str) <= baseline].sort_values("as_of").tail(1)
        lt = rows_i[rows_i["as_of"].astype(str) <= latest].sort_values("as_of").tail(1)
        cells = [
            format_value(name, b["value"].iloc[0] if len(b) else None, lang),
            format_value(name, lt["value"].iloc[0] if len(lt) else None, lang),
            format_value(name, rows_i["target"].dropna().iloc[-1] if rows_i["target"].notna().any() else None, lang),
        ]
        label = t(f"ind.{name}", lang, default=str(name))
        rows.append(f"<tr><td>{escape(label)}</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    body = "".join(rows) or f'<tr><td class="vc-muted">{escape(t("popup.no_data", lang))}</td></tr>'
    return (f'<details class="vc-panel" open><summary class="vc-title">{escape(t("panel.compare", lang))}</summary>'
            f"<table>{head}{body}</table></details>")


def _side(
    m: folium.Map, data: MapInputs, urls: ApiUrls, lang: str, date: str, label_key: str
) -> None:
    add_panes(m)
    cov, services = classes_at(data, date)
    add_offline_base(m, data.province, data.communes, lang, pane=BASE_PANE)
    add_osm(m, lang)
    VectorTiles(
        urls.village_tiles, t("layer.villages", lang), classes=cov, palette=CLASS_COLOURS,
        village_clicks=True, fill_opacity=VILLAGE_FILL_OPACITY, pane=TILES_PANE,
    ).add_to(m)
    if services:
        VectorTiles(
            urls.village_tiles, t("layer.services", lang), classes=services, palette=SERVICE_CLASS_COLOURS,
            fill_opacity=VILLAGE_FILL_OPACITY, pane=TILES_PANE, show=False,
        ).add_to(m)
    sites = sites_in_service(data.sites, date)
    if sites is not None and len(sites):
        add_sites(m, sites, lang)
    HtmlControl(
        f'<span class="vc-title">{escape(t(label_key, lang))}: <span class="vc-period-label" '
        f'data-side="{label_key.split(".")[-1]}">{escape(format_date(date, lang))}</span></span>',
        position="topleft", css_class="vc-box vc-side-label",
    ).add_to(m)


def build_progress_map(
    data: MapInputs,
    urls: ApiUrls | None = None,
    lang: str = "vi",
    *,
    baseline: str | None = None,
    latest: str | None = None,
    alternate_url: str | None = None,
) -> DualMap:
    """Side-by-side map of two vintages (default: first and last of ``data.vintages``)."""
    lang = check_lang(lang)
    urls = urls or ApiUrls()
    vintages = data.vintages or ["9999-12-31"]
    baseline = baseline or vintages[0]
    latest = latest or vintages[-1]
    minx, miny, maxx, maxy = data.province.total_bounds
    dual = DualMap(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None, control_scale=False)
    Config(lang, urls.village, data.commune_names).add_to(dual.m1)
    _side(dual.m1, data, urls, lang, baseline, "progress.baseline")
    _side(dual.m2, data, urls, lang, latest, "progress.latest")
    for m in (dual.m1, dual.m2):
        limit_zoom(m)
        fit = FitBounds([[miny, minx], [maxy, maxx]])
        fit.options["animate"] = False  # as maps.panels.new_map: the URL's view must not be undone
        m.add_child(fit)
    add_legend(dual.m1, lang, sites=bool(len(data.sites)), services=bool(len(data.services)), open_=False)
    HtmlControl(comparison_html(data.indicators, baseline, latest, lang), position="bottomright").add_to(dual.m2)
    title = t("title.progress", lang)
    add_chrome(dual.m2, title=title, lang=lang, synthetic=data.synthetic, alternate_url=alternate_url, fullscreen=False)
    # the period selector recolours the right-hand (latest) side: compare the baseline with any vintage
    layers = (map_layers(dual.m1, lang, prefix=f"{t('progress.baseline', lang)}: ")
              + map_layers(dual.m2, lang, periodic=(t("layer.villages", lang),),
                           prefix=f"{t('progress.latest', lang)}: "))
    dual.m2.get_root().html.add_child(Element('<script>document.body.classList.add("vc-dual");</script>'))
    cfg = ShellConfig(title=title, lang=lang, alternate_url=alternate_url, synthetic=data.synthetic,
                      sources=sources_of(data), built=today(), period=latest, drawer_open=False,
                      periods=data.vintages if len(data.vintages) > 1 else [],
                      period_classes={d: classes_at(data, d)[0] for d in data.vintages} if len(data.vintages) > 1 else {},
                      crumbs=[(str(data.province["name"].iloc[0]) if len(data.province) else title, None)])
    add_shell(dual.m2, cfg, layers=layers)
    return dual
