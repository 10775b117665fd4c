"""Property test: random sequences of ingest / correct / withdraw / compute / publish on both stores.

Invariants after every compute: compute never fails on what ingest accepted; shares lie in [0, 1]
and a null value is always "no data" with a reason; the villages counted are the villages of the
registers in force. At the end, a store that never received the withdrawn submissions computes
the same run (same id, same rows), and a published run is reproduced byte for byte.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from updates_helpers import coverage_file, ingest, square, two_districts, villages_file

from villagecov import runs
from villagecov.compute.indicators import INDICATORS
from villagecov.compute_pipeline import compute_all
from villagecov.errors import DuplicateSubmission
from villagecov.settings import Settings
from villagecov.storage import Store, open_store
from villagecov.submissions import withdraw

COVERAGE = st.tuples(st.just("coverage"), st.sampled_from(["province", "a", "b", "hole-a"]),
                     st.sampled_from(["4G", "2G"]), st.sampled_from(["2024-01-01", "2024-06-30", "2025-03-31"]),
                     st.sampled_from([None, "a", "b"]))
REGISTER = st.tuples(st.just("villages"), st.sampled_from([400, 700]), st.sampled_from(["ab", "a", "b"]))
OPS = st.lists(st.one_of(COVERAGE, REGISTER, st.tuples(st.just("withdraw"), st.integers(0, 9)),
                         st.just(("compute",)), st.just(("publish",))), min_size=2, max_size=7)


@contextmanager
def _clone(template_url: str, folder: Path) -> Iterator[str]:
    """A fresh copy of the template store (the real boundaries) for one example."""
    if not template_url.startswith("postgresql"):
        path = folder / f"{uuid.uuid4().hex[:8]}.gpkg"
        shutil.copyfile(template_url, path)
        yield str(path)
        return
    base = sa.make_url(template_url)
    name = f"vc_prop_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{base.database}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Model:
    """What the test sent: the submissions in order (kind, path, options), which are withdrawn."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Path, dict]] = []  # (submission id, kind, path, options)
        self.withdrawn: set[str] = set()
        self.registers: dict[str, str] = {}  # submission id -> village tags

    def live(self) -> list[tuple[str, str, Path, dict]]:
        return [s for s in self.sent if s[0] not in self.withdrawn]

    def villages(self) -> set[str]:
        return {f"V-{t}" for sid, tags in self.registers.items() if sid not in self.withdrawn for t in tags}


def _check(store: Store, model: Model) -> None:
    ind = store.read("indicators")
    assert len(ind), "compute wrote no indicators"
    kinds = ind["indicator"].map(INDICATORS)
    shares = ind[(kinds == "share") & ind["value"].notna()]
    assert ((shares["value"] >= -1e-12) & (shares["value"] <= 1 + 1e-12)).all()
    assert (ind["value"].isna() == (ind["status"] == "no_data")).all()
    assert ind.loc[ind["status"] == "no_data", "reason"].notna().all()
    latest = ind[ind["as_of"] == ind["as_of"].max()]
    prov = latest[(latest["indicator"] == "t8.villages_4g_share") & (latest["level"] == "province")]
    assert set(prov["denominator"]) == {float(len(model.villages()))}
    summary = store.read("village_summary")
    assert set(summary.loc[summary["as_of"] == summary["as_of"].max(), "village_id"]) == model.villages()


def _results(store: Store) -> dict[str, pd.DataFrame]:
    return {n: store.read(n) for n in ("indicators", "village_summary", "village_coverage")}


@pytest.mark.slow
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_random_updates_keep_the_figures_honest(ops: list[tuple], template, tmp_path: Path) -> None:
    folder = tmp_path / uuid.uuid4().hex[:6]
    folder.mkdir()
    with _clone(template.url, folder) as url:
        s = Settings(store=url, archive_dir=folder / "archive")
        store = open_store(url)
        try:
            _run(ops, store, s, folder, template.url)
        finally:
            store.close()


def _files(store: Store, folder: Path) -> dict[str, object]:
    places = two_districts(store)
    province = store.read("admin_units", where={"version": "2019", "level": "province"}).geometry.iloc[0]
    shapes = {"province": province, "a": places["a"]["district_geom"], "b": places["b"]["district_geom"],
              "hole-a": places["a"]["district_geom"].difference(square(places["a"]["point"], 0.002))}
    return {"places": places, "shapes": shapes}


def _run(ops: list[tuple], store: Store, s: Settings, folder: Path, template_url: str) -> None:
    ref = _files(store, folder)
    places, shapes = ref["places"], ref["shapes"]
    model = Model()
    first = ingest(s, store, "villages", villages_file(folder / "v-ab-500.geojson", places, 500), as_of="2024-01-01")
    model.sent.append((first.submission_id, "villages", folder / "v-ab-500.geojson", {"as_of": "2024-01-01"}))
    model.registers[first.submission_id] = "ab"
    published: dict[str, bytes] = {}
    for op in ops:
        if op[0] == "coverage":
            _, shape, tech, day, extent = op
            path = coverage_file(folder / f"cov-{shape}.geojson", [shapes[shape]])
            opts = {"as_of": day, "operator": "viettel", "technology": tech,
                    "extent": None if extent is None else str(places[extent]["code"])}
        elif op[0] == "villages":
            _, pop, tags = op
            path = villages_file(folder / f"v-{tags}-{pop}.geojson", {t: places[t] for t in tags}, pop)
            opts = {"as_of": "2024-01-01"}
        elif op[0] == "withdraw":
            live = model.live()
            if len(live) > 1:  # keep the first register: a store without villages computes nothing
                sid = live[1:][op[1] % (len(live) - 1)][0]
                withdraw(store, sid, "property test", "hypothesis")
                model.withdrawn.add(sid)
            continue
        elif op[0] == "compute":
            compute_all(s)
            _check(store, model)
            continue
        else:  # publish the current run, then recompute: the same run, reproduced
            summary = compute_all(s)
            if summary.run_id not in published:
                runs.publish(store, summary.run_id, "hypothesis")
                published[summary.run_id] = runs.read_file(store, summary.run_id, "indicators").data
            again = compute_all(s)
            assert again.run_id == summary.run_id and again.published
            continue
        try:
            report = ingest(s, store, op[0], path, **opts)
        except DuplicateSubmission:
            continue
        model.sent.append((report.submission_id, op[0], path, opts))
        if op[0] == "villages":
            model.registers[report.submission_id] = op[2]
    final = compute_all(s)
    _check(store, model)
    for run_id, data in published.items():  # published figures never change
        assert runs.read_file(store, run_id, "indicators").data == data
    # withdrawn submissions have no effect: a store that never received them computes the same run
    with _clone(template_url, folder) as url:
        mirror = Settings(store=url, archive_dir=folder / "mirror-archive")
        with open_store(url) as other:
            for _, kind, path, opts in model.live():
                ingest(mirror, other, kind, path, **opts)
            assert compute_all(mirror).run_id == final.run_id
            mine, theirs = _results(store), _results(other)
            for name in mine:
                pd.testing.assert_frame_equal(theirs[name], mine[name])
