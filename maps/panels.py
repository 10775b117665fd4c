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
from folium.plugins import Fullscreen

from maps.elements import Banner, Config, HtmlControl, OutlineMiniMap
from maps.i18n import indicator_sort_key, t
from maps.layers import CLASS_COLOURS, CLASS_ORDER, OPERATOR_COLOURS, SERVICE_CLASS_COLOURS, outline_geojson
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
        control_scale=True,
        prefer_canvas=False,
        **kwargs,
    )
    limit_zoom(m)
    Config(lang, village_url, commune_names).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
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
    """Title (page and control) with language switch, SYNTHETIC banner, fullscreen, outline minimap."""
    m.get_root().header.add_child(Element(f"<title>{escape(title)}</title>"), name="vc_title")
    switch = ""
    if alternate_url:
        other = "en" if lang == "vi" else "vi"
        switch = (
            f' <span class="vc-lang">· <a href="{escape(alternate_url)}" hreflang="{other}" lang="{other}">'
            f"{escape(t('lang.switch', lang))}</a></span>"
        )
    HtmlControl(f'<span class="vc-title">{escape(title)}</span>{switch}', position="topright").add_to(m)
    if synthetic:
        Banner(t("synthetic.banner", lang)).add_to(m)
    if fullscreen:
        Fullscreen(position="topleft").add_to(m)
    if outline is not None and not outline.empty:
        OutlineMiniMap(outline_geojson(outline, tolerance=0.005)).add_to(m)


def _swatch(colour: str, label: str) -> str:
    return f'<div><span class="vc-sw" style="background:{colour}"></span>{escape(label)}</div>'


def _dot(colour: str, label: str, ring: bool = False) -> str:
    style = f"border:2.5px solid {colour}" if ring else f"background:{colour};border:1px solid #222"
    return f'<div><span class="vc-dot" style="{style}"></span>{escape(label)}</div>'


def legend_html(
    lang: str, *, operators: list[str] = (), sites: bool = True, services: bool = False, signal: bool = False,
    open_: bool = True,
) -> str:
    """Legend: village classes, (Task 9 services), remote ring, gaps, site colours per operator,
    (signal classes of the raster layers)."""
    parts = [f'<summary class="vc-title">{escape(t("legend.title", lang))}</summary>',
             f'<div class="vc-sub">{escape(t("legend.villages", lang))}</div>']
    parts += [_swatch(CLASS_COLOURS[c], t(f"class.{c}", lang)) for c in CLASS_ORDER]
    if services:
        parts.append(f'<div class="vc-sub">{escape(t("layer.services", lang))}</div>')
        parts += [_swatch(SERVICE_CLASS_COLOURS[c], t(f"services.{c}", lang)) for c in ("all", "some", "no")]
    parts.append('<div class="vc-sub"></div>')
    parts.append(_dot("#6a1b9a", t("legend.remote", lang), ring=True))
    parts.append(_dot("#d7191c", t("legend.gap", lang)))
    if sites:
        parts.append(f'<div class="vc-sub">{escape(t("legend.site", lang))}</div>')
        parts += [_dot(OPERATOR_COLOURS[o], t(f"operator.{o}", lang)) for o in operators if o in OPERATOR_COLOURS]
    if signal:
        parts.append(f'<div class="vc-sub">{escape(t("legend.signal", lang))}</div>')
        parts += [_swatch(css(rgba), t(f"signal.{cid}", lang)) for cid, _, rgba in SIGNAL_CLASSES]
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
    if indicator.endswith("_share"):
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
