"""Gaps map for the analysts' notebooks: villages without 4G ranked by priority, over the
project's own boundaries (no tiles, no API), as a self-contained offline HTML page.

Input is the frame of ``villagecov.analysis.rank_gaps`` (geometry EPSG:4326, columns rank,
priority, village_id, name, commune_code, population, remote, gap; ``commune_name`` when present,
see ``villagecov.analysis.name_communes``, else the name from ``communes``). Communes can be shaded by
their number of villages without 4G (``villagecov.analysis.unit_gaps``). :func:`standalone_html`
inlines every script, style sheet and icon, so the page opens from a file or inside a notebook
output without any server or Internet.
"""

from __future__ import annotations

import base64
import json
import math
import mimetypes
import re
from html import escape
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from villagecov.maps.assets import STATIC_DIR, external_urls, localize
from villagecov.maps.elements import HtmlControl
from villagecov.maps.i18n import t
from villagecov.maps.layers import BOUNDARY_TOLERANCE_DEG, add_offline_base, representative_points
from villagecov.maps.panels import add_chrome, new_map

GAP_COLOURS = {"no_signal": "#67000d", "no_4g": "#e6550d"}
REMOTE_RING = "#6a1b9a"
SHADES = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704")


def label(key: str, lang: str) -> str:
    """A gaps-map label from the maps' one catalogue (``maps.i18n``, keys ``gaps.*``)."""
    return t(f"gaps.{key}", lang)


def _radius(population: float) -> float:
    """Marker radius (px) growing with the square root of the population."""
    return 4.0 + min(10.0, math.sqrt(max(population, 0.0)) / 6.0)


def _shade(n: int, top: int) -> str:
    if n <= 0 or top <= 0:
        return SHADES[0]
    return SHADES[min(len(SHADES) - 1, 1 + int((len(SHADES) - 2) * (n - 1) / max(top - 1, 1)))]


def _gap_points(ranked: gpd.GeoDataFrame, commune_names: dict[str, str], lang: str) -> dict:
    pts = representative_points(ranked)
    feats = []
    for rec, pt in zip(ranked.to_dict("records"), pts, strict=True):
        if pt is None or pt.is_empty:
            continue
        feats.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(pt.x, 5), round(pt.y, 5)]},
            "properties": {
                "rank": int(rec["rank"]), "name": str(rec.get("name") or rec["village_id"]),
                "commune": rec.get("commune_name") or commune_names.get(str(rec["commune_code"]), str(rec["commune_code"])),
                "population": int(rec["population"] or 0), "priority": round(float(rec["priority"]), 3),
                "gap": label(str(rec["gap"]), lang), "remote": label("yes" if rec["remote"] else "no", lang),
                "_colour": GAP_COLOURS.get(str(rec["gap"]), "#e6550d"), "_remote": bool(rec["remote"]),
                "_radius": _radius(float(rec["population"] or 0)),
            },
        })
    return {"type": "FeatureCollection", "features": feats}


def _points_layer(data: dict, name: str, lang: str, show: bool) -> folium.GeoJson:
    fields = ["rank", "name", "commune", "population", "priority", "gap", "remote"]
    aliases = [label(k, lang) for k in ("rank", "village", "commune", "population", "priority", "gap", "remote")]
    return folium.GeoJson(
        data,
        name=name,
        marker=folium.CircleMarker(radius=6, weight=2, fill=True, fill_opacity=0.85),
        style_function=lambda f: {
            "radius": f["properties"]["_radius"], "fillColor": f["properties"]["_colour"],
            "color": REMOTE_RING if f["properties"]["_remote"] else "#333333",
            "weight": 3 if f["properties"]["_remote"] else 1,
        },
        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=aliases),
        overlay=True,
        show=show,
    )


def build_gaps_map(
    ranked: gpd.GeoDataFrame,
    province: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    lang: str = "vi",
    synthetic: bool = False,
    commune_gaps: pd.DataFrame | None = None,
    shortlist_n: int = 20,
) -> folium.Map:
    """Map of ranked gaps: all villages without 4G, the first ``shortlist_n`` as their own layer,
    communes shaded by villages without 4G (when ``commune_gaps`` is given), a SYNTHETIC banner
    when ``synthetic``. Everything is inline GeoJSON (EPSG:4326)."""
    m = new_map(tuple(province.total_bounds), lang, "")
    add_offline_base(m, province, communes, lang)
    names = {str(c): str(n) for c, n in zip(communes["code"], communes["name"], strict=True)}
    if commune_gaps is not None and len(commune_gaps):
        counts = dict(zip(commune_gaps["unit_code"].astype(str), commune_gaps["villages_no_4g"].astype(int),
                          strict=True))
        top = max(counts.values(), default=0)
        shaded = communes[["code", "name", "geometry"]].copy()
        shaded["villages_no_4g"] = shaded["code"].astype(str).map(counts).fillna(0).astype(int)
        shaded["geometry"] = shaded.geometry.simplify(BOUNDARY_TOLERANCE_DEG, preserve_topology=True)
        data = json.loads(shaded[["name", "villages_no_4g", "geometry"]].to_json(drop_id=True),
                          parse_float=lambda v: round(float(v), 5))
        folium.GeoJson(
            data,
            name=label("layer.communes", lang),
            style_function=lambda f: {
                "color": "#8c6d5a", "weight": 0.5, "fillOpacity": 0.55,
                "fillColor": _shade(int(f["properties"]["villages_no_4g"]), top),
            },
            tooltip=folium.GeoJsonTooltip(fields=["name", "villages_no_4g"],
                                          aliases=[label("commune", lang), label("villages_no_4g", lang)]),
            overlay=True,
            show=True,
        ).add_to(m)
    ordered = ranked.sort_values("rank", kind="stable")
    _points_layer(_gap_points(ordered, names, lang), label("layer.points", lang), lang, True).add_to(m)
    if shortlist_n > 0:
        _points_layer(_gap_points(ordered.head(shortlist_n), names, lang),
                      f"{label('layer.shortlist', lang)} ({min(shortlist_n, len(ordered))})", lang, False).add_to(m)
    HtmlControl(legend_html(lang), position="bottomleft").add_to(m)
    add_chrome(m, title=label("title", lang), lang=lang, synthetic=synthetic, alternate_url=None, outline=province)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)
    return m


def legend_html(lang: str) -> str:
    """Legend: colour per gap kind, ring for remote villages, size for population."""
    def dot(fill: str, ring: str, width: int) -> str:
        return (f'<span style="display:inline-block;width:12px;height:12px;border-radius:50%;background:{fill};'
                f'border:{width}px solid {ring};margin-right:6px;vertical-align:middle"></span>')

    rows = [
        dot(GAP_COLOURS["no_signal"], "#333333", 1) + escape(label("no_signal", lang)),
        dot(GAP_COLOURS["no_4g"], "#333333", 1) + escape(label("no_4g", lang)),
        dot("#ffffff", REMOTE_RING, 3) + escape(label("remote", lang)),
        escape(label("population", lang)) + ": " + ("kích thước điểm" if lang == "vi" else "marker size"),
    ]
    return '<div style="background:#fff;padding:6px 8px;border-radius:4px;font:12px sans-serif">' + "<br>".join(rows) + "</div>"


# -- one self-contained page ---------------------------------------------------------------------

_INLINE = "vc-inline:/"
_SCRIPT = re.compile(r'<script[^>]*\bsrc="' + re.escape(_INLINE) + r'([^"]+)"[^>]*>\s*</script>')
_LINK = re.compile(r'<link[^>]*\bhref="' + re.escape(_INLINE) + r'([^"]+)"[^>]*/?>')
_CSS_URL = re.compile(r"url\((['\"]?)(?!data:|#|https?:|//)([^)'\"]+)\1\)")


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _inline_css(rel: str) -> str:
    path = STATIC_DIR / rel
    text = path.read_text(encoding="utf-8")

    def repl(m: re.Match[str]) -> str:
        target = (path.parent / m.group(2)).resolve()
        return f"url({_data_uri(target)})" if target.is_file() else m.group(0)

    return "<style>\n" + _CSS_URL.sub(repl, text).replace("</style", "<\\/style") + "\n</style>"


def _inline_js(rel: str) -> str:
    text = (STATIC_DIR / rel).read_text(encoding="utf-8")
    return "<script>\n" + text.replace("</script", "<\\/script") + "\n</script>"


def standalone_html(m: folium.Map) -> str:
    """The map as one HTML page with every asset inlined (scripts, styles, icons as data URIs)."""
    localize(m, _INLINE)
    html = m.get_root().render()
    html = _SCRIPT.sub(lambda mm: _inline_js(mm.group(1)), html)
    html = _LINK.sub(lambda mm: _inline_css(mm.group(1)), html)
    leftovers = external_urls(html) | set(re.findall(re.escape(_INLINE) + r"[^\"']+", html))
    if leftovers:
        raise ValueError(f"gaps map still links to outside assets: {', '.join(sorted(leftovers))}")
    return html


def save_gaps_map(m: folium.Map, path: Path | str) -> Path:
    """Write :func:`standalone_html` of ``m`` to ``path`` (UTF-8); return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(standalone_html(m), encoding="utf-8")
    return p


class NotebookView:
    """Shows a standalone page inside a notebook output cell (an ``<iframe srcdoc>``)."""

    def __init__(self, html: str, height: int = 600) -> None:
        self.html, self.height = html, int(height)

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{escape(self.html, quote=True)}" style="width:100%;height:{self.height}px;'
                f'border:0" sandbox="allow-scripts allow-popups" title={json.dumps("map")}></iframe>')


def notebook_view(html: str, height: int = 600) -> NotebookView:
    """The page ``html`` as a notebook output (``display(notebook_view(html))`` or last expression)."""
    return NotebookView(html, height)
