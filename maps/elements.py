"""folium elements of villagecov: vector tiles, village search, legend/panels, banner, minimap.

Each element only writes a few lines of JS calling ``VC.*`` helpers from
``static/villagecov/villagecov.js``; assets are named ``vc:PATH`` and made local by
:func:`maps.assets.localize`. Coordinates are EPSG:4326 (lat/lon degrees for Leaflet).
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from jinja2 import Template

from villagecov.maps.i18n import js_labels

VECTORGRID_JS = ("vectorgrid", "vc:leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js")
VC_JS = ("villagecov_js", "vc:villagecov/villagecov.js")
VC_CSS = ("villagecov_css", "vc:villagecov/villagecov.css")
APP_JS = ("villagecov_app_js", "vc:villagecov/app.js")


def _js(value: Any) -> str:
    """JSON for a ``<script>`` block (``</`` escaped so that data cannot close the tag)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


class Config(JSCSSMixin, MacroElement):
    """Loads VectorGrid + our JS/CSS and gives the page its labels and the village URL template.

    Add it to the map before any other villagecov element.
    """

    default_js = [VECTORGRID_JS, VC_JS, APP_JS]
    default_css = [VC_CSS]
    _template = Template(
        """{% macro header(this, kwargs) %}<link rel="icon" href="data:,">{% endmacro %}
        {% macro script(this, kwargs) %}
        document.documentElement.lang = {{ this.lang }};
        VC.configure({{ this.config }});
        {% endmacro %}"""
    )

    def __init__(self, lang: str, village_url: str, commune_names: dict[str, str] | None = None) -> None:
        super().__init__()
        self._name = "VCConfig"
        self.lang = _js(lang)
        self.config = _js(
            {"lang": lang, "labels": js_labels(lang), "villageUrl": village_url, "communeNames": commune_names or {}}
        )


class VectorTiles(JSCSSMixin, Layer):
    """An MVT layer (Leaflet.VectorGrid) styled by class lookup or a flat colour.

    ``url``: template with ``{z}/{x}/{y}`` placeholders (any order in the path).
    ``classes``: feature id (``id_prop``) → class; ``palette``: class → colour.
    ``filter``: property → value a feature must have to be drawn (checked when present).
    ``village_clicks``: clicking a feature opens the village popup fetched from the API.
    ``status_fallback``: ids missing from ``classes`` get their class from the tile's
    ``status_5g`` … ``status_2g`` attributes (the API's villages collection carries them).
    """

    default_js = [VECTORGRID_JS, VC_JS]
    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = VC.vectorLayer({{ this.url }}, {{ this.opts }});
        {%- if this.village_clicks %}
        VC.bindVillageClicks({{ this._parent.get_name() }}, {{ this.get_name() }}, {{ this.id_prop }});
        {%- endif %}
        {% endmacro %}"""
    )

    def __init__(
        self,
        url: str,
        name: str,
        *,
        classes: dict[str, str] | None = None,
        palette: dict[str, str] | None = None,
        id_prop: str = "village_id",
        filter: dict[str, str] | None = None,
        fill_color: str | None = None,
        fill_opacity: float = 0.6,
        weight: float = 0.5,
        color: str = "#555555",
        village_clicks: bool = False,
        status_fallback: bool = False,
        hide_unlisted: bool = False,
        max_native_zoom: int = 16,
        min_zoom: int = 0,
        pane: str = "overlayPane",
        overlay: bool = True,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=overlay, show=show)
        self._name = "VectorTiles"
        self.url = _js(url)
        self.id_prop = _js(id_prop)
        self.village_clicks = village_clicks
        opts: dict[str, Any] = {
            "idProp": id_prop,
            "fillOpacity": fill_opacity,
            "weight": weight,
            "color": color,
            "interactive": village_clicks,
            "maxNativeZoom": max_native_zoom,
            "minZoom": min_zoom,
            "pane": pane,
        }
        if classes is not None:
            opts["classes"] = classes
            opts["palette"] = palette or {}
            opts["statusFallback"] = status_fallback
            opts["hideUnlisted"] = hide_unlisted
        if filter:
            opts["filter"] = filter
        if fill_color:
            opts["fillColor"] = fill_color
        self.opts = _js(opts)


class HtmlControl(MacroElement):
    """A Leaflet control showing fixed HTML (legend, title, language switch, indicator panel).

    ``html`` is trusted markup built by the builders from escaped values.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
          var ctl = L.control({position: {{ this.position }}});
          ctl.onAdd = function () {
            var div = L.DomUtil.create("div", {{ this.css_class }});
            div.innerHTML = {{ this.html }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
          };
          ctl.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}"""
    )

    def __init__(self, html: str, position: str = "bottomleft", css_class: str = "vc-box") -> None:
        super().__init__()
        self._name = "HtmlControl"
        self.html = _js(html)
        self.position = _js(position)
        self.css_class = _js(css_class)


class Banner(MacroElement):
    """A fixed red banner at the top of the page (the SYNTHETIC data warning)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
          var b = document.createElement("div");
          b.className = "vc-banner";
          b.setAttribute("role", "alert");
          b.textContent = {{ this.text }};
          document.body.appendChild(b);
          document.body.classList.add("vc-has-banner");
        })();
        {% endmacro %}"""
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Banner"
        self.text = _js(text)


class VillageSearch(MacroElement):
    """Search box over an inline index ``[[id, name, context, lat, lon, kind, href], …]`` (EPSG:4326):
    villages, communes and districts (``kind``); a unit with ``href`` opens its page."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        VC.searchControl({{ this._parent.get_name() }}, {{ this.index }}, {position: "topleft"});
        {% endmacro %}"""
    )

    def __init__(self, index: list[list[Any]]) -> None:
        super().__init__()
        self._name = "VillageSearch"
        self.index = _js(index)


class OutlineMiniMap(JSCSSMixin, MacroElement):
    """Leaflet.MiniMap drawing an inline GeoJSON outline instead of tiles (works offline)."""

    default_js = [("minimap_js", "vc:leaflet-minimap/Control.MiniMap.min.js"), VC_JS]
    default_css = [("minimap_css", "vc:leaflet-minimap/Control.MiniMap.min.css")]
    _template = Template(
        """{% macro script(this, kwargs) %}
        VC.outlineMiniMap({{ this._parent.get_name() }}, {{ this.geojson }});
        {% endmacro %}"""
    )

    def __init__(self, geojson: dict[str, Any]) -> None:
        super().__init__()
        self._name = "OutlineMiniMap"
        self.geojson = _js(geojson)
