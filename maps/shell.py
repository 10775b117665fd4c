"""The page shell of a map: panel with question views, grouped layers, a legend that follows the
visible layers, villages in view, the plan's sites, print/share, breadcrumbs, period selector,
URL state, search over villages, communes and districts (``static/villagecov/app.js``).

:func:`add_shell` is called last by each builder: it collects the map's layers (name, group,
shown or not) so that the browser manages them itself (no Leaflet layer control). Pure: frames in,
folium elements out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.map import Layer
from jinja2 import Template

from villagecov.maps.elements import APP_JS, _js
from villagecov.maps.i18n import t, t_opt
from villagecov.maps.inputs import MapInputs
from villagecov.maps.layers import gap_frame, representative_points, shares_4g_at
from villagecov.schema import LATEST

# layer name prefix (label key) -> group; the first match wins, anything else is "coverage"
GROUP_KEYS: tuple[tuple[str, str], ...] = (
    ("layer.services", "task9"),
    ("layer.service", "task9"),
    ("layer.sites", "infrastructure"),
    ("layer.infrastructure", "infrastructure"),
    ("plan.layer", "plan"),
    ("plan.villages_layer", "plan"),
    ("layer.declared", "evidence"),
    ("layer.predicted", "evidence"),
    ("layer.challenges", "evidence"),
    ("layer.communes", "boundaries"),
    ("layer.districts", "boundaries"),
)
GROUP_ORDER = ("coverage", "task9", "infrastructure", "plan", "evidence", "boundaries", "base")


def group_of(name: str, overlay: bool, lang: str) -> str:
    if not overlay:
        return "base"
    for key, group in GROUP_KEYS:
        if name.startswith(t(key, lang)):
            return group
    return "coverage"


@dataclass
class ShellConfig:
    """What the shell shows besides the layers (all optional)."""

    title: str
    lang: str
    alternate_url: str | None = None
    synthetic: bool = False
    sources: list[str] = field(default_factory=list)
    built: str = ""
    period: str = ""
    periods: list[str] = field(default_factory=list)
    period_classes: dict[str, dict[str, str]] = field(default_factory=dict)
    periodic_layers: tuple[str, ...] = ()  # layer names recoloured by the period selector
    views: list[dict[str, Any]] = field(default_factory=list)
    villages: list[list[Any]] = field(default_factory=list)
    classes: dict[str, str] = field(default_factory=dict)
    crumbs: list[tuple[str, str | None]] = field(default_factory=list)
    children: list[tuple[str, str]] = field(default_factory=list)
    extra_links: list[tuple[str, str]] = field(default_factory=list)
    plan_layer: str | None = None
    drawer_open: bool = True
    csv_name: str = "villages"
    challenge_url: str | None = None
    bounds: list[list[float]] | None = None  # [[south, west], [north, east]] to fit beside the panel
    plan_site_label: str = ""  # "Trạm đề xuất" when the page shows a plan


class Shell(MacroElement):
    """Calls ``VC.shell(map, cfg)`` with the map's layers (JS variables) and ``cfg``."""

    default_js = [APP_JS]
    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
          var cfg = {{ this.config }};
          cfg.layers = [{{ this.layers }}];
          VC.shell({{ this._parent.get_name() }}, cfg);
        })();
        {% endmacro %}"""
    )

    def __init__(self, config: dict[str, Any], layers: list[tuple[dict[str, Any], str]]) -> None:
        super().__init__()
        self._name = "Shell"
        self.config = _js(config)
        self.layers = ",".join(f"Object.assign({_js(meta)}, {{layer: {var}}})" for meta, var in layers)


class ChallengeLayer(Layer):
    """Villages with open challenges (``GET {url}/villages``), a magenta "!" at each village's point;
    the points come from the shell's village list. The report form posts to ``url`` (app.js)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        VC.challengeLayer({{ this.get_name() }}, {{ this.url }});
        {% endmacro %}"""
    )

    def __init__(self, url: str, name: str, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, show=show)
        self._name = "ChallengeLayer"
        self.url = _js(url)


def map_layers(
    m: folium.Map, lang: str, periodic: tuple[str, ...] = (), prefix: str = ""
) -> list[tuple[dict[str, Any], str]]:
    """(meta, JS variable) of every named layer of ``m``, in group order then page order.

    ``prefix``: shown before each name (the side of a two-map page); the legend matches names without it."""
    out = []
    for child in m._children.values():
        if not isinstance(child, Layer) or not getattr(child, "control", True):
            continue
        name = str(child.layer_name)
        group = group_of(name, bool(child.overlay), lang)
        meta = {
            "name": prefix + name,
            "key": name,
            "group": group,
            "base": not child.overlay,
            "show": bool(child.show),
            "periodic": name in periodic,
            # point layers over the villages: a click opens the village, as on its polygon
            "villageClicks": name in (t("layer.gaps", lang), t("layer.remote", lang)),
        }
        var = child.get_name()
        out.append((meta, f"{var}, map: {m.get_name()}" if prefix else var))
    return sorted(out, key=lambda p: GROUP_ORDER.index(p[0]["group"]))


def village_rows(data: MapInputs, classes: dict[str, str]) -> list[list[Any]]:
    """``[id, name, commune, lat, lon, population, people without 4G]`` of every village (list, CSV)."""
    villages = data.villages
    if villages.empty:
        return []
    gaps = gap_frame(villages, classes, shares_4g_at(data, LATEST))
    uncovered = dict(zip(gaps["village_id"].astype(str), gaps["uncovered"].astype(int), strict=True))
    names = data.commune_names
    pts = representative_points(villages)
    rows = []
    for vid, name, code, pop, p in zip(
        villages["village_id"].astype(str),
        villages["name"],
        villages["commune_code"],
        villages["population"],
        pts,
        strict=True,
    ):
        people = 0 if pop is None or pop != pop else int(pop)
        rows.append(
            [
                vid,
                str(name),
                names.get(str(code), ""),
                round(p.y, 5),
                round(p.x, 5),
                people,
                uncovered.get(vid, 0),
            ]
        )
    return rows


def unit_rows(
    units: gpd.GeoDataFrame | None, kind: str, href, context: dict[str, str] | None = None
) -> list[list[Any]]:
    """Search rows ``[code, name, context, lat, lon, kind, href]`` of districts or communes."""
    if units is None or units.empty:
        return []
    pts = units.geometry.representative_point()
    return [
        [str(c), str(n), (context or {}).get(str(pc), ""), round(p.y, 5), round(p.x, 5), kind, href(str(c))]
        for c, n, pc, p in zip(
            units["code"], units["name"], units.get("parent_code", units["code"]), pts, strict=True
        )
    ]


def sources_of(data: MapInputs, limit: int = 6) -> list[str]:
    """Distinct ``source`` values of the units, villages, coverage, services and sites shown."""
    seen: list[str] = []
    for frame in (data.communes, data.villages, data.coverage, data.services, data.sites):
        if frame is None or "source" not in frame.columns:
            continue
        for s in frame["source"].dropna().astype(str):
            if s and s not in seen:
                seen.append(s)
    return seen[:limit] + (["…"] if len(seen) > limit else [])


def bounds_of(frame: gpd.GeoDataFrame) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of ``frame`` (EPSG:4326), for Leaflet's fitBounds."""
    if frame is None or frame.empty:
        return None
    minx, miny, maxx, maxy = (float(v) for v in frame.total_bounds)
    return [[miny, minx], [maxy, maxx]]


def today() -> str:
    return dt.date.today().isoformat()


def add_shell(
    m: folium.Map,
    cfg: ShellConfig,
    search: list[list[Any]] | None = None,
    layers: list[tuple[dict[str, Any], str]] | None = None,
) -> None:
    """Search control (villages, communes, districts) and the shell, after every layer of ``m``."""
    from villagecov.maps.elements import VillageSearch

    if search is not None:
        VillageSearch(search).add_to(m)
    config = {
        "title": cfg.title,
        "lang": cfg.lang,
        "altUrl": cfg.alternate_url,
        "altLang": "en" if cfg.lang == "vi" else "vi",
        "synthetic": cfg.synthetic,
        "sources": cfg.sources,
        "built": cfg.built,
        "period": cfg.period,
        "periods": cfg.periods,
        "periodClasses": cfg.period_classes,
        "views": cfg.views,
        "villages": cfg.villages,
        "classes": cfg.classes,
        "crumbs": [[n, h] for n, h in cfg.crumbs],
        "children": [[n, h] for n, h in cfg.children],
        "extraLinks": [[n, h] for n, h in cfg.extra_links],
        "planLayer": cfg.plan_layer,
        "drawerOpen": cfg.drawer_open,
        "csvName": cfg.csv_name,
        "challengeUrl": cfg.challenge_url,
        "bounds": cfg.bounds,
        "planSiteLabel": cfg.plan_site_label,
    }
    Shell(config, map_layers(m, cfg.lang, cfg.periodic_layers) if layers is None else layers).add_to(m)


def service_layer_name(service: str, lang: str) -> str:
    return f"{t('layer.service', lang)}: {t_opt('service', service, lang)}"
