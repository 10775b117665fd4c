"""Shared fixtures. The `store` fixture runs each test on both backends.

PostGIS: `VILLAGECOV_TEST_POSTGIS_URL` names a database the tests may use (scripts/test.sh
starts a throwaway cluster and sets it). Without it the PostGIS cases skip, unless
`VILLAGECOV_REQUIRE_POSTGIS=1`, which turns the skip into a failure (CI).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from villagecov.settings import PROJECT_ROOT, Settings
from villagecov.storage import Store, open_store

POSTGIS_URL = os.environ.get("VILLAGECOV_TEST_POSTGIS_URL", "")
REQUIRE_POSTGIS = os.environ.get("VILLAGECOV_REQUIRE_POSTGIS", "") == "1"
DATA_DIR = PROJECT_ROOT / "data"


def postgis_url_or_skip() -> str:
    if POSTGIS_URL:
        return POSTGIS_URL
    if REQUIRE_POSTGIS:
        pytest.fail("VILLAGECOV_REQUIRE_POSTGIS=1 but VILLAGECOV_TEST_POSTGIS_URL is not set")
    pytest.skip("no PostGIS: set VILLAGECOV_TEST_POSTGIS_URL (scripts/test.sh does)")


def fresh_postgis_database(icu_locale: str | None = None) -> str:
    """A new empty database on the test server; returns its URL. ``icu_locale`` (e.g. "vi-VN"):
    the database's default collation is that ICU locale's, as a Vietnamese DBA might create it."""
    base = sa.make_url(postgis_url_or_skip())
    name = f"vc_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    options = "" if icu_locale is None else (
        f" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{icu_locale}' LOCALE 'C.UTF-8'")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"{options}'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def drop_postgis_database(url: str) -> None:
    u = sa.make_url(url)
    admin = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["geopackage", pytest.param("postgis", marks=pytest.mark.postgis)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a new, empty store of each backend."""
    if request.param == "geopackage":
        yield str(tmp_path / "store.gpkg")
    else:
        url = fresh_postgis_database()
        try:
            yield url
        finally:
            drop_postgis_database(url)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """An initialised, empty store of each backend."""
    s = open_store(store_url, initialize=True)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def settings(store_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the parametrised store and a private archive."""
    return Settings(store=store_url, archive_dir=tmp_path / "archive")
