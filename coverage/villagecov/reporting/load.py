"""Read what the report needs from the store: the run's indicators, the run, the sources."""

from __future__ import annotations

import json

import pandas as pd

from villagecov.errors import NotFound
from villagecov.reporting.model import Report, Source, build_report
from villagecov.reporting.names import ReportNames
from villagecov.storage import Store
from villagecov.targets import Targets

SOURCE_TABLES = ("villages", "sites", "services", "coverage", "measurements")


def pick_run(runs: pd.DataFrame, run_id: str | None = None) -> pd.Series:
    """The run a report is built from: ``run_id`` when given, else the latest published run when
    the store records publication (``details.published``), else the latest compute run."""
    compute = runs[runs["kind"].isin(["compute", "publish", "published"])] if len(runs) else runs
    if compute.empty:
        raise NotFound("no computed run in the store: run `villagecov compute` first")
    if run_id is not None:
        hit = runs[runs["run_id"] == run_id]
        if hit.empty:
            raise NotFound(f"no run {run_id!r} in the store")
        return hit.iloc[0]

    def published(details: object) -> bool:
        try:
            return bool(json.loads(str(details)).get("published"))
        except (ValueError, AttributeError):
            return False

    pub = compute[compute["details"].map(published) | compute["kind"].isin(["publish", "published"])]
    pool = pub if len(pub) else compute
    return pool.sort_values("finished_at", kind="stable").iloc[-1]


def sources(store: Store) -> list[Source]:
    """One line per input stream: table, source name, first and last date, rows, SYNTHETIC or not."""
    out: list[Source] = []
    subs = store.read("submissions")
    for name in SOURCE_TABLES:
        if name in ("coverage", "measurements"):  # large geometries: the audit trail describes them
            s = subs[subs["kind"] == name]
            for r in s.itertuples(index=False):
                out.append(Source(name, str(r.filename), None, str(r.received_at)[:10], int(r.rows_accepted or 0),
                                  "SYNTHETIC" in str(r.filename).upper()))
            continue
        frame = store.read(name)
        if frame.empty:
            continue
        synth = frame["synthetic"].fillna(False).astype(bool) if "synthetic" in frame.columns else False
        frame = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).assign(_s=synth)
        for src, g in frame.groupby(frame["source"].fillna("—"), sort=True):
            out.append(Source(name, str(src), str(g["as_of"].min()), str(g["as_of"].max()), len(g),
                              bool(g["_s"].any()) or "SYNTHETIC" in str(src).upper()))
    return out


def load_report(store: Store, *, period: str, level: str, boundaries: str, targets: Targets, names: ReportNames,
                lang: str = "vi", unit: str | None = None, run_id: str | None = None) -> Report:
    """Build the report of ``period`` from the store's run (see :func:`pick_run`)."""
    run = pick_run(store.read("runs"), run_id)
    rid = str(run["run_id"])
    where: dict[str, object] = {"boundary_version": boundaries, "level": [level, "commune"], "run_id": rid}
    ind = store.read("indicators", where=where)
    if ind.empty:
        ind = store.read("indicators", where={"boundary_version": boundaries, "level": [level, "commune"]})
    units = store.read("admin_units", where={"version": boundaries, "level": "province"})
    province = str(units["name"].iloc[0]) if len(units) else ""
    finished = str(run["finished_at"])[:19] if pd.notna(run["finished_at"]) else None
    return build_report(ind, period=period, level=level, boundaries=boundaries, targets=targets, names=names,
                        run_id=rid, run_finished=finished, sources=sources(store), province=province, lang=lang,
                        unit=unit)
