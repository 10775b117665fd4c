"""The page shell in headless Chromium, on a desktop (1280×800) and a phone (390×844, touch):
search tappable and keyboard-usable, no horizontal overflow, touch targets and text sizes on the
phone, popups in a bottom sheet, the URL restores the same view, print emulation, the legend
following the layers, question views, the villages-in-view list and its CSV, the period selector,
Vietnamese controls and ARIA names."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.maps.sample import village_centre
from tests.maps.test_browser import Session
from villagecov.maps.i18n import t
from villagecov.maps.palette import CLASS_COLOURS, contrast_ratio

pytestmark = pytest.mark.browser

DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2},
}


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def shell(browser, live_server: str, device: str) -> Iterator[Session]:
    context = browser.new_context(locale="vi-VN", accept_downloads=True, **DEVICES[device])
    page = context.new_page()
    s = Session(page, live_server)
    page.on("console", lambda m: s.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: s.errors.append(f"pageerror: {e}"))
    page.on("request", lambda r: s.requests.append(r.url))
    page.on("response", lambda r: s.responses.append((r.status, r.url)))
    s.device = device  # type: ignore[attr-defined]
    try:
        yield s
    finally:
        context.close()


def no_overflow(s: Session) -> None:
    width = s.page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert width[0] <= width[2] and width[1] <= width[2], width


def layer_toggle(s: Session, name: str):
    """The checkbox row of layer ``name`` in the panel's grouped layer list."""
    row = s.page.locator(".vc-layer").filter(has=s.page.get_by_text(name, exact=True))
    for i in (2, 1):  # the "layers" section, then the layer's group
        details = row.locator(f"xpath=ancestor::details[{i}]")
        if not details.evaluate("d => d.open"):
            details.locator("xpath=./summary").click()
    return row


def open_panel(s: Session) -> None:
    if s.page.evaluate("!document.body.classList.contains('vc-drawer-open')"):
        s.page.locator(".vc-drawer-toggle").click()
    s.page.wait_for_function("document.querySelector('.vc-drawer').getBoundingClientRect().width > 0")


@pytest.mark.parametrize("page_name", ["province.html", "progress.html", "commune-0101.html", "district-01.html"])
def test_no_horizontal_overflow_and_vietnamese_controls(shell: Session, page_name: str) -> None:
    s = shell
    s.goto(page_name)
    no_overflow(s)
    assert s.page.locator(".leaflet-control-zoom-in").first.get_attribute("title") == "Phóng to"
    assert s.page.locator(".leaflet-control-zoom-out").first.get_attribute("aria-label") == "Thu nhỏ"
    scale = " ".join(s.page.locator(".leaflet-control-scale-line").all_text_contents())
    assert "km" in scale or " m" in scale
    assert "mi" not in scale and "ft" not in scale  # metric only
    open_panel(s)
    no_overflow(s)
    s.assert_clean()


def test_search_is_tappable_and_keyboard_usable(shell: Session, artifacts: Path) -> None:
    s = shell
    s.goto("province.html")
    box = s.page.locator("#vc-search-input").bounding_box()
    assert box is not None and box["y"] >= 0 and box["x"] >= 0
    vw = s.page.viewport_size["width"]
    assert box["x"] + box["width"] <= vw
    # nothing covers the search box: the element at its centre is the input itself
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert s.page.evaluate(f"document.elementFromPoint({cx}, {cy}).id") == "vc-search-input"
    if s.device == "phone":  # type: ignore[attr-defined]
        assert box["height"] >= 44
        s.page.tap("#vc-search-input")
    else:
        # keyboard only: the skip link is the first tab stop and leads to the search box
        s.page.keyboard.press("Tab")
        assert s.page.evaluate("document.activeElement.className") == "vc-skip"
        s.page.keyboard.press("Enter")
    assert s.page.evaluate("document.activeElement.id") == "vc-search-input"
    s.page.keyboard.type("trong hoa")
    hits = s.page.locator("#vc-search-results [role=option]")
    assert hits.first.get_attribute("data-kind") == "commune" and "Xã Trọng Hóa" in hits.first.text_content()
    assert s.page.locator("#vc-search-input").get_attribute("aria-expanded") == "true"
    s.page.keyboard.press("ArrowDown")
    assert hits.first.get_attribute("aria-selected") == "true"
    assert s.page.locator("#vc-search-input").get_attribute("aria-activedescendant") == hits.first.get_attribute("id")
    with s.page.expect_navigation():
        s.page.keyboard.press("Enter")
    assert s.page.url.split("#")[0].endswith("/maps/commune-0101.html")
    s.page.wait_for_load_state("networkidle")
    # a village by keyboard, without diacritics: its details open (popup or bottom sheet)
    s.page.locator("#vc-search-input").fill("doc may")
    s.page.locator("#vc-search-input").press("ArrowDown")
    s.page.locator("#vc-search-input").press("Enter")
    target = ".vc-sheet-body" if s.device == "phone" else ".leaflet-popup-content"  # type: ignore[attr-defined]
    s.page.wait_for_function(f"(document.querySelector('{target}') || {{}}).innerText?.includes('Vùng sâu, vùng xa')",
                             timeout=10000)
    assert "Bản Dốc Mây" in s.page.locator(target).inner_text()
    s.assert_clean()


def test_every_hit_is_reachable(shell: Session) -> None:
    s = shell
    s.goto("province.html")
    s.page.evaluate("VC.searchPage = 3")  # a short page: "more" must reveal the rest
    s.page.locator("#vc-search-input").fill("hoa")
    total = s.page.evaluate("VC.fold && Array.from(document.querySelectorAll('#vc-search-results [role=option]')).length")
    seen = set()
    for _ in range(10):
        seen |= set(s.page.locator(".vc-search-hit").evaluate_all("els => els.map(e => e.dataset.code)"))
        more = s.page.locator(".vc-search-more")
        if not more.count():
            break
        more.click()
    # every village, commune and district whose name contains "hoa" (folded) is listed
    expected = set(s.page.evaluate(
        "VC.searchIndex.filter(r => VC.fold(r[1] + ' ' + (r[2] || '')).includes('hoa')).map(r => r[0])"))
    assert total == 4 and len(expected) > 3 and seen == expected


def test_phone_targets_text_and_bottom_sheet(shell: Session, artifacts: Path) -> None:
    s = shell
    if s.device != "phone":  # type: ignore[attr-defined]
        pytest.skip("phone only")
    s.goto("province.html")
    small = s.page.evaluate(
        """Array.from(document.querySelectorAll('.leaflet-control-container a, .leaflet-control-container button, '
             + '.leaflet-control-container input, .vc-drawer-toggle'))
           .filter(e => e.offsetParent !== null)
           .map(e => [e.className || e.tagName, e.getBoundingClientRect().width, e.getBoundingClientRect().height])
           .filter(r => r[1] < 43.5 || r[2] < 43.5)""")
    assert not small, small
    s.page.screenshot(path=str(artifacts / "phone.province.png"))
    lon, lat = village_centre("V3")
    [m] = s.maps()
    s.click_lonlat(m, lon, lat)
    s.page.wait_for_function("(document.querySelector('.vc-sheet-body') || {}).innerText?.includes('Phủ sóng')")
    sheet = s.page.locator(".vc-sheet").bounding_box()
    assert sheet["x"] >= 0 and sheet["x"] + sheet["width"] <= 390 and sheet["y"] + sheet["height"] <= 844 + 1
    assert s.page.locator(".leaflet-popup").count() == 0  # no popup over the map
    close = s.page.locator(".vc-sheet-close").bounding_box()
    assert close["width"] >= 44 and close["height"] >= 44 and close["x"] + close["width"] <= 390
    grid = s.page.locator(".vc-sheet .vc-grid").first.bounding_box()
    assert grid["x"] + grid["width"] <= 390  # the 5G column is on screen
    s.page.screenshot(path=str(artifacts / "phone.sheet.png"))
    open_panel(s)
    tiny = s.page.evaluate(
        """Array.from(document.querySelectorAll('.vc-drawer *, .vc-sheet *, .leaflet-control-container *'))
             .filter(e => !e.closest('[aria-hidden=true], svg'))  // map symbols (letters in a marker) are not text
             .filter(e => e.offsetParent !== null && e.childNodes.length
                     && Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
             .map(e => [e.tagName, e.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(e).fontSize)])
             .filter(r => r[2] < 14)""")
    assert not tiny, tiny
    targets = s.page.evaluate(
        """Array.from(document.querySelectorAll('.vc-drawer button, .vc-drawer select, .vc-drawer summary, .vc-layer'))
             .filter(e => e.offsetParent !== null)
             .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
             .filter(r => r[1] < 43.5)""")  # sub-pixel layout
    assert not targets, targets
    no_overflow(s)
    s.assert_clean()


def test_url_restores_the_same_view(shell: Session, browser) -> None:
    s = shell
    s.goto("province.html")
    [m] = s.maps()
    s.page.evaluate(f"window[{m!r}].setView([17.45, 106.3], 12, {{animate: false}})")
    open_panel(s)
    layer_toggle(s, t("layer.remote", "vi")).click()  # off
    layer_toggle(s, t("layer.districts", "vi") + " (phiên bản 2019)").click()  # off
    s.page.locator("#vc-period").select_option("2023-01-01")
    s.page.wait_for_load_state("networkidle")
    s.page.wait_for_timeout(300)
    url = s.page.url
    assert "#map=12/17.4" in url and "period=2023-01-01" in url and "lang=vi" in url

    def state(page) -> dict:
        return page.evaluate(
            """(() => { const c = VC.current.map.getCenter();
                 return {z: VC.current.map.getZoom(), lat: c.lat.toFixed(3), lng: c.lng.toFixed(3),  // ~1 px at z12
                         on: VC.current.layers.filter(e => VC.current.map.hasLayer(e.layer)).map(e => e.name),
                         period: VC.current.state.period,
                         fills: Array.from(document.querySelectorAll('.leaflet-vcTiles-pane path')).map(p => p.getAttribute('fill'))
                           .filter((f, i, a) => a.indexOf(f) === i).sort()};
               })()""")

    before = state(s.page)
    assert t("layer.remote", "vi") not in before["on"] and before["period"] == "2023-01-01"
    other = browser.new_context(**DEVICES[s.device])  # type: ignore[attr-defined]
    try:
        page = other.new_page()
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)
        after = state(page)
        assert after == before
        assert page.evaluate("document.getElementById('vc-period').value") == "2023-01-01"
        # the language switch keeps the view
        href = page.locator("#vc-lang-link").get_attribute("href")
        assert href.startswith("province.en.html" + url[url.index("#"):].split("&")[0]) and "lang=en" in href
    finally:
        other.close()
    s.assert_clean()


def test_print_hides_controls_and_shows_the_footer(shell: Session, artifacts: Path) -> None:
    s = shell
    s.goto("province.html")
    s.page.emulate_media(media="print")
    s.page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    hidden = s.page.evaluate(
        """['.leaflet-control-zoom', '.vc-search', '.vc-drawer-toggle', '.leaflet-control-minimap', '.vc-tools',
            '.vc-views', '.vc-layers'].map(sel => [sel, Array.from(document.querySelectorAll(sel))
              .every(e => getComputedStyle(e).display === 'none' || e.offsetParent === null)])""")
    assert all(ok for _, ok in hidden), hidden
    footer = s.page.locator("#vc-print-footer")
    assert footer.is_visible()
    text = footer.inner_text()
    assert t("title.province", "vi") in text and "In ngày" in text and "Kỳ dữ liệu: 30/06/2025" in text
    assert "SYNTHETIC" in text and "Nguồn" in text
    assert s.page.locator(".vc-legend-sec").is_visible()  # the legend is printed
    assert s.page.locator(".leaflet-control-scale-line").first.is_visible()
    assert s.page.locator(".vc-north").is_visible()
    pdf_ok = s.device == "desktop"  # type: ignore[attr-defined]
    if pdf_ok:
        pdf = s.page.pdf(format="A4", landscape=True, print_background=True)
        assert pdf[:4] == b"%PDF" and len(pdf) > 10000
        (artifacts / "print.province.pdf").write_bytes(pdf)
    s.page.screenshot(path=str(artifacts / f"print.{s.device}.png"))  # type: ignore[attr-defined]
    s.assert_clean()


def test_legend_follows_layers_and_question_views(shell: Session) -> None:
    s = shell
    s.goto("province.html")
    open_panel(s)
    remote = s.page.locator('[data-legend-for="Thôn vùng sâu, vùng xa"]')
    assert remote.count() == 1 and not remote.evaluate("e => e.hidden")
    layer_toggle(s, t("layer.remote", "vi")).click()
    assert remote.evaluate("e => e.hidden")
    declared = s.page.locator('[data-legend-for^="Vùng phủ sóng do nhà mạng công bố"]')
    assert declared.evaluate("e => e.hidden")  # off by default: its legend is hidden too
    # the TV view: TV layer on with its yes/no/not surveyed legend, the coverage classes off
    s.page.get_by_role("button", name=t("view.no.tv", "vi")).click()
    on = s.page.evaluate("VC.current.layers.filter(e => VC.current.map.hasLayer(e.layer)).map(e => e.name)")
    assert "Dịch vụ: Truyền hình" in on and t("layer.villages", "vi") not in on
    assert s.page.get_by_role("button", name=t("view.no.tv", "vi")).get_attribute("aria-pressed") == "true"
    assert "view=no.tv" in s.page.url
    s.page.wait_for_timeout(500)
    fills = set(s.page.evaluate("Array.from(document.querySelectorAll('.leaflet-vcTiles-pane path')).map(p => p.getAttribute('fill'))"))
    assert fills and fills <= {"#2c7fb8", "#b35806", "#8c8c8c"}
    tv_legend = s.page.locator('.vc-leg[data-legend-for*="Dịch vụ: Truyền hình"]')
    assert not tv_legend.evaluate("e => e.hidden") and "Chưa khảo sát" in tv_legend.text_content()
    villages = s.page.locator('.vc-leg[data-legend-for="Thôn bản theo tình trạng phủ sóng"]')
    assert villages.evaluate("e => e.hidden")
    # the villages-in-view list answers the same question: TV status, villages lacking TV
    lacking = s.page.evaluate("""Object.values(VC.current.layers.find(e => e.name === 'Dịch vụ: Truyền hình')
                                   .layer.vcOpts.classes).filter(c => c === 'no').length""")
    statuses = s.page.locator(".vc-list tbody td:nth-child(3)").all_text_contents()
    assert set(statuses) <= {"Chưa có"} and len(statuses) == lacking, (statuses, lacking)
    s.page.locator(".vc-list-sec > summary").click()
    s.page.locator(".vc-list-bar input[type=checkbox]").uncheck()
    statuses = set(s.page.locator(".vc-list tbody td:nth-child(3)").all_text_contents())
    assert statuses and statuses <= {"Có", "Chưa có", "Chưa khảo sát"}, statuses
    # back to 4G
    s.page.get_by_role("button", name=t("view.no_4g", "vi")).click()
    fills = set(s.page.evaluate("Array.from(document.querySelectorAll('.leaflet-vcTiles-pane path')).map(p => p.getAttribute('fill'))"))
    assert fills <= set(CLASS_COLOURS.values())
    s.assert_clean()


def test_villages_in_view_list_sorts_and_downloads_csv(shell: Session) -> None:
    s = shell
    s.goto("province.html")
    open_panel(s)
    s.page.locator(".vc-list-sec > summary").click()
    rows = s.page.locator(".vc-list tbody tr")
    names = [r.split("\t")[0] for r in rows.all_inner_texts()]
    assert names and "Tổ dân phố Đức Ninh" not in names  # only villages lacking 4G by default
    # ranked by people affected (descending) first
    affected = [int(x.replace(".", "")) for x in s.page.locator(".vc-list tbody td:nth-child(5)").all_inner_texts()]
    assert affected == sorted(affected, reverse=True) and affected[0] > 0
    s.page.locator(".vc-sort[data-key=name]").click()
    by_name = s.page.locator(".vc-list tbody td:first-child").all_inner_texts()
    assert by_name == sorted(by_name, key=lambda n: __import__("villagecov.maps.collate", fromlist=["vi_key"]).vi_key(n))
    assert s.page.locator(".vc-list th").first.get_attribute("aria-sort") == "ascending"
    with s.page.expect_download() as dl:
        s.page.locator(".vc-csv").click()
    text = Path(dl.value.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["village_id", "Thôn", "Xã"] and len(table) == len(by_name) + 1
    assert {r[1] for r in table[1:]} == set(by_name) and dl.value.suggested_filename == "thon.csv"
    s.assert_clean()


def test_text_colours_meet_contrast() -> None:
    # the text colours of villagecov.css / dashboard.css on white, and white on the dark fills
    for fg, bg in (("#595959", "#ffffff"), ("#444444", "#ffffff"), ("#333333", "#ffffff"), ("#08306b", "#ffffff"),
                   ("#ffffff", "#08306b"), ("#ffffff", "#b00020"), ("#8a4204", "#ffffff"), ("#1a1a1a", "#dbe8f6")):
        assert contrast_ratio(fg, bg) >= 4.5, (fg, bg)
    assert contrast_ratio("#777777", "#ffffff") < 4.5  # the grey the maps used before


def test_controls_have_accessible_names(shell: Session) -> None:
    s = shell
    s.goto("province.html")
    open_panel(s)
    unnamed = s.page.evaluate(
        """Array.from(document.querySelectorAll('button, input, select, a[href], [role=combobox]'))
             .filter(e => e.offsetParent !== null)
             .filter(e => !(e.getAttribute('aria-label') || e.title || e.textContent.trim()
                           || (e.labels && e.labels.length) || e.getAttribute('alt')))
             .map(e => e.outerHTML.slice(0, 80))""")
    assert not unnamed, unnamed
    assert s.page.locator(".vc-drawer").get_attribute("aria-label") == "Bảng"
    assert s.page.locator(".vc-loading").get_attribute("role") == "status"


def test_progress_period_selector_recolours_the_latest_side(shell: Session) -> None:
    s = shell
    s.goto("progress.html")
    open_panel(s)

    def fills(i: int) -> list[str]:
        return sorted(s.page.evaluate(
            f"""Array.from(Object.keys(window).filter(k => window[k] instanceof L.Map).map(k => window[k])[{i}]
                 .getContainer().querySelectorAll('.leaflet-vcTiles-pane path')).map(p => p.getAttribute('fill'))"""))

    assert fills(0) != fills(1)  # baseline and latest differ
    assert s.page.locator('.vc-period-label[data-side="latest"]').inner_text() == "30/06/2025"
    s.page.locator("#vc-period").select_option("2023-01-01")
    s.page.wait_for_load_state("networkidle")
    s.page.wait_for_timeout(300)
    assert fills(1) == fills(0)  # the right side now shows the baseline vintage too
    assert s.page.locator('.vc-period-label[data-side="latest"]').inner_text() == "01/01/2023"
    assert "period=2023-01-01" in s.page.url
    s.assert_clean()
