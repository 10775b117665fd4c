"""``dashboard.html``: the provincial leadership's page, and the reference client of the API.

Plain HTML + ``static/villagecov/dashboard.js``: indicator cards with trend arrows, a
progress-vs-target chart per task (inline SVG, no chart library), the ten communes with the most
villages without 4G. Every figure is read live from the API (``/indicators``,
``/indicators/{id}/series``); the page carries only labels and where the API is.
"""

from __future__ import annotations

from html import escape

from villagecov.maps.contract import ApiUrls
from villagecov.maps.elements import _js
from villagecov.maps.i18n import INDICATOR_ORDER, js_labels, t
from villagecov.maps.inputs import MapInputs

# The cards: the headline indicators of tasks 8 and 9 (others appear in the charts when present).
CARD_INDICATORS = (
    "t8.villages_4g_share",
    "t8.population_4g_share",
    "t8.remote_villages_4g_share",
    "t8.villages_no_signal",
    "t9.villages_internet_share",
    "t9.villages_all_services_share",
)


def dashboard_html(
    data: MapInputs, urls: ApiUrls, lang: str, *, alternate_url: str | None = None, asset_prefix: str = "static/"
) -> str:
    """The dashboard page in ``lang``; ``urls.base`` is where the browser finds the API."""
    title = t("dash.title", lang)
    other = "en" if lang == "vi" else "vi"
    config = {
        "lang": lang,
        "labels": js_labels(lang),
        "api": urls.base.rstrip("/"),
        "boundaries": data.boundary_version,
        "cards": list(CARD_INDICATORS),
        "order": list(INDICATOR_ORDER),
        "communePage": "commune-{code}.html" if lang == "vi" else "commune-{code}.en.html",
    }
    banner = f'<div class="vc-banner-static" role="alert">{escape(t("synthetic.banner", lang))}</div>' if data.synthetic else ""
    switch = (f'<a href="{escape(alternate_url)}" hreflang="{other}" lang="{other}">{escape(t("lang.switch", lang))}</a>'
              if alternate_url else "")
    province = str(data.province["name"].iloc[0]) if len(data.province) else ""
    return "".join([
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><link rel="icon" href="data:,">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f'<link rel="stylesheet" href="{asset_prefix}villagecov/dashboard.css"></head><body class="vc-dash">',
        f'<a class="vc-skip" href="#vc-cards">{escape(t("dash.cards", lang))}</a>',
        banner,
        f'<header><h1>{escape(title)}</h1><p class="vc-dash-sub">{escape(province)} · '
        f'<a href="{"index.html" if lang == "vi" else "index.en.html"}">{escape(t("title.index", lang))}</a> · {switch}</p></header>',
        f'<main><p id="vc-dash-status" role="status">{escape(t("dash.loading", lang))}</p>',
        f'<section aria-labelledby="h-cards"><h2 id="h-cards">{escape(t("dash.cards", lang))}</h2>'
        '<div id="vc-cards" class="vc-cards" tabindex="-1"></div></section>',
        f'<section aria-labelledby="h-progress"><h2 id="h-progress">{escape(t("dash.progress", lang))}</h2>'
        '<div id="vc-charts" class="vc-charts"></div></section>',
        f'<section aria-labelledby="h-gaps"><h2 id="h-gaps">{escape(t("dash.gaps", lang))}</h2>'
        '<div id="vc-gaps"></div></section></main>',
        f'<footer class="vc-dash-foot">{escape(t("dash.live", lang))}</footer>',
        f"<script>window.VC_DASH = {_js(config)};</script>",
        f'<script src="{asset_prefix}villagecov/dashboard.js"></script></body></html>',
    ])
