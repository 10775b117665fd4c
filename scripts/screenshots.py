"""Screenshots of the main map views for docs/maps.md (desktop, phone, print, dashboard).

    .venv/bin/python scripts/screenshots.py --store var/villagecov.gpkg --maps var/maps --out docs/img

Serves the store's API (api.app.create_app) on 127.0.0.1 and drives Debian's headless Chromium
(VILLAGECOV_CHROMIUM, default /usr/bin/chromium) through playwright. Data is whatever the store
holds: on the demo store it is SYNTHETIC, and the pages say so.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.maps.server import serve
from villagecov.api.app import create_app
from villagecov.settings import Settings

CHROMIUM = os.environ.get("VILLAGECOV_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--store", required=True)
    p.add_argument("--maps", required=True, type=Path)
    p.add_argument("--out", default=Path("docs/img"), type=Path)
    a = p.parse_args()
    from playwright.sync_api import sync_playwright

    a.out.mkdir(parents=True, exist_ok=True)
    settings = Settings(store=a.store, maps_dir=a.maps, archive_dir=a.maps.parent / "archive")
    with serve(create_app(settings)) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        desk = browser.new_context(viewport={"width": 1366, "height": 800}, locale="vi-VN")
        page = desk.new_page()
        page.goto(f"{base}/maps/province.html")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(a.out / "maps-desktop.png"))
        page.get_by_role("button", name="Thôn nào chưa có truyền hình?").click()
        page.locator(".vc-list-sec > summary").click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(a.out / "maps-desktop-tv.png"))
        page.get_by_role("button", name="Thôn nào chưa có 4G?").click()
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape at 96 dpi
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(a.out / "maps-print.png"))
        (a.out / "maps-print.pdf").write_bytes(page.pdf(format="A4", landscape=True, print_background=True))
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 1366, "height": 800})
        page.goto(f"{base}/maps/dashboard.html")
        page.wait_for_function("document.body.dataset.loaded", timeout=20000)
        page.screenshot(path=str(a.out / "dashboard.png"), full_page=True)
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                    device_scale_factor=2, locale="vi-VN")
        page = phone.new_page()
        page.goto(f"{base}/maps/province.html")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(a.out / "maps-phone.png"))
        page.locator("#vc-search-input").tap()
        page.keyboard.type("dan hoa")
        page.screenshot(path=str(a.out / "maps-phone-search.png"))
        page.keyboard.press("Escape")
        vid = page.evaluate("VC.current.cfg.villages.find(r => r[6] > 0)[0]")
        page.evaluate(f"VC.openVillage(VC.current.map, {vid!r}, VC.current.map.getCenter(), '')")
        page.wait_for_function("(document.querySelector('.vc-sheet-body') || {}).innerText?.includes('Phủ sóng')")
        page.screenshot(path=str(a.out / "maps-phone-sheet.png"))
        browser.close()
    print(f"screenshots in {a.out}")


if __name__ == "__main__":
    main()
