"""Alembic 0009 (issue 15): submissions made before it get their id; the new tables appear; it goes back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import drop_postgis_database, fresh_postgis_database
from tests.storage.test_upgrades import downgrade
from villagecov.storage import open_store
from villagecov.submissions import read_submissions, submission_id_of


@pytest.mark.postgis
def test_postgis_0009_gives_earlier_submissions_their_id_and_goes_back() -> None:
    url = fresh_postgis_database()
    engine = sa.create_engine(url)
    try:
        store = open_store(url, initialize=True)
        downgrade(store, "0008")
        with engine.begin() as conn:
            cols = {r[0] for r in conn.execute(sa.text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'submissions'"))}
            assert "submission_id" not in cols and conn.execute(sa.text("SELECT to_regclass('extents')")).scalar() is None
            conn.execute(sa.text("INSERT INTO submissions (sha256, kind, options, filename, status) "
                                 "VALUES ('ab12', 'coverage', '{\"operator\": \"viettel\"}', 'Đồng Hới.geojson', 'ingested')"))
        store.initialize()
        subs = store.read("submissions")
        assert subs["submission_id"].tolist() == [submission_id_of("ab12", "coverage", '{"operator": "viettel"}')]
        assert read_submissions(store)["filename"].tolist() == ["Đồng Hới.geojson"]
        for name in ("extents", "change_log", "run_results"):
            assert store.count(name) == 0
        downgrade(store, "0008")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT to_regclass('run_results')")).scalar() is None
        store.close()
    finally:
        engine.dispose()
        drop_postgis_database(url)
