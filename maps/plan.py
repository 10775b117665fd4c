"""The site plan on the province, district and commune maps: proposed sites of a stored plan (`villagecov plan`), fetched
by the browser from the API's ``plan`` collection (``/collections/plan/items?plan_id=…``, a few
points), drawn as numbered markers (rank = order taken) with a popup: rank, kind, cost in VND,
villages and people covered. Which plan: the latest of the ``plans`` frame at build time.

Money is VND; Vietnamese groups thousands with dots (``2.750.000.000 ₫``, ``2,75 tỷ đồng``),
English with commas (``VND 2,750,000,000``, ``2.75 billion``). Coordinates EPSG:4326.
"""

from __future__ import annotations

from html import escape
from typing import Any

import folium
import pandas as pd
from branca.element import MacroElement
from folium.map import Layer
from jinja2 import Template

from villagecov.maps.contract import ApiUrls
from villagecov.maps.elements import HtmlControl, VectorTiles, _js
from villagecov.maps.i18n import t

# Numbered rounded squares in dark colours: apart from the operators' round site dots.
KIND_COLOURS: dict[str, str] = {"colocation": "#00695c", "hilltop": "#6d4c41", "grid": "#212121"}
VILLAGES_OUTLINE = "#212121"  # villages the plan covers: a dark outline over their status colour
ITEMS_LIMIT = 1000  # a plan proposes tens of sites, not thousands


def _group(digits: str, sep: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    return sep.join([digits, *out])


def format_vnd(value: float | None, lang: str = "vi") -> str:
    """``2750000000`` → ``"2.750.000.000 ₫"`` (vi) / ``"VND 2,750,000,000"`` (en); ``–`` for nothing."""
    if value is None or pd.isna(value):
        return "–"
    n = round(float(value))
    text = ("-" if n < 0 else "") + _group(str(abs(n)), "." if lang == "vi" else ",")
    return f"{text} ₫" if lang == "vi" else f"VND {text}"


def format_vnd_short(value: float | None, lang: str = "vi") -> str:
    """``2750000000`` → ``"2,75 tỷ đồng"`` (vi) / ``"2.75 billion VND"`` (en); millions below 10⁹."""
    if value is None or pd.isna(value):
        return "–"
    v = float(value)
    scale, vi, en = (1e9, "tỷ đồng", "billion VND") if abs(v) >= 1e9 else (1e6, "triệu đồng", "million VND")
    number = f"{v / scale:.2f}".rstrip("0").rstrip(".")
    return f"{number.replace('.', ',')} {vi}" if lang == "vi" else f"{number} {en}"


def latest_plan(plans: pd.DataFrame | None) -> dict[str, Any] | None:
    """The newest row of a ``plans`` frame (by ``created_at``, then ``plan_id``) as a dict, or None."""
    if plans is None or plans.empty:
        return None
    row = plans.sort_values(["created_at", "plan_id"], kind="stable").iloc[-1]
    return {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in row.items() if k != "geometry"}


def plan_date(plan: dict[str, Any], lang: str) -> str:
    """The day the plan was made, in Việt Nam (UTC+7): ``26/11/2026`` (vi), ``2026-11-26`` (en)."""
    when = pd.Timestamp(plan["created_at"])
    when = (when.tz_localize("UTC") if when.tzinfo is None else when).tz_convert("Asia/Ho_Chi_Minh")
    return when.strftime("%d/%m/%Y") if lang == "vi" else when.strftime("%Y-%m-%d")


def plan_items_url(urls: ApiUrls, plan_id: str) -> str:
    from urllib.parse import quote

    return f"{urls.base.rstrip('/')}/collections/plan/items?plan_id={quote(plan_id)}&limit={ITEMS_LIMIT}"


def plan_layer_name(plan: dict[str, Any], lang: str) -> str:
    """``Trạm đề xuất (kế hoạch 4G, 26/11/2026): 2 trạm, 3,55 tỷ đồng``."""
    date = plan_date(plan, lang)
    n = int(plan.get("sites") or 0)
    return (f"{t('plan.layer', lang)} ({t('plan.plan', lang)} {plan['technology']}, {date}): "
            f"{n} {t('plan.sites_unit', lang)}, {format_vnd_short(plan.get('cost_vnd'), lang)}")


class PlanSites(Layer):
    """Proposed sites fetched from the API as GeoJSON, numbered markers with popups."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        (function (group, cfg) {
          var L10N = cfg.labels;
          function grp(n, sep) { return String(n).replace(/\\B(?=(\\d{3})+(?!\\d))/g, sep); }
          function vnd(x) {
            if (x === null || x === undefined || isNaN(Number(x))) return "–";
            var n = Math.round(Number(x)), s = (n < 0 ? "-" : "") + grp(Math.abs(n), cfg.lang === "vi" ? "." : ",");
            return cfg.lang === "vi" ? s + " ₫" : "VND " + s;
          }
          function num(x, d) {
            if (x === null || x === undefined || isNaN(Number(x))) return "–";
            var s = Number(x).toFixed(d || 0).split("."), sep = cfg.lang === "vi" ? [".", ","] : [",", "."];
            return grp(s[0], sep[0]) + (s[1] ? sep[1] + s[1] : "");
          }
          function esc(s) {
            return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
              return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]; });
          }
          function row(k, v) { return "<tr><th>" + esc(L10N[k]) + "</th><td>" + v + "</td></tr>"; }
          function add(f) {
            var p = f.properties || {}, c = f.geometry && f.geometry.coordinates;
            if (!c) return;
            var colour = cfg.colours[p.candidate_kind] || "#444";
            var icon = L.divIcon({className: "vc-plan-site", iconSize: [22, 22], iconAnchor: [11, 11],
              html: '<div style="width:20px;height:20px;border-radius:4px;border:2px solid #fff;' +
                    'box-shadow:0 0 2px #000;background:' + colour + ';color:#fff;font:bold 11px/20px sans-serif;' +
                    'text-align:center">' + esc(p.rank) + "</div>"});
            var kind = L10N["plan.kind." + p.candidate_kind] || p.candidate_kind;
            var h = '<div class="vc-popup vc-plan-popup"><div class="vc-popup-title">' + esc(L10N["plan.site"]) +
              " #" + esc(p.rank) + '</div><table class="vc-kv">' +
              row("plan.rank", esc(p.rank)) + row("plan.kind", esc(kind)) +
              (p.site_id ? row("plan.existing_site", esc(p.site_id)) : "") +
              row("plan.cost", vnd(p.cost_vnd)) + row("plan.capex", vnd(p.capex_vnd)) +
              row("plan.opex", vnd(p.opex_vnd_per_year)) +
              row("plan.backhaul", esc(L10N["plan.backhaul." + p.backhaul] || p.backhaul || "–")) +
              row("plan.villages", num(p.villages_covered)) + row("plan.population", num(p.population_covered)) +
              "</table></div>";
            L.marker([c[1], c[0]], {icon: icon, title: kind + " #" + p.rank}).bindPopup(h).addTo(group);
          }
          fetch(cfg.url, {headers: {Accept: "application/geo+json"}})
            .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
            .then(function (fc) {
              (fc.features || []).forEach(add);
              // the panel lists each site with the villages it covers (app.js VC.planList)
              window.VC = window.VC || {};
              VC.planFeatures = fc.features || [];
              {{ this._parent.get_name() }}.fire("vc:plan", {features: VC.planFeatures});
            })
            .catch(function (e) { console.warn("villagecov: plan not loaded", cfg.url, e); });
        })({{ this.get_name() }}, {{ this.config }});
        {% endmacro %}"""
    )

    def __init__(self, url: str, name: str, lang: str, *, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, show=show)
        self._name = "PlanSites"
        keys = ["plan.site", "plan.rank", "plan.kind", "plan.existing_site", "plan.cost", "plan.capex", "plan.opex",
                "plan.backhaul", "plan.villages", "plan.population"]
        keys += [f"plan.kind.{k}" for k in KIND_COLOURS]
        keys += [f"plan.backhaul.{k}" for k in ("existing", "fibre", "microwave")]
        self.config = _js({"url": url, "lang": lang, "colours": KIND_COLOURS, "labels": {k: t(k, lang) for k in keys}})


class PlanNote(MacroElement):
    """Nothing visible: marks the page with the plan shown (``data-vc-plan`` on the map container)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.getContainer().setAttribute("data-vc-plan", {{ this.plan_id }});
        {% endmacro %}"""
    )

    def __init__(self, plan_id: str) -> None:
        super().__init__()
        self._name = "PlanNote"
        self.plan_id = _js(plan_id)


def _count(n: int, unit: str, lang: str) -> str:
    """``3 thôn`` / ``3 villages``, ``1 village``: English singular for one (Vietnamese has none)."""
    word = t(f"plan.{unit}_unit", lang)
    return f"{n} {word[:-1] if lang == 'en' and n == 1 and word.endswith('s') else word}"


def unit_line(plan: dict[str, Any], unit_name: str, plan_villages: pd.DataFrame, lang: str) -> str:
    """What the plan brings to one district or commune: ``Trong Xã Dân Hóa: 1 thôn · 120 người``.
    ``plan_villages``: rows of the ``plan_villages`` table for the unit's villages (any plan)."""
    rows = plan_villages[plan_villages["plan_id"].astype(str) == str(plan["plan_id"])]
    rows = rows.drop_duplicates("village_id")
    if rows.empty:
        return f"{t('plan.in_unit', lang)} {unit_name}: {t('plan.none_in_unit', lang)}"
    people = _group(str(round(float(pd.to_numeric(rows["population"]).fillna(0).sum()))), "." if lang == "vi" else ",")
    return f"{t('plan.in_unit', lang)} {unit_name}: {_count(len(rows), 'villages', lang)} · {people} {t('plan.people_unit', lang)}"


def plan_legend_html(plan: dict[str, Any], lang: str, unit: str | None = None) -> str:
    """A small legend of the plan: its totals (and ``unit``: a line for the unit the map shows),
    the marker colour of each kind, the village outline."""
    date = plan_date(plan, lang)
    sep = "." if lang == "vi" else ","
    people = _group(str(round(float(plan.get("population_covered") or 0))), sep)
    totals = (f"{_count(int(plan.get('sites') or 0), 'sites', lang)} · {format_vnd_short(plan.get('cost_vnd'), lang)}"
              f" · {_count(int(plan.get('villages_covered') or 0), 'villages', lang)} · {people} "
              f"{t('plan.people_unit', lang)}")
    if unit is not None:
        totals = f"{t('plan.province_totals', lang)}: {totals}"
    rows = "".join(
        f'<div><span class="vc-sw" style="background:{c};border-radius:3px"></span>{escape(t(f"plan.kind.{k}", lang))}</div>'
        for k, c in KIND_COLOURS.items())
    rows += (f'<div><span class="vc-sw" style="background:transparent;border:2px solid {VILLAGES_OUTLINE}"></span>'
             f'{escape(t("plan.villages_layer", lang))}</div>')
    title = f"{t('plan.legend', lang)} {plan['technology']} ({date})"
    return (f'<details class="vc-legend vc-plan-legend" open><summary class="vc-title">{escape(title)}</summary>'
            f'<div>{escape(totals)}</div>'
            + (f'<div class="vc-plan-unit"><b>{escape(unit)}</b></div>' if unit is not None else "")
            + f'<div class="vc-muted">{escape(t("plan.rank_note", lang))}</div>{rows}</details>')


def plan_villages_tiles_url(urls: ApiUrls, plan_id: str) -> str:
    from urllib.parse import quote

    return urls.collection_tiles("plan-villages") + f"?plan_id={quote(plan_id)}"


def add_plan(
    m: folium.Map, plans: pd.DataFrame | None, urls: ApiUrls, lang: str,
    unit: tuple[str, pd.DataFrame] | None = None,
) -> dict[str, Any] | None:
    """Add the latest plan when a plan exists: the villages it covers (outlined, vector tiles of the
    ``plan-villages`` collection) and its proposed sites (items GeoJSON); returns that plan.
    ``unit``: (name, plan_villages rows of its villages) on a district or commune map — the legend
    then says what the plan brings to that unit beside the province's totals. The sites are the
    whole province's either way: one outside the unit may cover its villages."""
    plan = latest_plan(plans)
    if plan is None:
        return None
    VectorTiles(plan_villages_tiles_url(urls, str(plan["plan_id"])), t("plan.villages_layer", lang),
                fill_color=VILLAGES_OUTLINE, fill_opacity=0.0, weight=2.5, color=VILLAGES_OUTLINE,
                id_prop="village_id").add_to(m)
    PlanSites(plan_items_url(urls, str(plan["plan_id"])), plan_layer_name(plan, lang), lang).add_to(m)
    PlanNote(str(plan["plan_id"])).add_to(m)
    line = None if unit is None else unit_line(plan, unit[0], unit[1], lang)
    HtmlControl(plan_legend_html(plan, lang, line), position="bottomright").add_to(m)
    return plan

