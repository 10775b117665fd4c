"""Fixtures for the ingest tests: a store of each backend already holding the real boundaries.

The boundaries are ingested once per session into a template (a GeoPackage file, a PostGIS
template database) and cloned for each test: same content as running
``villagecov.pipeline.ingest_boundaries`` per test, at a fraction of the time.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from villagecov.pipeline import ingest_boundaries
from villagecov.settings import Settings
from villagecov.storage import Store, open_store

POSTGIS_URL = os.environ.get("VILLAGECOV_TEST_POSTGIS_URL", "")


@dataclass
class Template:
    url: str
    digest: str


def _admin(url: str) -> sa.Engine:
    return sa.create_engine(sa.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def gpkg_template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    folder = tmp_path_factory.mktemp("template")
    s = Settings(store=str(folder / "template.gpkg"), archive_dir=folder / "archive")
    ingest_boundaries(s, s.data_dir)
    with open_store(s.store) as st:
        return Template(s.store, st.digest())


@pytest.fixture(scope="session")
def postgis_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    if not POSTGIS_URL:
        pytest.skip("no PostGIS: set VILLAGECOV_TEST_POSTGIS_URL")
    base = sa.make_url(POSTGIS_URL)
    name = f"vc_tmpl_{uuid.uuid4().hex[:10]}"
    admin = _admin(base.render_as_string(hide_password=False))
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    folder = tmp_path_factory.mktemp("pg_template")
    ingest_boundaries(Settings(store=url, archive_dir=folder), Settings().data_dir)
    with open_store(url) as st:
        digest = st.digest()
    try:
        yield Template(url, digest)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def template(store_url: str, request: pytest.FixtureRequest) -> Template:
    name = "postgis_template" if store_url.startswith("postgresql") else "gpkg_template"
    return request.getfixturevalue(name)


@pytest.fixture
def loaded(store_url: str, settings: Settings, template: Template) -> Iterator[Store]:
    """The parametrised store (GeoPackage, PostGIS) holding the real boundaries."""
    if store_url.startswith("postgresql"):
        target = sa.make_url(store_url).database
        tmpl = sa.make_url(template.url).database
        admin = _admin(store_url)
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{target}" TEMPLATE "{tmpl}"'))
        admin.dispose()
    else:
        shutil.copyfile(template.url, store_url)
    store = open_store(store_url)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    return folder
