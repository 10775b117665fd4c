"""Plans in the store: one transaction, both backends, older stores gain the tables (SYNTHETIC rows)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, strategies
from hypothesis import settings as settings_

from tests.conftest import drop_postgis_database, fresh_postgis_database
from villagecov.planning import store as plan_store
from villagecov.planning.plan import Plan, make_plan
from villagecov.planning.store import plan_frames, save_plan
from villagecov.schema import TABLES
from villagecov.settings import Settings
from villagecov.storage import Store, open_store

from .test_plan import sites, village_coverage, villages

PLAN_TABLES = ("plans", "plan_sites", "plan_villages")


def _target_plan() -> Plan:
    return make_plan(villages(), village_coverage(), sites(), "4G", Settings(), target_share=1.0, curve_points=0)


def test_plan_rows_by_hand() -> None:
    plan = _target_plan()
    when = datetime(2026, 11, 26, 5, 12, tzinfo=UTC)
    f = plan_frames(plan, Settings(), plan_id="P", created_at=when, target_share=1.0, as_of="2025-01-01",
                    synthetic=True)
    head = f["plans"].iloc[0]
    assert head["sites"] == 2 and head["villages_covered"] == 3 and head["population_covered"] == 700.0
    assert head["method"] == "ilp" and head["exact_status"] == "optimal" and head["mode"] == "target"
    assert head["cost_vnd"] == head["exact_cost_vnd"] == plan.exact.cost
    assert head["capex_vnd"] + 5 * head["opex_vnd_per_year"] == head["cost_vnd"]
    s = f["plan_sites"]
    assert list(s["plan_site_id"]) == ["P-001", "P-002"] and list(s["rank"]) == [1, 2]
    assert s.crs.to_epsg() == 4326
    # rank = priority, also for the exact program's set: 1 village per 0.8 bn VND (co-location on T1)
    # before 2 villages per ≈ 2.7 bn (the new tower between V2 and V3)
    assert list(s["candidate_kind"]) == ["colocation", "grid"] and list(s["village_ids"]) == ["V4", "V3;V2"]  # gaps order: remote first
    v = f["plan_villages"].set_index("village_id")
    assert sorted(v.index) == ["V2", "V3", "V4"]
    coloc = s[s["candidate_kind"] == "colocation"].iloc[0]
    assert v.loc["V4", "plan_site_id"] == coloc["plan_site_id"] and v.loc["V4", "site_rank"] == coloc["rank"]


def test_save_plan_round_trip(store: Store) -> None:
    plan = _target_plan()
    pid = save_plan(store, plan, Settings(), target_share=1.0, as_of="2025-01-01", synthetic=True)
    assert pid.endswith("-4G-" + pid.rsplit("-", 1)[1]) and len(pid.rsplit("-", 1)[1]) == 4
    plans = store.read("plans")
    assert plans["plan_id"].tolist() == [pid] and plans["as_of"].tolist() == ["2025-01-01"]
    sites_ = store.read("plan_sites", where={"plan_id": pid})
    assert sites_["rank"].tolist() == [1, 2] and sites_["synthetic"].all()
    assert set(store.read("plan_villages")["name"]) == {"Bản Hai", "Bản Ba", "Bản Bốn"}
    again = save_plan(store, plan, Settings(), target_share=1.0)  # earlier plans stay
    assert set(store.read("plans")["plan_id"]) == {pid, again}


def test_a_failing_write_leaves_no_part_of_the_plan(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = plan_store.plan_frames

    def broken(*args: object, **kwargs: object) -> dict[str, pd.DataFrame]:  # fault in the last table
        frames = real(*args, **kwargs)
        frames["plan_villages"] = frames["plan_villages"].assign(population="many")
        return frames

    monkeypatch.setattr(plan_store, "plan_frames", broken)
    with pytest.raises(ValueError):
        save_plan(store, _target_plan(), Settings())
    assert all(store.count(name) == 0 for name in PLAN_TABLES)


def test_geopackage_store_without_plan_tables_gains_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import villagecov.storage.geopackage as gpkg

    old = {k: v for k, v in TABLES.items() if k not in PLAN_TABLES}
    path = tmp_path / "old.gpkg"
    monkeypatch.setattr(gpkg, "TABLES", old)
    open_store(str(path), initialize=True).close()
    monkeypatch.undo()
    import pyogrio

    assert not set(PLAN_TABLES) & {n for n, _ in pyogrio.list_layers(path)}
    with open_store(str(path), initialize=True) as st:
        assert all(st.count(name) == 0 for name in PLAN_TABLES)
        save_plan(st, _target_plan(), Settings())
        assert st.count("plan_sites") == 2


@pytest.mark.postgis
def test_postgis_migration_0003_adds_the_plan_tables() -> None:
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from villagecov.storage.postgis import MIGRATIONS_DIR

    url = fresh_postgis_database()
    try:
        engine = sa.create_engine(url)
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0002")
            conn.commit()
            assert not set(PLAN_TABLES) & set(sa.inspect(conn).get_table_names())  # 0001-0002 are frozen
        engine.dispose()
        with open_store(url, initialize=True) as st:
            assert st.info()["schema_revision"] == ScriptDirectory.from_config(cfg).get_current_head()
            save_plan(st, _target_plan(), Settings())
            assert st.count("plan_villages") == 3
            assert isinstance(st.read("plans")["created_at"].iloc[0], pd.Timestamp)
    finally:
        drop_postgis_database(url)


def test_demo_plan_saves_and_summarises(settings: Settings, tmp_path: Path) -> None:
    from villagecov.planning.run import demo_plan, summary_lines

    with open_store(settings.store, initialize=True) as st, st.transaction() as tx:
        tx.append("villages", villages().assign(as_of="2024-01-01", source="SYNTHETIC test"))
        tx.append("village_coverage", village_coverage().assign(run_id="test", status=None))
        tx.append("sites", sites().assign(as_of="2024-01-01", source="SYNTHETIC test"))
    plan = demo_plan(settings, None, tmp_path / "plan", curve_points=2)
    first, second = summary_lines(plan)
    assert first.startswith(f"4G plan {plan.plan_id}: 2 sites (1 colocation, 1 grid), ")
    assert first.endswith(" bn VND, covers 3 of 3 gap villages (flat earth)")
    assert second.startswith("  greedy ") and "exact 2 sites" in second and "(optimal," in second
    assert (tmp_path / "plan" / "coverage_curve.png").is_file()
    with open_store(settings.store) as st:
        assert st.read("plans")["plan_id"].tolist() == [plan.plan_id]


@settings_(max_examples=12, deadline=None)
@given(budget=strategies.floats(min_value=0.0, max_value=5e9), weight=strategies.sampled_from(["population", "villages"]))
def test_plan_rows_add_up_for_any_budget(budget: float, weight: str) -> None:
    """Whatever the budget: ranks 1..n, each covered village once with a site of the plan, and the
    head row's totals are the sums of the site rows."""
    plan = make_plan(villages(), village_coverage(), sites(), "4G", Settings(), budget_vnd=budget,
                     weight=weight, curve_points=0)  # type: ignore[arg-type]
    f = plan_frames(plan, Settings(), plan_id="H", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    head, s, v = f["plans"].iloc[0], f["plan_sites"], f["plan_villages"]
    assert list(s["rank"]) == list(range(1, len(s) + 1)) and head["sites"] == len(s)
    assert head["cost_vnd"] == pytest.approx(s["cost_vnd"].sum()) and head["cost_vnd"] <= budget + 1e-6
    assert head["villages_covered"] == len(v) == s["villages_covered"].sum() == v["village_id"].nunique()
    assert head["population_covered"] == pytest.approx(v["uncovered_population"].sum())
    assert set(v["plan_site_id"]) <= set(s["plan_site_id"])
    assert sorted(";".join(s["village_ids"]).split(";")) == sorted(v["village_id"]) or not len(v)
