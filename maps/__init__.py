"""Folium builders of villagecov's interactive maps (Vietnamese first, English second, offline).

Builders are pure — frames (:class:`maps.inputs.MapInputs`) and URL templates
(:class:`maps.contract.ApiUrls`) in, a folium map out:

- :func:`maps.province.build_province_map` — province overview;
- :func:`maps.progress.build_progress_map` — baseline vs latest vintage, side by side;
- :func:`maps.unit.build_unit_map` — one district or commune with its indicator table.

:func:`maps.assets.render_html` turns a map into HTML whose JS/CSS come from ``maps/static``
(vendored from npm, see ``static/VERSIONS.md``); :func:`maps.build.build_all_maps` is the only
place that reads a store and writes every page plus an index (``villagecov maps build``).
Labels live in :mod:`maps.i18n`.
"""
