"""Page furniture shared by all maps: title, language switch, legend, banner, indicator table.

Every visible string comes from :mod:`maps.i18n`; values are HTML-escaped here.
"""

from __future__ import annotations

import math
from html import escape

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element
from folium.map import FitBounds
from folium.plugins import Fullscreen

from villagecov.maps.elements import Banner, Config, HtmlControl, OutlineMiniMap
from villagecov.maps.i18n import indicator_sort_key, t
from villagecov.maps.layers import CLASS_ORDER, outline_geojson
from villagecov.maps.palette import (
    CLASS_COLOURS,
    DECLARED_COLOUR,
    GAP_COLOUR,
    KIND_LETTERS,
    NEWLY_COVERED_COLOUR,
    REMOTE_COLOUR,
    SERVICE_CLASS_COLOURS,
    SERVICE_YES_NO,
)
from villagecov.signal_classes import SIGNAL_CLASSES, css


def new_map(
    bounds: tuple[float, float, float, float],
    lang: str,
    village_url: str,
    commune_names: dict[str, str] | None = None,
    **kwargs,
) -> folium.Map:
    """An empty map (no tiles, scale bar on) fitted to ``bounds`` (minx, miny, maxx, maxy, EPSG:4326).

    ``commune_names`` (code → name) lets village popups name the commune when the API does not.
    """
    minx, miny, maxx, maxy = bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=False,  # metric only: the shell adds it (app.js)
        prefer_canvas=False,
        **kwargs,
    )
    limit_zoom(m)
    Config(lang, village_url, commune_names).add_to(m)
    fit = FitBounds([[miny, minx], [maxy, maxx]])
    # not animated: an animated first fit would finish after the page has set its view (URL, panel)
    fit.options["animate"] = False
    m.add_child(fit)
    return m


def limit_zoom(m: folium.Map, min_zoom: int = 6, max_zoom: int = 18) -> None:
    """Zoom limits on the map itself (folium only sets them on a default tile layer, which we lack)."""
    m.options["minZoom"] = min_zoom
    m.options["maxZoom"] = max_zoom


def add_chrome(
    m: folium.Map,
    *,
    title: str,
    lang: str,
    synthetic: bool,
    alternate_url: str | None,
    outline: gpd.GeoDataFrame | None = None,
    fullscreen: bool = True,
) -> None:
    """Page title, SYNTHETIC banner, fullscreen, outline minimap. The visible title and the language
    switch (``alternate_url``) live in the panel (:mod:`maps.shell`)."""
    del alternate_url
    m.get_root().header.add_child(Element(f"<title>{escape(title)}</title>"), name="vc_title")
    if synthetic:
        Banner(t("synthetic.banner", lang)).add_to(m)
    if fullscreen:
        Fullscreen(position="topleft", title=t("leaflet.fullscreen", lang),
                   title_cancel=t("leaflet.fullscreen_exit", lang)).add_to(m)
    if outline is not None and not outline.empty:
        OutlineMiniMap(outline_geojson(outline, tolerance=0.005)).add_to(m)


def _swatch(colour: str, label: str, extra: str = "") -> str:
    return f'<div><span class="vc-sw" style="background:{colour};{extra}"></span>{escape(label)}</div>'


def _symbol(html: str, label: str) -> str:
    return f'<div><span class="vc-sym" aria-hidden="true">{html}</span>{escape(label)}</div>'


def _block(names: list[str], title: str, rows: list[str]) -> str:
    """A legend block shown while one of the layers ``names`` is visible (``*`` = name prefix)."""
    head = f'<div class="vc-sub">{escape(title)}</div>' if title else ""
    return f'<div class="vc-leg" data-legend-for="{escape("|".join(names))}">{head}{"".join(rows)}</div>'


def legend_html(
    lang: str, *, operators: list[str] = (), sites: bool = True, services: bool = False, signal: bool = False,
    open_: bool = True, service_layers: list[str] = (), infrastructure: bool = False, declared: bool = False,
    newly: bool = False, challenges: bool = False,
) -> str:
    """Legend in blocks, each tied to the layers it explains (the panel hides a block while none
    of its layers is visible). Colours and symbols: :mod:`maps.palette`."""
    del operators  # sites are lettered by operator: the letters are in the symbol, not the legend colours
    parts = [f'<summary class="vc-title">{escape(t("legend.title", lang))}</summary>']
    parts.append(_block([t("layer.villages", lang)], t("legend.villages", lang),
                        [_swatch(CLASS_COLOURS[c], t(f"class.{c}", lang)) for c in CLASS_ORDER]))
    if newly:
        parts.append(_block([t("layer.newly", lang)], "", [_swatch(NEWLY_COVERED_COLOUR, t("legend.newly", lang),
                                                                   "outline:2px solid #000")]))
    parts.append(_block([t("layer.gaps", lang)], "", [_symbol(
        f'<svg width="16" height="16"><circle cx="8" cy="8" r="6" fill="{GAP_COLOUR}" stroke="#fff" stroke-width="1.5"/></svg>',
        t("legend.gap", lang))]))
    parts.append(_block([t("layer.remote", lang)], "", [_symbol(
        f'<svg width="20" height="20"><circle cx="10" cy="10" r="8" fill="none" stroke="{REMOTE_COLOUR}" '
        'stroke-width="2" stroke-dasharray="4 3"/></svg>', t("legend.remote", lang))]))
    if services:
        parts.append(_block([t("layer.services", lang)], t("layer.services", lang),
                            [_swatch(SERVICE_CLASS_COLOURS[c], t(f"services.{c}", lang)) for c in ("all", "some", "no")]))
    if service_layers:
        parts.append(_block(list(service_layers), t("group.task9", lang),
                            [_swatch(SERVICE_YES_NO[c], t(f"legend.{c}", lang)) for c in ("yes", "no", "unknown")]))
    if sites:
        parts.append(_block([t("layer.sites", lang)], "", [_symbol('<span class="vc-site" style="display:inline-block">VT</span>',
                                                                    t("legend.site", lang))]))
    if infrastructure:
        parts.append(_block([t("layer.infrastructure", lang)], "", [_symbol(
            '<span class="vc-site" style="display:inline-block;border-radius:50%">' + KIND_LETTERS["post_office"] + "</span>", t("legend.infrastructure", lang))]))
    if declared:
        parts.append(_block([t("layer.declared", lang) + "*"], "", [_swatch(
            DECLARED_COLOUR, t("legend.declared", lang), f"opacity:.45;outline:2px dashed {DECLARED_COLOUR}")]))
    if challenges:
        parts.append(_block([t("layer.challenges", lang)], "", [_symbol('<span class="vc-challenge-marker" '
                                                                         'style="display:inline-block">!</span>',
                                                                         t("legend.challenge", lang))]))
    if signal:
        parts.append(_block([t("layer.predicted", lang) + "*"], t("legend.signal", lang),
                            [_swatch(css(rgba), t(f"signal.{cid}", lang)) for cid, _, rgba in SIGNAL_CLASSES]))
    return f'<details class="vc-legend"{" open" if open_ else ""}>' + "".join(parts) + "</details>"


def add_legend(m: folium.Map, lang: str, **kwargs) -> None:
    HtmlControl(legend_html(lang, **kwargs), position="bottomleft").add_to(m)


def format_value(indicator: str, value: object, lang: str) -> str:
    """Shares as percentages (one decimal), counts and rates as numbers; ``–`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):  # type: ignore[arg-type]
        return "–"
    v = float(value)  # type: ignore[arg-type]
    dec = "," if lang == "vi" else "."
    thou = "." if lang == "vi" else ","
    if indicator.split(":", 1)[0].endswith("_share"):  # breakdowns by target group: "<id>:<group>"
        return f"{v * 100:.1f}".replace(".", dec) + " %"
    if float(v).is_integer():
        return f"{int(v):,}".replace(",", thou)
    return f"{v:,.1f}".replace(",", "\0").replace(".", dec).replace("\0", thou)


def indicator_table_html(indicators: pd.DataFrame, lang: str) -> str:
    """Table of one unit's indicators at its latest vintage, with baseline and target."""
    if indicators is None or indicators.empty:
        return (f'<div class="vc-panel"><h4>{escape(t("panel.indicators", lang))}</h4>'
                f'<div class="vc-muted">{escape(t("popup.no_data", lang))}</div></div>')
    latest = indicators.sort_values("as_of").groupby("indicator", sort=True).tail(1)
    as_of = str(latest["as_of"].max())
    head = "".join(
        f"<th>{escape(t(k, lang))}</th>" for k in ("panel.indicator", "panel.value", "panel.baseline", "panel.target")
    )
    rows = []
    for rec in sorted(latest.to_dict("records"), key=lambda r: indicator_sort_key(str(r["indicator"]))):
        ind = str(rec["indicator"])
        cells = [format_value(ind, rec.get(k), lang) for k in ("value", "baseline", "target")]
        label = t(f"ind.{ind}", lang, default=ind)
        rows.append(
            f'<tr data-indicator="{escape(ind)}"><td>{escape(label)}</td>' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
        )
    return (
        f'<details class="vc-panel" open><summary class="vc-title">{escape(t("panel.indicators", lang))} · '
        f'{escape(t("popup.as_of", lang))} {escape(as_of)}</summary><table><tr>{head}</tr>{"".join(rows)}</table></details>'
    )


def add_indicator_panel(m: folium.Map, indicators: pd.DataFrame, lang: str, position: str = "bottomright") -> None:
    HtmlControl(indicator_table_html(indicators, lang), position=position).add_to(m)
