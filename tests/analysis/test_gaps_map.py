"""The gaps map (maps/gaps.py): inline data, every asset inlined, SYNTHETIC banner, notebook view."""

from __future__ import annotations

import json
from pathlib import Path

from tests.analysis import frames as F
from villagecov.analysis import name_communes, rank_gaps, unit_gaps, village_gaps, village_status
from villagecov.maps.assets import external_urls
from villagecov.maps.gaps import GAP_COLOURS, build_gaps_map, notebook_view, save_gaps_map, standalone_html

BANNER = 'b.className = "vc-banner"'


def _inputs():
    status = village_status(F.village_summary(), F.village_indicator_rows(), F.villages())
    ranked = name_communes(rank_gaps(village_gaps(status)), F.admin_units())
    au = F.admin_units()
    province = au[(au["level"] == "province") & (au["version"] == "2019")]
    communes = au[(au["level"] == "commune") & (au["version"] == "2019")]
    return ranked, province, communes, unit_gaps(status, au, F.crosswalk(), "2019", "commune")


def test_standalone_page_is_offline_and_carries_the_ranked_villages(tmp_path: Path) -> None:
    ranked, province, communes, commune_gaps = _inputs()
    m = build_gaps_map(ranked, province, communes, lang="en", synthetic=True, commune_gaps=commune_gaps,
                       shortlist_n=2)
    path = save_gaps_map(m, tmp_path / "maps" / "SYNTHETIC_gaps.html")
    html = path.read_text(encoding="utf-8")
    assert external_urls(html) == set()
    assert "vc-inline:" not in html and "/maps/static/" not in html
    assert "L.map(" in html and "data:image/png;base64," in html  # Leaflet inline, its icons as data URIs
    assert BANNER in html  # the SYNTHETIC banner
    for name in ranked["name"]:
        assert json.dumps(name)[1:-1] in html or name in html
    assert GAP_COLOURS["no_signal"] in html and "Shortlist (2)" in html
    assert "Villages without 4G" in html


def test_map_without_commune_shading_and_in_vietnamese() -> None:
    ranked, province, communes, _ = _inputs()
    html = standalone_html(build_gaps_map(ranked, province, communes, shortlist_n=0))
    assert "Thôn chưa có 4G" in html or json.dumps("Thôn chưa có 4G")[1:-1] in html
    assert "Danh sách ưu tiên" not in html and json.dumps("Danh sách ưu tiên")[1:-1] not in html
    assert BANNER not in html


def test_notebook_view_escapes_the_page_into_an_iframe() -> None:
    view = notebook_view('<p class="x">a & b</p>', height=300)
    out = view._repr_html_()
    assert out.startswith("<iframe srcdoc=") and "&lt;p class=&quot;x&quot;&gt;a &amp; b&lt;/p&gt;" in out
    assert "height:300px" in out
