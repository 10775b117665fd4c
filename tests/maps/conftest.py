"""Fixtures of the map tests: the SYNTHETIC sample, the built pages, a live server, Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.maps.sample import sample_inputs
from tests.maps.server import make_app, serve
from villagecov.maps.assets import render_html
from villagecov.maps.i18n import file_name, other_lang
from villagecov.maps.inputs import MapInputs
from villagecov.maps.progress import build_progress_map
from villagecov.maps.province import build_province_map
from villagecov.maps.unit import build_unit_map
from villagecov.settings import PROJECT_ROOT

CHROMIUM = os.environ.get("VILLAGECOV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def sample() -> MapInputs:
    return sample_inputs()


def build_pages(data: MapInputs, out: Path) -> dict[str, int]:
    """Write the sample's maps (both languages) with the API-served asset prefix; name → bytes."""
    written = {}
    for lang in ("vi", "en"):
        pages = {
            "province": build_province_map(data, lang=lang, alternate_url=file_name("province", other_lang(lang))),
            "progress": build_progress_map(data, lang=lang, alternate_url=file_name("progress", other_lang(lang))),
            "district-01": build_unit_map(data, "district", "01", lang=lang,
                                          alternate_url=file_name("district-01", other_lang(lang))),
            "commune-0101": build_unit_map(data, "commune", "0101", lang=lang,
                                           alternate_url=file_name("commune-0101", other_lang(lang))),
        }
        for stem, element in pages.items():
            html = render_html(element)
            (out / file_name(stem, lang)).write_text(html, encoding="utf-8")
            written[file_name(stem, lang)] = len(html.encode())
    return written


@pytest.fixture(scope="session")
def maps_dir(sample: MapInputs, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("maps")
    build_pages(sample, out)
    return out


@pytest.fixture(scope="session")
def live_server(sample: MapInputs, maps_dir: Path) -> Iterator[str]:
    """Base URL of a real uvicorn server (maps router, MVT/PNG tiles, /villages/{id})."""
    with serve(make_app(sample, maps_dir)) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by playwright (never playwright's own browser download)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("VILLAGECOV_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
